"""Teach view: a synthetic EMG with chosen artefacts, taken through the pipeline step by step.

Only wires widgets to :mod:`emgviz.simulate`, :mod:`emgviz.pipeline`,
:mod:`emgviz.plotting.teach`, :mod:`emgviz.onsets` and :mod:`emgviz.audio`. Every widget
key starts with ``teach_``.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import streamlit as st

from .text import md
from ..audio import to_wav
from ..onsets import DETECTION_METHODS, detect_bursts
from ..pipeline import steps as pipeline_steps
from ..plotting.teach import step_figures, step_kind
from ..recording import Recording
from ..settings import Settings
from ..simulate import PROFILES, score_onsets, simulate

__all__ = ["render", "sim_params", "DEFAULTS"]

#: Default value of every simulator widget (key without the "teach_" prefix).
DEFAULTS = {
    "profile": "bursts", "level": 0.5, "duration_s": 10, "fs": 2000, "n_units": 100, "n_channels": 2,
    "fatigue": 0.0, "seed": 0, "mains": "50 Hz", "mains_uv": 100, "noise": True, "snr_db": 20,
    "dc_mv": 0.0, "wander_uv": 0, "motion_uv": 0, "ecg_uv": 0, "clip_mv": 0.0, "dropouts": 0,
    "notch": "Match mains", "low_hz": 20.0, "high_hz": 450.0, "method": "threshold", "channel": 0,
}
_LECTURE_KEYS = ("profile", "level", "mains", "noise", "snr_db")
_NOTCH_OPTIONS = ("Match mains", "Off", "50 Hz", "60 Hz")
_TOLERANCE_S = 0.25


def _k(name: str) -> str:
    return f"teach_{name}"


def _value(name: str):
    return st.session_state.get(_k(name), DEFAULTS[name])


def sim_params(values: dict) -> dict:
    """The :func:`emgviz.simulate.simulate` keyword arguments (JSON-safe) for the widget values.

    Parameters
    ----------
    values : dict
        Widget values by name (see :data:`DEFAULTS`); missing ones take the defaults.
        Amounts: mains in µV, DC in mV, wander/motion/ECG in µV, clipping in mV (0 = off).

    Returns
    -------
    dict

    Examples
    --------
    >>> sim_params({"mains": "60 Hz", "noise": False})["artefacts"]
    {'mains': {'hz': 60.0, 'amplitude': 0.0001}}
    """
    v = {**DEFAULTS, **values}
    art: dict = {}
    if v["mains"] != "Off" and v["mains_uv"] > 0:
        art["mains"] = {"hz": float(str(v["mains"]).split()[0]), "amplitude": float(v["mains_uv"]) / 1e6}
    if v["dc_mv"]:
        art["dc"] = {"offset": float(v["dc_mv"]) / 1e3}
    if v["wander_uv"]:
        art["wander"] = {"amplitude": float(v["wander_uv"]) / 1e6}
    if v["motion_uv"]:
        art["motion"] = {"amplitude": float(v["motion_uv"]) / 1e6}
    if v["ecg_uv"]:
        art["ecg"] = {"amplitude": float(v["ecg_uv"]) / 1e6}
    if v["noise"]:
        art["noise_snr_db"] = {"snr_db": float(v["snr_db"])}
    if v["clip_mv"]:
        art["clipping"] = {"level": float(v["clip_mv"]) / 1e3}
    if v["dropouts"]:
        art["dropouts"] = {"count": int(v["dropouts"])}
    return {"fs": float(v["fs"]), "duration_s": float(v["duration_s"]), "profile": str(v["profile"]),
            "level": float(v["level"]), "fatigue": float(v["fatigue"]), "n_channels": int(v["n_channels"]),
            "n_units": int(v["n_units"]), "artefacts": art or None, "seed": int(v["seed"])}


@st.cache_data(max_entries=16, show_spinner="Simulating…")
def _simulate_cached(params_json: str):
    return simulate(**json.loads(params_json))


@st.cache_resource(max_entries=8, show_spinner="Filtering…")
def _steps_cached(params_json: str, settings_json: str, _rec: Recording):
    return pipeline_steps(_rec, Settings.from_dict(json.loads(settings_json)))


@st.cache_data(max_entries=16, show_spinner="Detecting onsets…")
def _detect_cached(params_json: str, settings_json: str, method: str, _filtered: Recording):
    return detect_bursts(_filtered, method=method)


@st.cache_resource(max_entries=8, show_spinner="Drawing…")
def _figures_cached(params_json: str, settings_json: str, method: str, channel: int, large: bool,
                    detected_ok: bool, _stages, _settings: Settings, _true, _detected):
    """The step figures (Plotly figures are never changed after this, so they are shared)."""
    return step_figures(_stages, fs=_stages[0][1].fs, settings=_settings, channel=channel, large=large,
                        true_onsets_s=_true, detected_onsets_s=_detected)


@st.cache_data(max_entries=16, show_spinner=False)
def _wav_cached(params_json: str, settings_json: str, which: str, channel: int, _x) -> bytes:
    return to_wav(_x, json.loads(params_json)["fs"])


def _open_in_browser(params: dict) -> None:
    st.session_state["emgviz_sim_params"] = params
    st.session_state["source"] = "Synthetic"
    st.session_state["view"] = "Browse"


def _on_profile() -> None:
    if st.session_state.get(_k("profile")) == "fatigue" and not st.session_state.get(_k("fatigue")):
        st.session_state[_k("fatigue")] = 0.3


def _keep_hidden_values() -> None:
    """Widgets not drawn in a run lose their state; re-assigning keeps lecture-hidden values."""
    for name in DEFAULTS:
        key = _k(name)
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _controls(lecture: bool, own_filters: bool) -> None:
    c = st.columns(4)
    c[0].selectbox("Contraction", PROFILES, key=_k("profile"), on_change=_on_profile,
                   help="bursts: on/off contractions; ramp: up then down; sustained: one hold; "
                        "fatigue: a hold during which conduction velocity falls; rest: no contraction.")
    c[1].slider("Contraction level (fraction of maximum)", 0.05, 1.0, step=0.05, key=_k("level"))
    c[2].radio("Mains hum", ("Off", "50 Hz", "60 Hz"), key=_k("mains"), horizontal=True)
    with c[3]:
        st.toggle("Amplifier noise", key=_k("noise"))
        st.slider("Signal-to-noise (dB)", 0, 40, key=_k("snr_db"), disabled=not _value("noise"))
    if lecture:
        return
    with st.expander("Muscle and recording", expanded=True):
        c = st.columns(5)
        c[0].slider("Duration (s)", 2, 30, key=_k("duration_s"))
        c[1].selectbox("Sampling rate (Hz)", (1000, 2000, 4000), key=_k("fs"))
        c[2].slider("Motor units", 20, 300, step=10, key=_k("n_units"))
        c[3].slider("Channels", 1, 8, key=_k("n_channels"))
        c[4].slider("Fatigue (conduction velocity lost)", 0.0, 0.5, step=0.05, key=_k("fatigue"),
                    help="MUAPs widen as conduction slows, so the spectrum drifts down during effort.")
    with st.expander("Artefacts", expanded=True):
        c = st.columns(7)
        c[0].slider("Hum amplitude (µV)", 0, 500, step=10, key=_k("mains_uv"))
        c[1].slider("DC offset (mV)", 0.0, 10.0, step=0.5, key=_k("dc_mv"))
        c[2].slider("Baseline wander (µV)", 0, 2000, step=50, key=_k("wander_uv"))
        c[3].slider("Movement artefact (µV)", 0, 3000, step=100, key=_k("motion_uv"))
        c[4].slider("ECG crosstalk (µV)", 0, 1000, step=25, key=_k("ecg_uv"))
        c[5].slider("Clipping level (mV, 0 = off)", 0.0, 3.0, step=0.05, key=_k("clip_mv"))
        c[6].slider("Dropouts", 0, 10, key=_k("dropouts"))
    c = st.columns(4 if own_filters else 2)
    c[0].number_input("Seed", 0, 10_000, key=_k("seed"))
    c[1].selectbox("Onset detector", DETECTION_METHODS, key=_k("method"))
    if own_filters:
        c[2].selectbox("Notch", _NOTCH_OPTIONS, key=_k("notch"))
        with c[3]:
            lo, hi = st.columns(2)
            lo.number_input("Low (Hz)", 1.0, 200.0, step=5.0, key=_k("low_hz"))
            hi.number_input("High (Hz)", 50.0, 1900.0, step=10.0, key=_k("high_hz"))


def _view_settings(params: dict) -> Settings:
    notch = _value("notch")
    if notch == "Match mains":
        mains = (params["artefacts"] or {}).get("mains")
        notch_hz = mains["hz"] if mains else None
    else:
        notch_hz = None if notch == "Off" else float(notch.split()[0])
    return Settings(low_hz=float(_value("low_hz")), high_hz=float(_value("high_hz")), notch_hz=notch_hz)


def _score_table(detected, truth):
    table = score_onsets(detected, truth, tolerance_s=_TOLERANCE_S)
    return table.rename(columns={"hits": "hits", "misses": "misses", "false_alarms": "false alarms",
                                 "mean_error_ms": "mean timing error (ms)",
                                 "mean_abs_error_ms": "mean |error| (ms)"})


def _csv_bytes(rec: Recording) -> bytes:
    from ..io.write import write_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "simulated.csv"
        write_file(rec, path, format="csv")
        return path.read_bytes()


def _npz_bytes(rec: Recording) -> bytes:
    from ..io.npz import write_npz

    buf = io.BytesIO()
    write_npz(rec, buf)
    return buf.getvalue()


def render(*, settings: Settings | None = None) -> None:
    """Draw the Teach view.

    Parameters
    ----------
    settings : Settings, default=None
        Processing settings from the app's sidebar. None: the view draws its own notch and
        band-pass controls (keys ``teach_notch``, ``teach_low_hz``, ``teach_high_hz``).
    """
    _keep_hidden_values()
    for name, value in DEFAULTS.items():
        st.session_state.setdefault(_k(name), value)
    st.markdown("#### Teach: a synthetic muscle, step by step")
    lecture = st.toggle("Lecture view", key="teach_lecture",
                        help="Large fonts, thick lines, colour-blind-safe colours and only the main controls.")
    try:
        _controls(lecture, own_filters=settings is None)
        params = sim_params({name: _value(name) for name in DEFAULTS})
        params_json = json.dumps(params, sort_keys=True)
        sim = _simulate_cached(params_json)
        rec = sim.recording
        eff = settings if settings is not None else _view_settings(params)
        settings_json = json.dumps(eff.to_dict(), sort_keys=True)
        stages = _steps_cached(params_json, settings_json, rec)
        channel = 0
        if int(st.session_state.get(_k("channel"), 0)) >= rec.n_channels:
            st.session_state[_k("channel")] = 0
        if rec.n_channels > 1 and not lecture:
            channel = st.selectbox("Channel to draw", range(rec.n_channels), key=_k("channel"),
                                   format_func=lambda i: rec.ch_names[i])
        channel = min(int(channel), rec.n_channels - 1)
        filtered = next((r for lab, r in reversed(stages) if step_kind(lab) in ("notch", "bandpass")),
                        stages[0][1])
        method = _value("method")
        name = rec.ch_names[channel]
        truth = sim.truth.bursts
        try:
            detected = _detect_cached(params_json, settings_json, method, filtered)
            detect_error = None
        except ValueError as exc:
            detected, detect_error = None, str(exc)
        figures = _figures_cached(
            params_json, settings_json, method, channel, bool(lecture), detected is not None, stages, eff,
            truth.loc[truth["channel"] == name, "onset_s"].tolist(),
            None if detected is None else detected.loc[detected["channel"] == name, "onset_s"].tolist())
    except Exception as exc:  # noqa: BLE001 - any failure is shown, never a traceback
        st.error(f"Cannot build the teaching example: {exc}")
        return

    st.caption(f"{rec.n_channels} channel(s) × {rec.duration_s:g} s at {rec.fs:g} Hz, "
               f"{params['n_units']} motor units · pipeline: {eff.describe()}")
    for i, (label, time_fig, spec_fig, caption) in enumerate(figures):
        st.markdown(f"##### {i + 1}. {label}")
        left, right = st.columns(2)
        left.plotly_chart(time_fig, key=f"teach_step_{i}_time", width="stretch")
        right.plotly_chart(spec_fig, key=f"teach_step_{i}_spectrum", width="stretch")
        if lecture:
            st.markdown(f"#### {md(caption)}")
        else:
            st.caption(caption)

    try:
        st.markdown("##### Listen")
        a, b = st.columns(2)
        a.caption("Raw (as recorded)")
        a.audio(_wav_cached(params_json, settings_json, "raw", channel, rec.data[channel]), format="audio/wav")
        b.caption("Filtered (after band-pass and notch)")
        b.audio(_wav_cached(params_json, settings_json, "filtered", channel, filtered.data[channel]),
                format="audio/wav")

        st.markdown("##### Onsets found vs the truth")
        if detect_error:
            raise ValueError(detect_error)
        table = _score_table(detected, sim.truth.bursts)
        st.dataframe(table, hide_index=True, key=_k("score_table"))
        st.caption(f"Detector: {method}, on the filtered signal. A hit is a detected onset within "
                   f"{_TOLERANCE_S * 1000:g} ms of a true one (where the drive reaches the first motor unit); "
                   f"timing error = detected − true.")
    except Exception as exc:  # noqa: BLE001
        st.error(f"Cannot score the onsets: {exc}")

    st.markdown("##### Take it further")
    c = st.columns(3)
    c[0].download_button("Download CSV", data=lambda: _csv_bytes(rec), file_name="simulated_emg.csv",
                         mime="text/csv", key=_k("download_csv"), on_click="ignore")
    c[1].download_button("Download NPZ", data=lambda: _npz_bytes(rec), file_name="simulated_emg.npz",
                         mime="application/octet-stream", key=_k("download_npz"), on_click="ignore")
    c[2].button("Open in the browser and summaries", key=_k("open_browser"), on_click=_open_in_browser,
                args=(params,), help="Load this simulated recording as the app's source and switch to Browse.")
