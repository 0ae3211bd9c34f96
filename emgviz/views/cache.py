"""The caches every view shares: one file digest, one read, one processing, one bursts and one feature table.

Keys are strings that say what an object is (a file's SHA-256, the reader options, the channels,
the settings as JSON); the big objects pass as underscore arguments, which Streamlit does not hash.
A recording read or processed for one view (or session of the Compare view) is the same object
in every other.
"""

from __future__ import annotations

import hashlib
import json
from typing import Mapping, Sequence

import streamlit as st

from ..io import read_files
from ..pipeline import preprocess
from ..recording import Recording
from ..settings import Settings

__all__ = ["settings_key", "file_digest", "read_key", "rec_key", "read_cached", "process_cached",
           "bursts_cached", "features_cached"]


def settings_key(settings: Settings) -> str:
    """The settings as sorted JSON: the cache key of everything computed with them."""
    return json.dumps(settings.to_dict(), sort_keys=True)


def file_digest(files: Sequence[tuple[str, bytes]]) -> str:
    """SHA-256 of the file (as ``sha256sum`` prints it); for several files, of their names and digests."""
    if len(files) == 1:
        return hashlib.sha256(files[0][1]).hexdigest()
    h = hashlib.sha256()
    for name, content in files:
        h.update(name.encode("utf-8", "replace") + b"\0")
        h.update(hashlib.sha256(content).digest())
    return h.hexdigest()


def read_key(digest: str, fs: float | None, options: Mapping[str, object]) -> str:
    """The identity of a recording as read: its files' digest and the reader options used."""
    return hashlib.sha256(f"{digest}|{fs}|{sorted(options.items())}".encode()).hexdigest()


def rec_key(read_key: str, ch_names: Sequence[str]) -> str:
    """A short id of the channels ``ch_names`` of a recording as read: the processing cache key."""
    return hashlib.sha256((read_key + "|" + ",".join(ch_names)).encode()).hexdigest()[:12]


@st.cache_resource(max_entries=16, show_spinner="Reading the recording…")
def read_cached(digest: str, names: tuple[str, ...], fs: float | None, options_json: str,
                _files: tuple[tuple[str, bytes], ...]) -> Recording:
    """Read once per (content, names, fs, options); the Recording is immutable, so sharing is safe.

    ``names`` is part of the key: a single file's digest covers its bytes only, and the name
    steers the reader (suffix fallback) and becomes ``rec.source``.
    """
    return read_files(list(_files), fs=fs, **json.loads(options_json))


@st.cache_resource(max_entries=16, show_spinner="Filtering…")
def process_cached(rec_key: str, settings_json: str, _rec: Recording):
    """``preprocess`` once per (recording and channels, settings); the result is immutable."""
    return preprocess(_rec, Settings.from_dict(json.loads(settings_json)))


@st.cache_data(max_entries=16, show_spinner="Detecting bursts…")
def bursts_cached(key: str, settings_json: str, _filtered: Recording, method: str = "threshold",
                  params_json: str | None = None):
    """``detect_bursts`` of a filtered recording (``key`` and the settings say which).

    ``params_json``: :class:`~emgviz.burst_params.BurstParams` as JSON (``to_dict``); the
    app's defaults (:data:`~emgviz.burst_params.BURST_DEFAULTS`) when None.
    """
    import json

    from ..burst_params import BURST_DEFAULTS, BurstParams
    from ..onsets import detect_bursts

    if method != "threshold":
        return detect_bursts(_filtered, method=method)
    params = BurstParams(**json.loads(params_json)) if params_json else BURST_DEFAULTS
    return detect_bursts(_filtered, method=method, **params.detector_options())


@st.cache_data(max_entries=16, show_spinner=False)
def features_cached(key: str, settings_json: str, _filtered: Recording):
    """``feature_table`` of a filtered recording (``key`` and the settings say which)."""
    from ..features import feature_table

    return feature_table(_filtered)
