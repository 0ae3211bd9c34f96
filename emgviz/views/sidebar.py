"""The sidebar: where the recording comes from, which channels, and the processing settings.

Loading and processing are cached at the I/O boundary (keyed on the file's SHA-256 and the
settings; the caches live in :mod:`.cache`, shared with the Compare view), so widget changes
elsewhere never reload or reprocess.
"""

from __future__ import annotations

import hashlib
import json
from typing import NamedTuple

import streamlit as st

from .. import samples
from ..errors import NeedsChoice, NeedsSamplingRate, ReadError
from ..io import supported_formats
from ..io.summary import describe, flat_channels
from ..recording import Recording
from ..settings import ENVELOPE_METHODS, MAINS_HZ, NOTCH_CHOICES, SETTINGS_PRESETS, Settings
from .cache import file_digest as _digest
from .cache import process_lazy as _process_lazy
from .cache import read_cached as _read_cached
from .cache import read_key as _read_key
from .cache import rec_key as _rec_key
from .cache import settings_key as _settings_key
from .context import ViewContext, per_recording
from .links import (SETTING_KEYS, SOURCES, WIDGET_RANGES, _SAMPLE_TITLES, _in_range, _widget_value,  # noqa: F401
                    apply_query_params, keep_settings, write_query_params)
from .text import md

#: Files with at least this many channels hide their flat channels by default.
FLAT_HIDE_FROM = 8

# ---- cached I/O and processing (reading and processing: .cache) ---------------------------------
@st.cache_resource(max_entries=8, show_spinner="Simulating…")
def _simulate_cached(params_json: str) -> Recording:
    from ..simulate import simulate

    return simulate(**json.loads(params_json)).recording


# ---- source -----------------------------------------------------------------------------------
class Loaded(NamedTuple):
    """A recording as read, with the keys that identify it."""

    rec: Recording
    name: str
    digest: str  #: SHA-256 of the file bytes (shown in reports)
    read_key: str  #: digest + the reader options used (fs, unit, choices): the cache key
    read_options: dict | None = None  #: the reader options used: {"fs": ..., "options": {...}}


def load_source() -> Loaded | None:
    """Sidebar source picker. Returns the loaded recording, or None (a message is shown)."""
    sb = st.sidebar
    source = sb.radio("Source", SOURCES, key="source", horizontal=True)
    if source == "Sample":
        key = sb.selectbox("Bundled recording", list(_SAMPLE_TITLES), key="sample",
                           format_func=_SAMPLE_TITLES.get)
        files = samples.sample_files(key)
        loaded = _read_with_prompts(files, name=files[0][0], defaults=dict(samples.get_sample(key).read_options))
        _propose_needle_preset(loaded)
        return loaded
    if source == "Needle examples":  # the three emgdb needle records; the Needle view shows them side by side
        key = sb.selectbox("Needle recording (other views)", list(samples.NEEDLE_SAMPLES), key="needle_sample",
                           format_func=_SAMPLE_TITLES.get)
        files = samples.sample_files(key)
        loaded = _read_with_prompts(files, name=files[0][0])
        _propose_needle_preset(loaded)
        return loaded
    if source == "Upload":
        loaded = _load_upload(sb)
        _propose_needle_preset(loaded)
        return loaded
    # Synthetic: the Teach view's simulation (its defaults until it sends one)
    from .teach import sim_params

    params = {**sim_params({}), **(st.session_state.get("emgviz_sim_params") or {})}
    sb.caption("Synthetic EMG from the motor-unit model (shape it in the Teach view).")
    params["seed"] = int(sb.number_input("Seed", 0, 10_000, int(params["seed"]), key="synthetic_seed"))
    params_json = json.dumps(params, sort_keys=True)
    try:
        rec = _simulate_cached(params_json)
    except (ImportError, ValueError) as exc:
        st.error(md(f"Cannot simulate: {exc}"))
        return None
    digest = hashlib.sha256(params_json.encode()).hexdigest()
    return Loaded(rec, "synthetic EMG", digest, digest)


def _apply_preset(name: str) -> None:
    """Widget callback: put a row of SETTINGS_PRESETS into the settings widgets."""
    values = Settings.from_preset(name).to_dict()
    for field, value in values.items():
        st.session_state[SETTING_KEYS[field]] = _widget_value(field, value)


def _propose_needle_preset(loaded) -> None:
    """When the file says it is a needle recording and the needle preset is not in use, propose it."""
    from ..quality import is_needle

    if loaded is None or not is_needle(loaded.rec):
        return
    k = SETTING_KEYS
    if st.session_state.get(k["low_hz"]) == 10.0 and st.session_state.get(k["high_hz"]) == 10000.0:
        return
    st.sidebar.info("This file says it is a needle recording: the needle preset (10 Hz – 10 kHz, no notch, "
                    "order 2) keeps its spikes; the surface band 20–450 Hz shrinks them.")
    st.sidebar.button("Use the needle preset", key="use_needle_preset", on_click=_apply_preset, args=("needle",))


