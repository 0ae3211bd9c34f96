"""The caches every view shares: one file digest, one read, one processing, one bursts and one feature table.

Keys are strings that say what an object is (a file's SHA-256, the reader options, the channels,
the settings as JSON); the big objects pass as underscore arguments, which Streamlit does not hash.
A recording read or processed for one view (or session of the Compare view) is the same object
in every other. Read and processed recordings live in one least-recently-used store per server
process (:class:`~emgviz.views.lru.ByteLRU`), bounded by bytes (``EMGVIZ_CACHE_MB``), entries and
idle time; bursts and feature tables, which are small, stay in ``st.cache_data``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Mapping, Sequence

import streamlit as st

from .. import td_kernel
from ..io import read_files
from ..pipeline import preprocess
from ..recording import Recording
from ..settings import Settings
from .lru import ByteLRU

__all__ = ["cache_budget_bytes", "CACHE_TTL_S", "CACHE_MAX_ENTRIES", "cache_store", "settings_key", "file_digest",
           "read_key", "rec_key", "read_cached", "process_cached", "process_lazy", "bursts_cached", "features_cached", "features_asked"]


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
#: At most this many read and processed recordings together (besides the byte budget).
CACHE_MAX_ENTRIES = 32


def cache_budget_bytes() -> int:
    """Bytes of samples the read and processing caches may hold together: ``EMGVIZ_CACHE_MB`` or 2048 MB.

    Read at every insertion, so a changed variable applies to the next recording. A value that is
    not a number, or not above 0, gives the default.
    """
    import os

    try:
        mb = float(os.environ.get("EMGVIZ_CACHE_MB", "2048"))
    except ValueError:
        mb = 2048.0
    return int((mb if mb > 0 else 2048.0) * 1024 ** 2)


@st.cache_resource(show_spinner=False)
def _store() -> ByteLRU:
    """The one store of read and processed recordings of this server process (all sessions share it).

    Held by ``st.cache_resource`` so that it is created once per process and emptied with Streamlit's
    own "Clear cache"; least recently used entries are evicted first once the recordings hold more
    than :func:`cache_budget_bytes`."""
    return ByteLRU(cache_budget_bytes, max_entries=CACHE_MAX_ENTRIES, ttl_s=CACHE_TTL_S)


_MISS = object()


#: Per thread (one script run of one session): the store key of each recording read_cached returned,
#: by ``id``, and the last one, so that process_cached keeps the read recording it filters.
_reads = threading.local()


def _cached(key: str, compute, size, spinner: str, keep=(), reserve: int = 0):
    """``compute()`` once per ``key`` across sessions; a spinner while this session computes or waits.

    ``reserve``: the bytes the value will hold when known in advance; room is made for them before
    computing (:meth:`~emgviz.views.lru.ByteLRU.make_room`)."""
    store = _store()
    value = store.get(key, _MISS)
    if value is not _MISS:
        store.resize(key, size(value))  # a processed recording grows when its envelope is first read
        return value
    with _spinner(spinner):
        return store.get_or_compute(key, compute, size, keep=keep, reserve=reserve)


def _note_read(key: str, rec) -> None:
    by_id = getattr(_reads, "by_id", None)
    if by_id is None:
        by_id = _reads.by_id = {}
    if len(by_id) > 64:
        by_id.clear()
    by_id[id(rec)] = key
    _reads.last = key


def _read_key_of(rec) -> tuple[str, ...]:
    """The store key of the recording ``rec`` was read as (or the last one this thread read): kept
    while its processed copies are stored."""
    key = getattr(_reads, "by_id", {}).get(id(rec)) or getattr(_reads, "last", None)
    return (key,) if key else ()


def _spinner(text: str):
    from contextlib import nullcontext

    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return st.spinner(text) if get_script_run_ctx(suppress_warning=True) is not None else nullcontext()


def _processed_bytes(out) -> int:
    """Bytes a processed recording holds: its filtered samples and, once computed, its envelope.

    ``rectified`` is a property computed on each access (``|filtered|``), not held; the envelope
    is computed on its first read (:class:`~emgviz.processed.Processed`), and the store learns
    its size at the next lookup (:func:`_cached` resizes the entry)."""
    nbytes = getattr(out, "nbytes", None)
    if nbytes is not None:
        return int(nbytes)
    total = 0
    for name in ("filtered", "envelope"):
        rec = getattr(out, name, None)
        data = getattr(rec, "data", None)
        total += int(getattr(data, "nbytes", 0))
    return total


def read_cached(digest: str, names: tuple[str, ...], fs: float | None, options_json: str,
                _files: tuple[tuple[str, bytes], ...]) -> Recording:
    """Read once per (content, names, fs, options); the Recording is immutable, so sharing is safe.

    ``names`` is part of the key: a single file's digest covers its bytes only, and the name
    steers the reader (suffix fallback) and becomes ``rec.source``. ``_files`` (the bytes, or a
    lazy sequence of them) is read only on a miss. The store is shared by every session of the
    server and bounded by bytes (:func:`cache_budget_bytes`, together with the processing cache;
    least recently used first out), entries (:data:`CACHE_MAX_ENTRIES`) and idle time
    (:data:`CACHE_TTL_S`). Sessions asking for the same key at once read it once. A read error is
    raised and nothing is stored.
    """
    key = f"read|{digest}|{names}|{fs}|{options_json}"
    rec = _cached(key, lambda: read_files(list(_files), fs=fs, **json.loads(options_json)),
                  lambda rec: rec.data.nbytes, "Reading the recording…")
    _note_read(key, rec)
    if rec.data.size >= td_kernel.LOAD_MIN_VALUES:
        td_kernel.warm_up_async()   # the feature kernel loads while the recording is filtered
    return rec


def _proc_key(rec_key: str, settings_json: str) -> str:
    return f"proc|{rec_key}|{settings_json}"


def process_cached(rec_key: str, settings_json: str, _rec: Recording):
    """``preprocess`` once per (recording and channels, settings); the result is immutable.

    Shares the store (and the byte budget) of :func:`read_cached`. Storing it never evicts the recording as read that
    it was computed from (which this session holds anyway): over a budget smaller than one
    recording and its processed copies, the two evicted each other and every rerun read and
    filtered the file again. Its size is the filtered and envelope samples (``rectified`` is
    computed on access). Room for the filtered samples (float64, the recording's shape) is made before
    filtering: the copy it replaces is evicted first, never held beside it."""
    key = _proc_key(rec_key, settings_json)
    settings = Settings.from_dict(json.loads(settings_json))
    return _cached(key, lambda: preprocess(_rec, settings), _processed_bytes, _filtering_text(_rec, settings),
                   keep=_read_key_of(_rec), reserve=_rec.data.size * 8)  # the filtered samples: float64, as the input


def process_lazy(rec_key: str, settings_json: str, _rec: Recording):
    """The processing of :func:`process_cached`, fetched only when its samples are first read.

    The effective settings and the warnings come at once (they need no filtering); the filtered
    samples, the envelope and what is derived from them are fetched from the store (computed when it
    no longer holds them) on the first read (:class:`~emgviz.views.context.LazyProcessed`). A view
    whose products for these settings are cached (the Overview's figure and table) thus never makes
    the store hold, or compute again, a processed copy it does not read. Raises as
    :func:`~emgviz.pipeline.preprocess` does for inputs it refuses (a ValueError for settings the
    recording cannot take), before anything is computed.
    """
    from ..pipeline import _check_inputs, _effective
    from .context import LazyProcessed

    settings = Settings.from_dict(json.loads(settings_json))
    _store().touch(_proc_key(rec_key, settings_json))  # in use by this session: the last to be evicted
    _check_inputs(_rec, settings)
    _, effective, warnings = _effective(_rec, settings)
    return LazyProcessed(_rec, effective, tuple(warnings), lambda: process_cached(rec_key, settings_json, _rec))


def _filtering_text(rec: Recording, settings: Settings) -> str:
    """What the spinner says while a recording is filtered: how much, and with what."""
    minutes = rec.duration_s / 60
    span = f"{minutes:.0f} min" if minutes >= 1 else f"{rec.duration_s:.0f} s"
    parts = [f"band-pass {settings.low_hz:g}–{settings.high_hz:g} Hz"] if settings.bandpass else []
    if settings.notch_hz:
        parts.append(f"notch {settings.notch_hz:g} Hz")
    what = ", ".join(parts)
    return f"Filtering {rec.n_channels} channels × {span}" + (f" ({what})" if what else "") + "…"


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


#: At most this many feature tables are cached (``st.cache_data``'s max_entries of :func:`features_cached`).
FEATURES_MAX_ENTRIES = 16
#: (recording key, settings key) of the tables asked of :func:`features_cached` lately, newest last: the
#: ones its cache most likely holds. Shared by every session of the server (hence the lock).
_features_asked: dict[tuple[str, str], None] = {}
_features_asked_lock = threading.Lock()


def features_asked(key: str, settings_json: str) -> bool:
    """True when the table of (``key``, ``settings_json``) was asked of :func:`features_cached` lately
    (by any view or session), so its cache most likely holds it: nothing needs to be computed ahead."""
    with _features_asked_lock:
        return (key, settings_json) in _features_asked


def features_cached(key: str, settings_json: str, _filtered):
    """``feature_table`` of a filtered recording (``key`` and the settings say which), cached.

    ``_filtered``: the filtered Recording, or a processed recording (its ``.filtered`` is read only
    when the table is not cached: a :class:`~emgviz.views.context.LazyProcessed` is then not fetched).
    The ask is noted for :func:`features_asked`.
    """
    asked = (key, settings_json)
    with _features_asked_lock:
        _features_asked.pop(asked, None)
        _features_asked[asked] = None
        while len(_features_asked) > FEATURES_MAX_ENTRIES:
            _features_asked.pop(next(iter(_features_asked)))
    return _features_table(key, settings_json, _filtered)


@st.cache_data(max_entries=FEATURES_MAX_ENTRIES, show_spinner=False)
def _features_table(key: str, settings_json: str, _filtered):
    from ..features import feature_table

    return feature_table(_filtered if isinstance(_filtered, Recording) else _filtered.filtered)


def cache_store() -> ByteLRU:
    """The server's store of read and processed recordings (keys, bytes, hits, misses, evictions)."""
    return _store()
