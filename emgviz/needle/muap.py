"""Motor-unit potential (MUP) analysis of one needle channel: ``muap_table`` and ``muap_analysis``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .filtering import NEEDLE_HIGH_HZ, NEEDLE_LOW_HZ, channel_uv, needle_filter
from .measure import LEVEL_UV, SATELLITE_GAP_MS, TURN_UV, MupMeasures, measure_template
from .templates import centre_on_peak, classify, detect_discharges, merge_units, peel, realign, upsample

__all__ = ["MUP_COLUMNS", "MupAnalysis", "muap_analysis", "muap_table", "firing_rate", "POLYPHASIC_MIN"]

#: The contract columns of :func:`muap_table`, in order; extra columns follow them.
MUP_COLUMNS = ("channel", "MUP", "Amplitude (µV)", "Duration (ms)", "Phases", "Turns", "Area (µV·ms)",
               "Discharges", "Firing rate (Hz)")
#: A MUP with more than 4 phases is polyphasic (Stålberg et al. 1986; AAEM glossary).
POLYPHASIC_MIN = 5

_DEFAULTS = dict(low_hz=NEEDLE_LOW_HZ, high_hz=NEEDLE_HIGH_HZ, threshold_sd=5.0, min_peak_uv=30.0,
                 min_discharges=8, theta=0.1, core_ms=3.0, pre_ms=20.0, post_ms=30.0, level_uv=LEVEL_UV,
                 turn_uv=TURN_UV, satellite_gap_ms=SATELLITE_GAP_MS, reject_theta=0.3, max_snippets=60,
                 min_rate_hz=4.0)


@dataclass(frozen=True, eq=False)
class MupAnalysis:
    """Everything :func:`muap_analysis` found in one channel (what the Needle view draws).

    Attributes
    ----------
    table : DataFrame
        One row per MUP (see :func:`muap_table`).
    fs : float
        Rate of the templates and snippets in Hz (the recording's rate, upsampled to ≥ 16 kHz).
    t_ms : ndarray
        Time of each template sample in ms relative to the alignment point (main peak).
    templates : list of ndarray
        Per MUP, the median of its accepted discharges in µV.
    snippets : list of ndarray
        Per MUP, up to ``max_snippets`` accepted discharges (rows, µV) for superimposed display.
    discharge_s : list of ndarray
        Per MUP, the time of every assigned discharge in s (recording clock).
    measures : list of MupMeasures
    notes : list of str
        Filter band used, clipping, detection threshold.
    """

    table: pd.DataFrame
    fs: float
    t_ms: np.ndarray
    templates: list = field(default_factory=list)
    snippets: list = field(default_factory=list)
    discharge_s: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def firing_rate(times_s: np.ndarray) -> float:
    """Mean firing rate in Hz: 1 / mean inter-discharge interval over the intervals of one period
    (longer ones span missed or rejected discharges). The reference interval is the 30th percentile of the intervals ≥ 20 ms (robust when up to
    ~60 % of discharges were lost to superimpositions); intervals within 0.5–1.5 × the reference are
    averaged. NaN with fewer than two usable intervals.

    Examples
    --------
    >>> firing_rate(np.array([0.0, 0.1, 0.2, 0.4, 0.5]))  # one missed discharge at 0.3 s
    10.0
    """
    d = np.diff(np.sort(np.asarray(times_s, dtype=np.float64)))
    d = d[d >= 0.02]
    if d.size < 2:
        return float("nan")
    ref = float(np.percentile(d, 30))
    ok = d[(d >= 0.5 * ref) & (d <= 1.5 * ref)]
    return float(1.0 / ok.mean()) if ok.size >= 2 else float("nan")


def _check_options(options: dict) -> dict:
    unknown = sorted(set(options) - set(_DEFAULTS))
    if unknown:
        raise TypeError(f"unknown muap_table option(s) {unknown}; options are {sorted(_DEFAULTS)}")
    return {**_DEFAULTS, **options}


def muap_analysis(rec, channel=None, **options) -> MupAnalysis:
    """Multi-MUP analysis of one channel of a raw needle recording (see :func:`muap_table`)."""
    o = _check_options(options)
    idx, raw = channel_uv(rec, channel)
    name = rec.ch_names[idx]
    if rec.fs < 4000.0:
        raise ValueError(f"MUP analysis needs fs ≥ 4000 Hz (needle potentials have components up to several "
                         f"kHz); this recording has fs={rec.fs:g} Hz. Use a needle recording sampled at 4 kHz or more")
    filt, notes = needle_filter(raw, rec.fs, low_hz=o["low_hz"], high_hz=o["high_hz"])
    # classify at the recording's rate (fast), then align and measure on a ≥ 16 kHz upsampled copy
    det = detect_discharges(filt, rec.fs, threshold_sd=o["threshold_sd"], min_peak_uv=o["min_peak_uv"])
    notes.append(f"discharges detected above {det.threshold_uv:.0f} µV (noise SD {det.noise_uv:.1f} µV)")
    units = classify(filt, rec.fs, det.index, det.noise_uv, core_ms=o["core_ms"], theta=o["theta"],
                     min_discharges=o["min_discharges"])
    y, fs, factor = upsample(filt, rec.fs)
    h_up = int(round(o["core_ms"] * fs / 1000.0))
    units = realign(y, [u * factor for u in units], h=h_up, max_shift=factor)
    pre = int(round(o["pre_ms"] * fs / 1000.0))
    post = int(round(o["post_ms"] * fs / 1000.0))
    t_ms = np.arange(-pre, post + 1) / fs * 1000.0
    units = centre_on_peak(y, merge_units(y, fs, units, pre=pre, post=post), pre=pre, post=post)
    units = peel(y, fs, units, det.noise_uv, pre=pre, post=post, core_ms=o["core_ms"], theta=o["theta"],
                 threshold_uv=det.threshold_uv)
    units = centre_on_peak(y, merge_units(y, fs, units, pre=pre, post=post), pre=pre, post=post)
    rows, templates, snippets, times, measures = [], [], [], [], []
    for members in units:
        members = members[(members - pre >= 0) & (members + post < y.size)]
        if members.size < o["min_discharges"]:
            continue
        wins = y[members[:, None] + np.arange(-pre, post + 1)[None, :]]
        tmpl, accepted = _reject_superimpositions(wins, fs, pre, det.noise_uv, o)
        near = int(round(fs / 1000.0))
        peak = pre - near + int(np.argmax(np.abs(tmpl[pre - near: pre + near + 1])))
        if abs(tmpl[peak]) < 0.5 * np.abs(tmpl).max():
            continue  # the template's largest deflection is not where its discharges were aligned: unstable
        m = measure_template(tmpl, fs, level_uv=o["level_uv"], turn_uv=o["turn_uv"],
                             satellite_gap_ms=o["satellite_gap_ms"], peak=peak,
                             se_uv=_standard_error(wins[accepted]))
        t_s = rec.t0 + members / fs
        rate = firing_rate(t_s)
        if m.amplitude_uv < o["min_peak_uv"] or not rate >= o["min_rate_hz"]:
            continue  # too small, or an irregular recurring superimposition rather than a unit
        m = dataclasses.replace(m, satellites=_stable_satellites(m, tmpl, wins))
        rows.append(_row(name, len(rows) + 1, m, members.size, int(accepted.sum()), rate, t_ms))
        templates.append(tmpl)
        snippets.append(wins[accepted][: o["max_snippets"]])
        times.append(t_s)
        measures.append(m)
    order = sorted(range(len(rows)), key=lambda k: -rows[k]["Amplitude (µV)"])
    for new, k in enumerate(order):
        rows[k]["MUP"] = new + 1
    pick = lambda seq: [seq[k] for k in order]  # noqa: E731
    table = pd.DataFrame(pick(rows), columns=list(MUP_COLUMNS) + _EXTRA)
    return MupAnalysis(table, fs, t_ms, pick(templates), pick(snippets), pick(times), pick(measures), notes)


_EXTRA = ["Thickness (ms)", "Size index", "Satellites", "Satellite latency (ms)", "Polyphasic",
          "Averaged", "Onset (ms)", "End (ms)"]


def _row(name, k, m: MupMeasures, n_dis, n_avg, rate, t_ms) -> dict:
    sat_lat = float(t_ms[m.satellites[0][0]] - t_ms[m.onset]) if m.satellites else float("nan")
    return {"channel": name, "MUP": k, "Amplitude (µV)": m.amplitude_uv, "Duration (ms)": m.duration_ms,
            "Phases": m.phases, "Turns": m.turns, "Area (µV·ms)": m.area_uv_ms, "Discharges": int(n_dis),
            "Firing rate (Hz)": rate, "Thickness (ms)": m.thickness_ms, "Size index": m.size_index,
            "Satellites": m.n_satellites, "Satellite latency (ms)": sat_lat,
            "Polyphasic": bool(m.phases >= POLYPHASIC_MIN), "Averaged": int(n_avg),
            "Onset (ms)": float(t_ms[m.onset]), "End (ms)": float(t_ms[m.end])}


def _standard_error(wins: np.ndarray) -> np.ndarray:
    """Standard error of the median template at each sample: 1.2533 × robust SD / √N."""
    med = np.median(wins, axis=0)
    sd = np.median(np.abs(wins - med[None, :]), axis=0) / 0.6745
    return 1.2533 * sd / np.sqrt(max(1, wins.shape[0]))


def _reject_superimpositions(wins: np.ndarray, fs: float, pre: int, noise: float, o: dict):
    """Median template of the discharges that match it over the whole potential (± 1 ms).

    A first median gives the potential's extent; a discharge whose residual energy over that extent
    exceeds ``reject_theta`` × the template energy + 2·n·σ² is a superimposition and is left out.
    """
    first = np.median(wins, axis=0)
    m = measure_template(first, fs, peak=pre)
    pad = int(round(fs / 1000.0))
    a, b = max(0, m.onset - pad), min(wins.shape[1], m.end + pad + 1)
    core = first[a:b]
    r = ((wins[:, a:b] - core[None, :]) ** 2).sum(axis=1)
    accepted = r <= o["reject_theta"] * float((core ** 2).sum()) + 2.0 * (b - a) * noise ** 2
    if accepted.sum() < 3:
        return first, np.ones(len(wins), dtype=bool)
    return np.median(wins[accepted], axis=0), accepted


def _stable_satellites(m: MupMeasures, tmpl: np.ndarray, wins: np.ndarray) -> list[tuple[int, int]]:
    """Satellites present in most discharges: median correlation with the template's component ≥ 0.5.

    A satellite is time-locked to its MUP (Stålberg et al. 1986); a component of another unit that
    happened to recur at one lag in part of the record does not pass.
    """
    keep = []
    for a, b in m.satellites:
        ref = tmpl[a:b + 1] - tmpl[a:b + 1].mean()
        seg = wins[:, a:b + 1] - wins[:, a:b + 1].mean(axis=1, keepdims=True)
        den = np.sqrt((seg ** 2).sum(axis=1) * (ref ** 2).sum()) + 1e-12
        if np.median((seg @ ref) / den) >= 0.5:
            keep.append((a, b))
    return keep


def muap_table(rec, channel=None, **options) -> pd.DataFrame:
    """Motor-unit potentials of one channel of a RAW needle recording, one row per MUP template.

    The needle filter is applied here (zero-phase Butterworth 10 Hz – 10 kHz, the low-pass clipped
    to 0.95·fs/2 below 20 kHz); the signal is upsampled to ≥ 16 kHz for sub-sample alignment;
    discharges are detected with a level trigger, classified into templates (multi-MUP template
    matching, Stålberg et al. 1995), superimposed discharges rejected, and each template (the median
    of its accepted discharges) measured with the definitions in :func:`emgviz.needle.measure.measure_template`.

    Parameters
    ----------
    rec : Recording
        Raw needle recording in volts, fs ≥ 4 kHz.
    channel : str or int, optional
        Channel name or index; default the first EMG channel.
    **options
        ``low_hz`` (10), ``high_hz`` (10000), ``threshold_sd`` (5: detection level in noise SDs),
        ``min_peak_uv`` (30: smallest detection level and smallest MUP amplitude in µV),
        ``min_discharges`` (5), ``theta`` (0.2: classification tolerance, residual/template energy),
        ``reject_theta`` (0.3: superimposition tolerance), ``core_ms`` (3), ``pre_ms`` (20), ``post_ms``
        (30: template window around the main peak), ``level_uv`` (10: smallest baseline-departure
        level), ``turn_uv`` (25), ``satellite_gap_ms`` (1.5), ``max_snippets`` (60), ``min_rate_hz`` (4: a
        template firing slower is an irregular recurring superimposition, not a unit; voluntary
        motor units fire steadily at ≥ 5–6 Hz).

    Returns
    -------
    DataFrame
        Columns ``channel``, ``MUP`` (1, 2, … by decreasing amplitude), ``Amplitude (µV)``
        (peak-to-peak), ``Duration (ms)``, ``Phases``, ``Turns``, ``Area (µV·ms)``, ``Discharges``
        (assigned to the MUP), ``Firing rate (Hz)`` (mean rate), then ``Thickness (ms)``,
        ``Size index``, ``Satellites`` (late time-locked components, not in the duration),
        ``Satellite latency (ms)`` (from onset), ``Polyphasic`` (≥ 5 phases), ``Averaged``
        (discharges in the template), ``Onset (ms)`` and ``End (ms)`` (relative to the main peak).

    Examples
    --------
    >>> from emgviz.needle.synthetic import synthetic_needle
    >>> rec, truth = synthetic_needle("normal", duration_s=5, seed=3)
    >>> table = muap_table(rec)
    >>> len(table) == len(truth)
    True
    """
    return muap_analysis(rec, channel, **options).table
