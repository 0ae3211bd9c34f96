"""Teach → Needle EMG lesson: insertion, rest, minimal and stronger contraction for a normal, a
myopathic and a neurogenic muscle, with sound, and emgviz's analyses scored against the truth.

Only wires widgets to :mod:`emgviz.simulate.lesson`, :mod:`emgviz.plotting.needle_lesson` and
:mod:`emgviz.audio`.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import streamlit as st

from ..audio import to_wav
from ..plotting.needle_lesson import FONT_PX, STAGES, sweep_figure, trace_figure
from ..simulate.lesson import lesson_stage
from ..simulate.presets import NEEDLE_PRESETS

_STAGE = {s.key: s for s in STAGES}
_K = "needle_lesson_"


@st.cache_resource(max_entries=16, show_spinner="Simulating the muscle…")
def _stage_cached(preset: str, stage: str, seed: int):
    return lesson_stage(preset, stage, seed=seed)


@st.cache_data(max_entries=16, show_spinner=False)
def _wav_cached(preset: str, stage: str, seed: int) -> bytes:
    rec = _stage_cached(preset, stage, seed).sim.recording
    return to_wav(rec.data[0], rec.fs)


def _big(text: str, *, weight: int = 400) -> None:
    """A caption at ≥ 20 px, legible from the back of a hall (the text is escaped)."""
    st.markdown(f'<p style="font-size:{FONT_PX + 2}px;line-height:1.35;font-weight:{weight};margin:0.2em 0">'
                f"{html.escape(text)}</p>", unsafe_allow_html=True)


def _table(df: pd.DataFrame, key: str) -> None:
    st.dataframe(df.round(2), hide_index=True, key=_K + key, width="stretch")


def _spontaneous(result) -> None:
    found, score = result.spontaneous, result.spontaneous_score
    truth = result.sim.truth.spontaneous
    if truth.empty and found.empty:
        _big("Nothing fires at rest: electrical silence, as in a healthy relaxed muscle. "
             "The detector found no events either.")
        return
    _big("Spontaneous activity found by emgviz.spontaneous_activity, scored against the simulator's truth "
         "(a potential is found within 5 ms of its peak; a run by overlap):")
    _table(score, "score")
    if not found.empty:
        summary = found.groupby("type").agg(events=("time_s", "size"), rate_hz=("rate (Hz)", "median"),
                                            amplitude_uv=("amplitude (µV)", "median")).reset_index()
        summary.columns = ["type", "events", "median rate (Hz)", "median amplitude (µV)"]
        _table(summary, "found")


def _mups(result) -> None:
    mups, score = result.mups, result.mup_score
    if mups is None or mups.table.empty:
        _big("No motor-unit potential stood out for analysis in this stretch.")
        return
    k = 0
    m = mups.measures[k]
    st.plotly_chart(sweep_figure(mups.t_ms, mups.snippets[k], mups.templates[k],
                                 onset_ms=float(mups.table.iloc[k]["Onset (ms)"]),
                                 end_ms=float(mups.table.iloc[k]["End (ms)"]),
                                 title=f"MUP 1, triggered: {m.amplitude_uv:.0f} µV, {m.duration_ms:.1f} ms, "
                                       f"{m.phases} phases"),
                    key=_K + "sweep", width="stretch")
    _big("MUP analysis (emgviz.muap_table) beside the true unit each MUP belongs to "
         "(true values: the unit's template measured the same way, without noise):")
    _table(score, "mups")


def _recruitment(result) -> None:
    units = result.sim.truth.units
    active = units[units["n_discharges"] > 0]
    _big(f"{len(active)} of {len(units)} motor units near the needle fire at this force; "
         f"the fastest at {active['set_rate_hz'].max():.0f} Hz.")
    show = active[["unit", "set_rate_hz", "amplitude_uv", "n_discharges"]].rename(columns={
        "set_rate_hz": "firing rate (Hz)", "amplitude_uv": "MUP amplitude (µV)", "n_discharges": "discharges"})
    _table(show, "units")


def render() -> None:
    """Draw the Needle EMG lesson (keys start with ``needle_lesson_``)."""
    st.markdown("### Needle EMG: a lesson in four steps")
    c = st.columns([3, 4])
    preset = c[0].radio("Muscle", tuple(NEEDLE_PRESETS), key=_K + "preset", horizontal=True,
                        format_func=str.capitalize)
    stage = c[1].radio("Step", tuple(_STAGE), key=_K + "stage", horizontal=True,
                       format_func=lambda k: _STAGE[k].title)
    seed = int(st.session_state.get(_K + "seed", 0))
    info = _STAGE[stage]
    try:
        result = _stage_cached(preset, stage, seed)
        wav = _wav_cached(preset, stage, seed)
    except Exception as exc:  # noqa: BLE001 - shown, never a traceback
        st.error(f"Cannot build this step of the lesson: {exc}")
        return
    rec = result.sim.recording
    _big(f"{info.title} · {NEEDLE_PRESETS[preset].description}", weight=600)
    _big(info.caption)
    truth = result.sim.truth.spontaneous
    found = result.spontaneous
    start = 0.0
    if stage == "insertion" and not truth.empty:
        ins = truth[truth["type"] == "insertional"]
        start = max(float(ins["time_s"].iloc[0]) - 0.1, 0.0) if len(ins) else 0.0
    x_uv = rec.data[0] * 1e6
    st.plotly_chart(trace_figure(x_uv, rec.fs, start_s=start, window_s=info.window_s,
                                 ms_per_div=info.ms_per_div,
                                 title=f"Concentric needle, {rec.fs / 1000:g} kHz",
                                 truth_s=truth["time_s"].tolist(),
                                 found_s=[] if found is None else found["time_s"].tolist()),
                    key=_K + "trace", width="stretch")
    _big(f"Listen ({rec.duration_s:g} s, real time):")
    st.audio(wav, format="audio/wav")
    if stage in ("insertion", "rest"):
        _spontaneous(result)
    elif stage == "minimal":
        _mups(result)
    else:
        _recruitment(result)
