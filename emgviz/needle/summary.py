"""Per-muscle judgement of a needle recording's MUPs against reference values: ``needle_summary``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .muap import POLYPHASIC_MIN, muap_table
from .reference import amplitude_limits, is_verified, missing_measures, reference_for

__all__ = ["NeedleSummary", "needle_summary", "DURATION_LIMIT_PCT"]

#: A mean MUP duration more than 20 % from the age- and muscle-matched mean is outside the reference
#: (Buchthal F. "An introduction to electromyography", 1957; the rule used with Buchthal's tables).
DURATION_LIMIT_PCT = 20.0


@dataclass(frozen=True)
class NeedleSummary:
    """The MUP summary of one muscle and its comparison with a reference row.

    Attributes
    ----------
    muscle, age : the muscle and age compared (from arguments or the file's header).
    n_mups : number of MUP templates.
    mean_duration_ms, mean_amplitude_uv, pct_polyphasic : the measured values.
    reference : dict, the reference row used (with its ``source`` and ``status``).
    findings : list of str, e.g. ``["polyphasic"]``, from "short", "long", "small", "large", "polyphasic".
    pattern : str, "myopathic pattern", "neurogenic pattern", "mixed pattern", "within reference values",
        "no reference values" (the muscle's reference row is unverified and empty) or "not enough MUPs".
    statements : list of str, the pattern and every finding with the numbers behind it.
    table : DataFrame, the MUP table the summary was computed from.
    """

    muscle: str
    age: float | None
    n_mups: int
    mean_duration_ms: float
    mean_amplitude_uv: float
    pct_polyphasic: float
    reference: dict
    findings: list = field(default_factory=list)
    pattern: str = ""
    statements: list = field(default_factory=list)
    table: pd.DataFrame = None  # type: ignore[assignment]

    def comparison(self) -> pd.DataFrame:
        """Measure, measured value, reference value, deviation and limit, one row per measure.

        A measure the reference row gives no value for has NaN reference and deviation and the limit
        "not in the reference source"."""
        r = self.reference
        lln, uln = amplitude_limits(r)
        none = "not in the reference source"
        return pd.DataFrame([
            {"Measure": "Mean duration (ms)", "Measured": self.mean_duration_ms, "Reference": r["duration_mean_ms"],
             "Deviation (%)": 100.0 * (self.mean_duration_ms / r["duration_mean_ms"] - 1.0),
             "Limit": none if np.isnan(r["duration_mean_ms"]) else f"±{DURATION_LIMIT_PCT:g} % of the reference mean"},
            {"Measure": "Mean amplitude (µV)", "Measured": self.mean_amplitude_uv, "Reference": r["amplitude_mean_uv"],
             "Deviation (%)": 100.0 * (self.mean_amplitude_uv / r["amplitude_mean_uv"] - 1.0),
             "Limit": none if np.isnan(uln) else f"{lln:.0f}–{uln:.0f} µV"},
            {"Measure": "Polyphasic MUPs (%)", "Measured": self.pct_polyphasic, "Reference": r["polyphasic_uln_pct"],
             "Deviation (%)": self.pct_polyphasic - r["polyphasic_uln_pct"],
             "Limit": none if np.isnan(r["polyphasic_uln_pct"]) else
             f"≤ {r['polyphasic_uln_pct']:g} % (upper limit of normal)"},
        ])


def _amp_lln(r) -> float:
    """Lower amplitude limit: the reference mean minus the distance from the mean to the ULN."""
    return amplitude_limits(r)[0]


def _fmt(v, spec: str, unit: str = "") -> str:
    return "n/a" if v is None or np.isnan(v) else f"{v:{spec}}{unit}"


def needle_summary(rec, muscle=None, age=None, *, channel=None, table: pd.DataFrame | None = None,
                   min_mups: int = 3, **options) -> NeedleSummary:
    """Mean MUP duration, amplitude and % polyphasic MUPs of one muscle against the reference table.

    Parameters
    ----------
    rec : Recording
        Raw needle recording (see :func:`emgviz.muap_table`).
    muscle : str, optional
        Muscle name (free text, e.g. "TA"); default ``rec.meta["muscle"]`` (WFDB header comments).
    age : float, optional
        Age in years; default ``rec.meta["age"]``.
    channel : str or int, optional
        Channel for :func:`emgviz.muap_table`.
    table : DataFrame, optional
        A MUP table already computed (e.g. after the clinician rejected templates).
    min_mups : int, default=3
        Fewer MUPs give ``pattern = "not enough MUPs"``.
    **options
        Passed to :func:`emgviz.muap_table`.

    Returns
    -------
    NeedleSummary

    Notes
    -----
    Findings are statements of measurement, not a diagnosis: mean duration more than 20 % below /
    above the reference mean is "short" / "long" (Buchthal 1957); mean amplitude above the upper
    limit of normal is "large", below the mirrored lower limit "small" (judged only at fs ≥ 20 kHz: a
    narrower band lowers peak-to-peak amplitudes); a share of polyphasic MUPs
    (≥ 5 phases) above the reference limit is "polyphasic". Short, small or polyphasic MUPs without
    long or large ones make the "myopathic pattern"; long or large MUPs the "neurogenic pattern"
    (polyphasia then counts as part of reinnervation); both together a "mixed pattern". A measure the
    reference row gives no value for (empty in :func:`emgviz.needle.reference_table`) is not judged and
    a statement says so; an unverified row gives the pattern "no reference values".
    """
    meta = getattr(rec, "meta", {}) or {}
    muscle = muscle if muscle is not None else meta.get("muscle")
    if muscle is None:
        raise ValueError("needle_summary needs the muscle (e.g. muscle='tibialis anterior'); the file does not name it")
    age = age if age is not None else meta.get("age")
    ref = reference_for(muscle, age).to_dict()
    t = muap_table(rec, channel, **options) if table is None else table
    n = int(len(t))
    dur = float(t["Duration (ms)"].mean()) if n else float("nan")
    amp = float(t["Amplitude (µV)"].mean()) if n else float("nan")
    poly = float(100.0 * (t["Phases"] >= POLYPHASIC_MIN).mean()) if n else float("nan")
    if n < min_mups:
        return NeedleSummary(ref["muscle"], age, n, dur, amp, poly, ref, [], "not enough MUPs",
                             [f"not enough MUPs: {n} found, at least {min_mups} are needed for a comparison"], t)
    findings, facts = [], []
    dur_dev = 100.0 * (dur / ref["duration_mean_ms"] - 1.0)  # NaN when the reference has no duration
    lln, uln = amplitude_limits(ref)
    band = ("age band not stated in the source" if np.isnan(ref["age_min"]) and np.isnan(ref["age_max"])
            else f"age {_fmt(ref['age_min'], 'g')}–{_fmt(ref['age_max'], 'g')}")
    ref_txt = f"{ref['muscle']}, {ref['method'] or 'method not stated'}, {band}"
    if dur_dev < -DURATION_LIMIT_PCT:
        findings.append("short")
        facts.append(f"short MUPs: mean duration {dur:.1f} ms is {dur_dev:+.0f} % from the reference "
                     f"{ref['duration_mean_ms']:g} ms (limit ±{DURATION_LIMIT_PCT:g} %)")
    elif dur_dev > DURATION_LIMIT_PCT:
        findings.append("long")
        facts.append(f"long MUPs: mean duration {dur:.1f} ms is {dur_dev:+.0f} % from the reference "
                     f"{ref['duration_mean_ms']:g} ms (limit ±{DURATION_LIMIT_PCT:g} %)")
    if amp > uln:
        findings.append("large")
        facts.append(f"large MUPs: mean amplitude {amp:.0f} µV is above the upper limit {uln:.0f} µV")
    elif amp < lln and rec.fs < 20000.0:
        facts.append(f"amplitude lower limit not applied: at fs = {rec.fs:g} Hz the band ends below "
                     f"{rec.fs / 2:g} Hz, which lowers peak-to-peak amplitudes against the 10-kHz reference "
                     f"(mean {amp:.0f} µV, lower limit {lln:.0f} µV)")
    elif amp < lln:
        findings.append("small")
        facts.append(f"small MUPs: mean amplitude {amp:.0f} µV is below the lower limit {lln:.0f} µV")
    if poly > ref["polyphasic_uln_pct"]:
        findings.append("polyphasic")
        facts.append(f"polyphasic MUPs: {poly:.0f} % have ≥ {POLYPHASIC_MIN} phases (limit {ref['polyphasic_uln_pct']:g} %)")
    missing = missing_measures(ref)
    neuro = {"long", "large"} & set(findings)
    myo = {"short", "small"} & set(findings)
    if neuro and myo:
        pattern = "mixed pattern"
    elif neuro:
        pattern = "neurogenic pattern"
    elif myo or "polyphasic" in findings:
        pattern = "myopathic pattern"
    elif len(missing) == 3:
        pattern = "no reference values"
    else:
        pattern = "within reference values"
    if pattern == "no reference values":
        head = (f"{pattern}: {n} MUPs, mean duration {dur:.1f} ms, mean amplitude {amp:.0f} µV, {poly:.0f} % "
                f"polyphasic; the reference table has no verified values for {ref['muscle']}")
    else:
        head = (f"{pattern}: {n} MUPs, mean duration {dur:.1f} ms "
                f"({_fmt(dur_dev, '+.0f', ' %')} vs {_fmt(ref['duration_mean_ms'], 'g', ' ms')}), "
                f"mean amplitude {amp:.0f} µV (reference {_fmt(ref['amplitude_mean_uv'], '.0f', ' µV')}, upper limit "
                f"{_fmt(uln, '.0f', ' µV')}{' = mean + 2 SD' if ref.get('amplitude_uln_derived') else ''}), "
                f"{poly:.0f} % polyphasic (limit {_fmt(ref['polyphasic_uln_pct'], 'g', ' %')}); reference: {ref_txt}")
    statements = [head]
    if not is_verified(ref):
        statements.append(f"reference row for {ref['muscle']} is unverified: no published value was found in a "
                          f"source that was read, so nothing is compared")
    statements += facts
    if missing and len(missing) < 3:
        statements.append(f"not judged ({', '.join(missing)}): the reference source gives no value for it")
    statements.append("a statement of measurement, not a diagnosis")
    return NeedleSummary(ref["muscle"], age, n, dur, amp, poly, ref, findings, pattern, statements, t)