def _upload_help() -> str:
    """The uploader's help: the formats of :func:`emgviz.io.supported_formats` (one list for app, CLI, README)."""
    names = list(dict.fromkeys(f["format"] for f in supported_formats()))
    return f"{', '.join(names)}. WFDB: select the .hea and .dat together, or a zip."


_UNIT_CHOICES = {"a.u.": None, "V": "V", "mV": "mV", "µV": "uV"}


#: Uploads of at least this many bytes are taken out of the uploader once received (see :func:`_load_upload`).
HOLD_FROM_BYTES = 16 * 1024 ** 2
_GEN, _HELD = "_upload_generation", "_upload_held"


def _load_upload(sb) -> Loaded | None:
    """The uploaded file(s), read (cached by content).

    Streamlit deep-copies an uploader's files on every rerun (0.8–1.2 s and a transient copy for a
    230 MB upload), so an upload of :data:`HOLD_FROM_BYTES` or more is taken out of it once
    received: its bytes are held in this session and a fresh, empty uploader (a new widget key)
    replaces the old one, for the next file. A new upload replaces the held one; "Close the file"
    lets it go.
    """
    state = st.session_state
    gen = int(state.get(_GEN, 0))
    uploads = sb.file_uploader("EMG file(s)" if state.get(_HELD) is None else "Open another file",
                               key="upload" if gen == 0 else f"upload_{gen}", accept_multiple_files=True,
                               help=_upload_help())
    if uploads:
        names = tuple(u.name for u in uploads)
        digest = _upload_digest(uploads)
        if sum(u.size for u in uploads) >= HOLD_FROM_BYTES:
            state[_HELD] = {"files": [(u.name, u.getvalue()) for u in uploads], "names": names, "digest": digest}
            state[_GEN] = gen + 1
            st.rerun()
        state[_HELD] = None
        return _read_with_prompts(lambda: [(u.name, u.getvalue()) for u in uploads], name=" + ".join(names),
                                  names=names, digest=digest)
    held = state.get(_HELD)
    if held is None:
        st.info("Upload a recording in the sidebar (for WFDB, select the .hea and .dat together).")
        return None
    size_mb = sum(len(b) for _, b in held["files"]) / 1e6
    sb.caption(md(f"Open: {' + '.join(held['names'])} ({size_mb:,.0f} MB, kept on the server)."))
    sb.button("Close the file", key="upload_close", on_click=lambda: state.__setitem__(_HELD, None))
    files = held["files"]
    return _read_with_prompts(lambda: files, name=" + ".join(held["names"]), names=held["names"],
                              digest=held["digest"])


def _upload_digest(uploads) -> str:
    """SHA-256 of the uploaded files, hashed once per upload (a rerun reuses it: hashing 230 MB takes ~0.2 s)."""
    memo = st.session_state.setdefault("_upload_digests", {})
    ident = tuple((u.file_id, u.name, u.size) for u in uploads)
    if ident not in memo:
        memo.clear()  # only the current upload is kept
        memo[ident] = _digest([(u.name, u.getvalue()) for u in uploads])
    return memo[ident]


class _LazyFiles:
    """The ``(name, bytes)`` pairs of the files, fetched only when a cache misses (no copy per rerun)."""

    def __init__(self, fetch):
        self._fetch = fetch

    def __iter__(self):
        return iter(self._fetch())


def _read_with_prompts(files, *, name: str, defaults: dict | None = None, names: tuple | None = None,
                       digest: str | None = None):
    """Read, asking in the sidebar for what the file does not say (fs, a choice, the unit).

    ``files`` is a list of ``(name, bytes)`` or a function returning it (called only when the
    read cache misses), with ``names`` and ``digest`` given.
    """
    if callable(files):
        files = _LazyFiles(files)
    else:
        digest, names = digest or _digest(files), tuple(n for n, _ in files)
    state_key = f"read_opts_{digest[:16]}"
    opts = st.session_state.setdefault(state_key, {"fs": None, "options": dict(defaults or {})})
    while True:
        try:
            rec = _read_cached(digest, names, opts["fs"], json.dumps(opts["options"], sort_keys=True), files)
            _ask_unit(rec, opts, digest)
            _ask_device(rec, opts, digest)
            _ask_group(rec, opts, digest)
            return Loaded(rec, name, digest, _read_key(digest, opts["fs"], opts["options"]),
                          {"fs": opts["fs"], "options": dict(opts["options"])})
        except NeedsSamplingRate as exc:
            st.warning(md(str(exc)))
            fs = st.sidebar.number_input("Sampling rate of this file (Hz)", min_value=1.0, max_value=1e6,
                                         value=None, placeholder="e.g. 1000", key=f"fs_{digest[:16]}")
            if fs is None:
                st.info("Enter the sampling rate in the sidebar to open this file.")
                return None
            opts["fs"] = float(fs)
        except NeedsChoice as exc:
            if exc.option in opts["options"]:
                st.error(md(str(exc)))
                return None
            choice = st.sidebar.selectbox(f"This file holds several options for {exc.option!r}",
                                          exc.candidates, key=f"choice_{exc.option}_{digest[:16]}")
            opts["options"] = {**opts["options"], exc.option: choice}
        except ReadError as exc:
            st.error(md(str(exc)))
            return None


