"""The Needle EMG lesson's content, without Streamlit: each stage of the examination simulated for a
preset, analysed with emgviz's own needle tools and scored against the simulator's truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .needle import NeedleSimulation, simulate_needle
from .presets import NEEDLE_PRESETS
from .scoring import score_events

__all__ = ["LessonStage", "lesson_stage", "STAGE_KEYS", "mup_vs_truth"]

#: The examination's steps, in order.
STAGE_KEYS = ("insertion", "rest", "minimal", "strong")
_FORCE = {"insertion": 0.0, "rest": 0.0, "minimal": 0.1, "strong": 0.6}
_DURATION = {"insertion": 3.0, "rest": 6.0, "minimal": 6.0, "strong": 3.0}


@dataclass(frozen=True, eq=False)
class LessonStage:
    """One stage of one preset: the simulation and what the analyses found.

    Attributes
    ----------
    sim : NeedleSimulation
    spontaneous : DataFrame or None
        :func:`emgviz.spontaneous_activity` on the recording (insertion and rest).
    spontaneous_score : DataFrame or None
        Its event F1 per type against the truth (:func:`score_events`).
    mups : MupAnalysis or None
        :func:`emgviz.needle.muap_analysis` (minimal contraction).
    mup_score : DataFrame or None
        Each MUP found beside the true unit it belongs to (:func:`mup_vs_truth`).
    active_units : int
        Units firing in the stage.
    """

    sim: NeedleSimulation
    spontaneous: pd.DataFrame | None
    spontaneous_score: pd.DataFrame | None
    mups: object | None
    mup_score: pd.DataFrame | None
    active_units: int


def lesson_stage(preset: str, stage: str, *, fs: float = 20_000.0, seed: int = 0) -> LessonStage:
    """Simulate and analyse one stage of the examination for a preset.

    Insertion adds one burst of insertional activity (plus the preset's spontaneous activity
    in a diseased muscle); rest adds the preset's spontaneous activity; the contractions use
    forces 0.1 (minimal) and 0.6 (stronger).

    Examples
    --------
    >>> st = lesson_stage("neurogenic", "rest", fs=10_000)
    >>> set(st.sim.truth.spontaneous["type"]) >= {"fibrillation", "positive_sharp_wave"}
    True
    """
    from ..needle import muap_analysis, spontaneous_activity

    if stage not in STAGE_KEYS:
        raise ValueError(f"stage must be one of {STAGE_KEYS}, got {stage!r}")
    p = NEEDLE_PRESETS[preset] if preset in NEEDLE_PRESETS else None
    if p is None:
        raise ValueError(f"preset must be one of {tuple(NEEDLE_PRESETS)}, got {preset!r}")
    spont: dict = {}
    if stage in ("insertion", "rest"):
        spont = dict(p.spontaneous)
    if stage == "insertion":
        spont["insertional"] = 1
    sim = simulate_needle(preset, force=_FORCE[stage], duration_s=_DURATION[stage], fs=fs,
                          spontaneous=spont, seed=seed)
    found = score = mups = mup_score = None
    if stage in ("insertion", "rest"):
        # the examiner knows the muscle is relaxed in these stages: the whole trace is rest
        found = spontaneous_activity(sim.recording, rest=[(0.0, sim.recording.duration_s)])
        score = score_events(found, sim.truth.spontaneous)
    if stage == "minimal":
        mups = muap_analysis(sim.recording)
        mup_score = mup_vs_truth(mups, sim)
    active = int((sim.truth.units["n_discharges"] > 0).sum())
    return LessonStage(sim, found, score, mups, mup_score, active)


def mup_vs_truth(mups, sim: NeedleSimulation, *, tolerance_s: float = 0.001) -> pd.DataFrame:
    """Each MUP found beside the true unit whose discharges it matches best.

    A MUP's discharge (its main peak) matches a unit's when it lies within ``tolerance_s`` of
    the unit's discharge time plus the time of its template's largest peak. The true
    amplitude, duration and phases are those of the unit's template, filtered and measured
    with the same definitions (:func:`emgviz.needle.measure_template`).

    Returns
    -------
    DataFrame
        ``MUP``, ``unit``, ``matched (%)`` (of the MUP's discharges), ``Amplitude (µV)`` found
        / ``true``, ``Duration (ms)`` found / ``true``, ``Phases`` found / ``true``,
        ``Firing rate (Hz)`` found / ``set``.
    """
    from ..needle import measure_template, needle_filter

    tr = sim.truth
    fs = sim.recording.fs
    rows = []
    for k, row in mups.table.reset_index(drop=True).iterrows():
        times = np.asarray(mups.discharge_s[k])
        best, best_n = None, 0
        for u in tr.units.itertuples():
            if u.n_discharges == 0:
                continue
            peaks = tr.discharges.loc[tr.discharges["unit"] == u.unit, "time_s"].to_numpy() + u.peak_ms / 1e3
            idx = np.clip(np.searchsorted(peaks, times), 1, max(peaks.size - 1, 1))
            near = np.minimum(np.abs(times - peaks[idx - 1]), np.abs(times - peaks[np.minimum(idx, peaks.size - 1)]))
            n = int((near <= tolerance_s).sum())
            if n > best_n:
                best, best_n = u, n
        out = {"MUP": int(row["MUP"]), "unit": None if best is None else int(best.unit),
               "matched (%)": 100.0 * best_n / max(times.size, 1),
               "Amplitude (µV)": row["Amplitude (µV)"], "true amplitude (µV)": np.nan,
               "Duration (ms)": row["Duration (ms)"], "true duration (ms)": np.nan,
               "Phases": row["Phases"], "true phases": np.nan,
               "Firing rate (Hz)": row["Firing rate (Hz)"], "set rate (Hz)": np.nan}
        if best is not None:
            pad = np.zeros(int(0.03 * fs))
            x, _ = needle_filter(np.concatenate([pad, tr.templates[best.unit], pad]) * 1e6, fs)
            m = measure_template(x, fs)
            out.update({"true amplitude (µV)": m.amplitude_uv, "true duration (ms)": m.duration_ms,
                        "true phases": m.phases, "set rate (Hz)": best.set_rate_hz})
        rows.append(out)
    return pd.DataFrame(rows)
