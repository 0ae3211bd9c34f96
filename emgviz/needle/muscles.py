"""The per-muscle MUP table: one row per needle channel, its MUP means against the reference values.

What the Summary view, its CSV and the HTML report show for a needle recording: for each EMG channel,
:func:`emgviz.needle_summary` on that channel's :func:`emgviz.muap_table`, with the reference row
and its citation.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .muap import muap_table
from .reference import amplitude_limits, muscle_key
from .summary import needle_summary

__all__ = ["MUSCLE_MUP_COLUMNS", "MIN_NEEDLE_FS", "needle_channels", "muscle_mup_table", "muscle_of"]

#: MUP analysis needs at least this sampling rate in Hz (see :func:`emgviz.muap_table`).
MIN_NEEDLE_FS = 4000.0

#: Columns of :func:`muscle_mup_table`, in order (units in the names).
MUSCLE_MUP_COLUMNS = ("channel", "Muscle", "Age (years)", "MUPs", "Mean duration (ms)", "Mean amplitude (µV)",
                      "Polyphasic (%)", "Reference duration (ms)", "Duration deviation (%)",
                      "Reference amplitude (µV)", "Amplitude upper limit (µV)", "Polyphasic limit (%)",
                      "Pattern", "Statement", "Findings", "Reference", "Reference status")


def needle_channels(rec) -> list[str]:
    """The channels a MUP analysis can run on: the EMG channels (all when none is marked EMG), or none
    when ``rec.fs`` is below :data:`MIN_NEEDLE_FS`."""
    if rec.fs < MIN_NEEDLE_FS:
        return []
    kinds = list(rec.ch_kinds)
    names = list(rec.ch_names)
    return [n for n, k in zip(names, kinds) if k == "emg"] if "emg" in kinds else names


def muscle_of(rec, channel: str, muscle=None) -> str | None:
    """The muscle a channel was recorded from, as free text, or None when nothing says it.

    Order: ``muscle`` (a name for every channel, or a ``{channel: name}`` mapping); the channel's own
    name when the reference table knows it (``"TA"``, ``"biceps"``); ``rec.meta["muscle"]`` (the file's
    header, e.g. the WFDB comment lines).
    """
    if isinstance(muscle, Mapping):
        given = muscle.get(channel)
        if given:
            return str(given)
    elif muscle:
        return str(muscle)
    if muscle_key(channel) is not None:
        return str(channel)
    meta = getattr(rec, "meta", {}) or {}
    return str(meta["muscle"]) if meta.get("muscle") else None


def _empty_row(channel, muscle, age, pattern, statement) -> dict:
    row = dict.fromkeys(MUSCLE_MUP_COLUMNS, np.nan)
    row.update({"channel": channel, "Muscle": muscle or "", "Age (years)": age if age is not None else np.nan,
                "Pattern": pattern, "Statement": statement, "Findings": "", "Reference": "",
                "Reference status": ""})
    return row


def _measured_only(t: pd.DataFrame) -> dict:
    from .muap import POLYPHASIC_MIN

    n = len(t)
    return {"MUPs": n,
            "Mean duration (ms)": float(t["Duration (ms)"].mean()) if n else np.nan,
            "Mean amplitude (µV)": float(t["Amplitude (µV)"].mean()) if n else np.nan,
            "Polyphasic (%)": float(100.0 * (t["Phases"] >= POLYPHASIC_MIN).mean()) if n else np.nan}


def _citation(r) -> str:
    """The reference row in words: muscle, method, age band (when the source states one), source, where read."""
    def given(v) -> bool:
        return v is not None and not (isinstance(v, float) and np.isnan(v)) and str(v) != ""

    band = (f"age {r['age_min']:g}–{r['age_max']:g}" if given(r.get("age_min")) and given(r.get("age_max"))
            else "age band not stated in the source")
    method = r["method"] if given(r.get("method")) else "method not stated"
    where = f" ({r['read_at']})" if given(r.get("read_at")) else ""
    return f"{r['muscle']}, {method}, {band}: {r['source']}{where}"


def muscle_mup_table(rec, channels=None, *, muscle=None, age=None,
                     tables: Mapping[str, pd.DataFrame] | None = None, **options) -> pd.DataFrame:
    """Mean MUP duration, amplitude and % polyphasic MUPs of each needle channel against the reference.

    Each row is :func:`emgviz.needle_summary` of one channel (its ``mean_duration_ms``,
    ``mean_amplitude_uv``, ``pct_polyphasic``, ``pattern`` and ``statements``) and the reference row it
    used (:func:`emgviz.needle.reference_for`: mean duration, mean amplitude, upper limit of normal,
    polyphasic limit, citation and status). The pattern words are statements of measurement, not a
    diagnosis (see :func:`emgviz.needle_summary` for the rules: duration ±20 % of the reference mean,
    Buchthal 1957; amplitude against the upper limit of normal; polyphasic = ≥ 5 phases, Stålberg et
    al. 1986).

    Parameters
    ----------
    rec : Recording
        RAW needle recording in volts, fs ≥ 4 kHz (see :func:`emgviz.muap_table`).
    channels : sequence of str, optional
        Default :func:`needle_channels` (every EMG channel).
    muscle : str or mapping, optional
        The muscle of every channel, or ``{channel: muscle}``; default from the channel name or
        ``rec.meta["muscle"]`` (:func:`muscle_of`).
    age : float, optional
        Age in years; default ``rec.meta["age"]``.
    tables : mapping, optional
        ``{channel: MUP table}`` already computed (:func:`emgviz.muap_table`, e.g. cached by the app);
        other channels are analysed here.
    **options
        Passed to :func:`emgviz.muap_table`.

    Returns
    -------
    DataFrame
        Columns :data:`MUSCLE_MUP_COLUMNS`: ``channel``, ``Muscle``, ``Age (years)``, ``MUPs``,
        ``Mean duration (ms)``, ``Mean amplitude (µV)`` (mean peak-to-peak), ``Polyphasic (%)``,
        ``Reference duration (ms)``, ``Duration deviation (%)`` (from the reference mean),
        ``Reference amplitude (µV)``, ``Amplitude upper limit (µV)``, ``Polyphasic limit (%)``,
        ``Pattern`` (e.g. "myopathic pattern"), ``Statement`` (the pattern with its numbers),
        ``Findings`` (each finding with its numbers, ``"; "``-separated), ``Reference`` (citation) and
        ``Reference status``. A channel that cannot be analysed (unit not volts) or compared (muscle
        unknown or not in the table) keeps its row, with the reason in ``Statement``.

    Examples
    --------
    >>> from emgviz.needle.synthetic import synthetic_needle
    >>> rec, truth = synthetic_needle("normal", duration_s=5, seed=3)
    >>> t = muscle_mup_table(rec, muscle="tibialis anterior", age=40)
    >>> list(t["channel"]), int(t["MUPs"].iloc[0]) == len(truth)
    (['EMG'], True)
    """
    meta = getattr(rec, "meta", {}) or {}
    age = age if age is not None else meta.get("age")
    names = needle_channels(rec) if channels is None else list(channels)
    if rec.fs < MIN_NEEDLE_FS:
        raise ValueError(f"MUP analysis needs fs ≥ {MIN_NEEDLE_FS:g} Hz; this recording has fs={rec.fs:g} Hz. "
                         f"Use a needle recording sampled at {MIN_NEEDLE_FS / 1000:g} kHz or more")
    tables = dict(tables or {})
    rows = []
    for ch in names:
        m = muscle_of(rec, ch, muscle)
        try:
            t = tables[ch] if ch in tables else muap_table(rec, ch, **options)
        except ValueError as exc:
            rows.append(_empty_row(ch, m, age, "not analysed", str(exc)))
            continue
        if m is None or muscle_key(m) is None:
            why = ("the muscle is not known (name the channel after it or give muscle=)" if m is None else
                   f"no reference values for muscle {m!r}")
            row = _empty_row(ch, m, age, "no reference", f"{len(t)} MUPs measured; not compared: {why}")
            row.update(_measured_only(t))
            rows.append(row)
            continue
        s = needle_summary(rec, muscle=m, age=age, table=t)
        r = s.reference
        _, uln = amplitude_limits(r)
        rows.append({
            "channel": ch, "Muscle": s.muscle, "Age (years)": float(age) if age is not None else np.nan,
            "MUPs": s.n_mups, "Mean duration (ms)": s.mean_duration_ms, "Mean amplitude (µV)": s.mean_amplitude_uv,
            "Polyphasic (%)": s.pct_polyphasic, "Reference duration (ms)": float(r["duration_mean_ms"]),
            "Duration deviation (%)": 100.0 * (s.mean_duration_ms / float(r["duration_mean_ms"]) - 1.0),
            "Reference amplitude (µV)": float(r["amplitude_mean_uv"]),
            "Amplitude upper limit (µV)": float(uln),
            "Polyphasic limit (%)": float(r["polyphasic_uln_pct"]), "Pattern": s.pattern,
            "Statement": s.statements[0], "Findings": "; ".join(s.statements[1:]),
            "Reference": _citation(r),
            # "Reference" already says where it was read: a verified row's status is the word alone
            "Reference status": "verified" if r["source_status"] == "verified" else str(r["status"]),
        })
    return pd.DataFrame(rows, columns=list(MUSCLE_MUP_COLUMNS))