def _ask_unit(rec: Recording, opts: dict, digest: str) -> None:
    """For text files that state no unit, let the user say what the values are (reruns on a change)."""
    note = rec.meta.get("unit_note", "")
    if "unit=" not in note and "unit" not in opts["options"]:
        return  # the file states its unit (or the reader has no unit option)
    current = {v: k for k, v in _UNIT_CHOICES.items()}.get(opts["options"].get("unit"), "a.u.")
    choice = st.sidebar.radio("Unit of the values (the file states none)", list(_UNIT_CHOICES),
                              index=list(_UNIT_CHOICES).index(current), horizontal=True,
                              key=f"unit_{digest[:16]}",
                              help=note or "Set for this bundled file from its source's documentation.")
    if choice == current:
        return
    options = {k: v for k, v in opts["options"].items() if k != "unit"}
    if _UNIT_CHOICES[choice] is not None:
        options["unit"] = _UNIT_CHOICES[choice]
    opts["options"] = options
    st.rerun()


def _ask_group(rec: Recording, opts: dict, digest: str) -> None:
    """A rate-group picker for files holding signals at several rates (EDF/BDF, Delsys, OpenSignals)."""
    groups = dict(rec.meta.get("groups") or {})
    if len(groups) < 2 or rec.meta.get("group") not in groups:
        return
    keys = list(groups)
    current = rec.meta["group"]
    choice = st.sidebar.selectbox(
        "Rate group (this file holds several sampling rates)", keys, index=keys.index(current),
        key=f"group_{digest[:16]}", format_func=lambda k: _group_label(k, groups[k]),
        help="Signals of different rates are never resampled: pick the group to show. "
             "The EMG group is chosen by default.")
    if choice != current:
        opts["options"] = {**opts["options"], "group": choice}
        st.rerun()


def _group_label(key: str, names) -> str:
    names = [str(n) for n in names]
    shown = ", ".join(names[:3]) + (f" … ({len(names)} channels)" if len(names) > 3 else "")
    return f"{key}: {shown}"


_ALL_DEVICES = "All devices"


def _ask_device(rec: Recording, opts: dict, digest: str) -> None:
    """A device picker for files recorded by several devices (OpenSignals): all, or one of them."""
    devices = dict(rec.meta.get("devices") or {})
    if len(devices) < 2:
        return
    keys = [_ALL_DEVICES] + list(devices)
    current = opts["options"].get("device") or _ALL_DEVICES
    choice = st.sidebar.selectbox("Device", keys, index=keys.index(current) if current in keys else 0,
                                  key=f"device_{digest[:16]}",
                                  help="This file holds several devices. 'All devices' shows every device "
                                       "recording at the chosen rate.")
    if choice != current:
        options = {k: v for k, v in opts["options"].items() if k not in ("device", "group")}
        if choice != _ALL_DEVICES:
            options["device"] = choice
        opts["options"] = options
        st.rerun()


# ---- channels and settings --------------------------------------------------------------------
def pick_channels(rec: Recording, digest: str) -> Recording | None:
    """Channel picker: EMG channels by default, the others (force, triggers, ...) can be added.

    In files of many channels (:data:`FLAT_HIDE_FROM` or more), flat channels (constant samples:
    unused inputs) are left out of the list, with their count and one click to show them.
    """
    flat = set(per_recording("flat_channels", rec, flat_channels)) if rec.n_channels >= FLAT_HIDE_FROM else set()
    show_flat = False
    if flat:
        show_flat = st.sidebar.checkbox(
            f"Show {len(flat)} flat channel{'s' if len(flat) != 1 else ''} (constant, hidden)",
            key=f"show_flat_{digest[:16]}",
            help="These channels hold one value throughout (unused inputs); they are hidden to keep the "
                 "plots and the table readable.")
    names = [n for n in rec.ch_names if show_flat or n not in flat]
    default = [n for n, k in zip(rec.ch_names, rec.ch_kinds) if k == "emg" and n in names] or names
    kinds = dict(zip(rec.ch_names, rec.ch_kinds))
    chosen = st.sidebar.multiselect(
        "Channels", names, default=default, key=f"channels_{digest[:16]}_{_names_key(names)}",
        format_func=lambda n: n if kinds[n] == "emg" else f"{n} ({kinds[n]})")
    if not chosen:
        st.info("Pick at least one channel in the sidebar.")
        return None
    if list(chosen) == list(rec.ch_names):
        return rec
    return per_recording("pick", rec, Recording.pick, tuple(chosen))  # no copy of the samples per rerun


