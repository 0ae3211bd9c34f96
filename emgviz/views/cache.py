"""The caches every view shares: one file digest, one read, one processing, one bursts and one feature table.

Keys are strings that say what an object is (a file's SHA-256, the reader options, the channels,
the settings as JSON); the big objects pass as underscore arguments, which Streamlit does not hash.
A recording read or processed for one view (or session of the Compare view) is the same object
in every other.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Mapping, Sequence

import streamlit as st

from ..io import read_files
from ..pipeline import preprocess
from ..recording import Recording
from ..settings import Settings

__all__ = ["cache_budget_bytes", "CACHE_TTL_S", "settings_key", "file_digest", "read_key", "rec_key", "read_cached", "process_cached",
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


#: How long a read or processed recording stays cached without use (s).
CACHE_TTL_S = 2 * 3600


def cache_budget_bytes() -> int:
    """Bytes of samples the read and processing caches may hold together: ``EMGVIZ_CACHE_MB`` or 2048 MB."""
    import os

    try:
        return int(float(os.environ.get("EMGVIZ_CACHE_MB", "2048")) * 1024 ** 2)
    except ValueError:
        return 2048 * 1024 ** 2


_SIZES: "OrderedDict[str, int]" = OrderedDict()  # cache key -> bytes held, oldest use first
_SIZES_LOCK = threading.Lock()


def _account(key: str, nbytes: int) -> None:
    """Note that ``key`` holds ``nbytes``; over the budget, empty the big caches (oldest first is not
    possible through Streamlit's API, so all but the entry just used are dropped)."""
    with _SIZES_LOCK:
        _SIZES[key] = int(nbytes)
        _SIZES.move_to_end(key)
        if sum(_SIZES.values()) <= cache_budget_bytes() or len(_SIZES) == 1:
            return
        keep = _SIZES[key]
        _SIZES.clear()
        _SIZES[key] = keep
    _read_cached.clear()
    _process_cached.clear()


def _processed_bytes(out) -> int:
    total = 0
    for name in ("filtered", "envelope"):  # not rectified: a property computed on each access, never held
        rec = getattr(out, name, None)
        data = getattr(rec, "data", None)
        total += int(getattr(data, "nbytes", 0))
    return total


@st.cache_resource(max_entries=16, ttl=CACHE_TTL_S, show_spinner="Reading the recording…")
def _read_cached(digest: str, names: tuple[str, ...], fs: float | None, options_json: str,
                 _files: tuple[tuple[str, bytes], ...]) -> Recording:
    return read_files(list(_files), fs=fs, **json.loads(options_json))


def read_cached(digest: str, names: tuple[str, ...], fs: float | None, options_json: str,
                _files: tuple[tuple[str, bytes], ...]) -> Recording:
    """Read once per (content, names, fs, options); the Recording is immutable, so sharing is safe.

    ``names`` is part of the key: a single file's digest covers its bytes only, and the name
    steers the reader (suffix fallback) and becomes ``rec.source``. The cache is bounded by
    entries (16), time (:data:`CACHE_TTL_S` without use) and size (:func:`cache_budget_bytes`
    of samples together with the processing cache).
    """
    rec = _read_cached(digest, names, fs, options_json, _files)
    _account(f"read|{digest}|{names}|{fs}|{options_json}", rec.data.nbytes)
    return rec


@st.cache_resource(max_entries=16, ttl=CACHE_TTL_S, show_spinner="Filtering…")
def _process_cached(rec_key: str, settings_json: str, _rec: Recording):
    return preprocess(_rec, Settings.from_dict(json.loads(settings_json)))


def process_cached(rec_key: str, settings_json: str, _rec: Recording):
    """``preprocess`` once per (recording and channels, settings); the result is immutable.

    Bounded like :func:`read_cached` (entries, time, size)."""
    out = _process_cached(rec_key, settings_json, _rec)
    _account(f"proc|{rec_key}|{settings_json}", _processed_bytes(out))
    return out


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