def _names_key(names) -> str:
    """A short key of the channel list: the picker starts afresh when a group or device changes it."""
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()[:12]


def processing_settings() -> Settings:
    """Filter and envelope widgets → a validated Settings (bad combinations shown, defaults kept).

    Widget values live in ``st.session_state`` under :data:`SETTING_KEYS`, seeded once from the
    URL by :func:`apply_query_params`; every widget is always drawn (disabled when it does not
    apply) so no value is forgotten when an option is switched off and on again.
    """
    d = Settings()
    k = SETTING_KEYS
    for name, value in d.to_dict().items():
        st.session_state.setdefault(k[name], _widget_value(name, value))
    ex = st.sidebar.expander("Filters and envelope", expanded=True)
    ex.selectbox("Preset", list(SETTINGS_PRESETS), index=None, key="settings_preset", placeholder="Apply a preset…",
                 format_func=lambda p: SETTINGS_PRESETS[p].label,
                 on_change=lambda: st.session_state.get("settings_preset") and _apply_preset(
                     st.session_state["settings_preset"]),
                 help="; ".join(f"{p.label}: {p.reference}" for p in SETTINGS_PRESETS.values()))
    remove_dc = ex.checkbox("Remove DC offset", key=k["remove_dc"])
    bandpass = ex.checkbox("Band-pass (Butterworth, zero-phase)", key=k["bandpass"])
    c1, c2 = ex.columns(2)
    low = c1.number_input("Low (Hz)", *WIDGET_RANGES["low_hz"][:2], step=5.0, key=k["low_hz"], disabled=not bandpass)
    high = c2.number_input("High (Hz)", *WIDGET_RANGES["high_hz"][:2], step=10.0, key=k["high_hz"], disabled=not bandpass)
    order = ex.select_slider("Filter order", options=list(range(1, 11)), key=k["order"], disabled=not bandpass)
    notch_options = ["Off"] + [f"{v:g} Hz" for v in NOTCH_CHOICES if v]
    notch = ex.radio("Mains notch", notch_options, key=k["notch_hz"], horizontal=True,
                     help="Notch the mains frequency and its harmonics ("
                          + "; ".join(f"{hz:g} Hz: {where}" for hz, where in MAINS_HZ.items()) + ").")
    harmonics = ex.number_input("Notch harmonics", 1, 20, key=k["notch_harmonics"], disabled=notch == "Off")
    envelope = ex.radio("Envelope", list(ENVELOPE_METHODS), key=k["envelope"], horizontal=True,
                        format_func=lambda m: ENVELOPE_METHODS[m].label)
    param = ENVELOPE_METHODS[envelope].param  # the one number input this method reads
    c3, c4 = ex.columns(2)
    window = c3.number_input("RMS window (ms)", *WIDGET_RANGES["rms_window_ms"][:2], step=10.0, key=k["rms_window_ms"],
                             disabled=param != "rms_window_ms")
    cutoff = c4.number_input("Low-pass (Hz)", *WIDGET_RANGES["lowpass_hz"][:2], step=1.0, key=k["lowpass_hz"],
                             disabled=param != "lowpass_hz")
    try:
        return Settings(remove_dc=remove_dc, bandpass=bandpass, low_hz=low, high_hz=high, order=order,
                        notch_hz=None if notch == "Off" else float(notch.split()[0]),
                        notch_harmonics=harmonics, notch_q=float(st.session_state[k["notch_q"]]),
                        envelope=envelope, rms_window_ms=window, lowpass_hz=cutoff)
    except ValueError as exc:
        ex.error(md(f"{exc}. Using the default settings until this is fixed."))
        return d


def build_context(loaded: Loaded, rec: Recording, settings: Settings) -> ViewContext:
    """Process (cached) and bundle what the views need; ``rec`` is the picked channels of ``loaded.rec``."""
    rec_full, name, digest = loaded.rec, loaded.name, loaded.digest
    key = _rec_key(loaded.read_key, rec.ch_names)
    processed = _process_lazy(key, _settings_key(settings), rec)  # filtered when a view first reads it
    return ViewContext(rec=rec, full=rec_full, processed=processed, settings=processed.settings, name=name,
                       digest=digest, description=per_recording("describe", rec_full, describe), key=key,
                       read_options=loaded.read_options or {"fs": None, "options": {}})
