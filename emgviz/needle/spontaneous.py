"""Spontaneous activity at rest in a needle recording: fibrillations, positive sharp waves,
fasciculations, myotonic and complex repetitive discharges, insertional activity.

Definitions (AANEM glossary 2015, *Muscle Nerve* 52:E1; Dumitru, Amato & Zwarts,
*Electrodiagnostic Medicine*, 2nd ed. 2002, ch. 6; Daube & Rubin 2009, *Muscle Nerve*
39:244–270):

* **fibrillation potential** — a single muscle fibre's spike: initial positive, bi- or
  triphasic, 1–5 ms, 20–1000 µV, firing regularly at 0.5–15 Hz;
* **positive sharp wave** — an initial sharp positive deflection followed by a long,
  low negative phase, 10–30 ms in all, same firing;
* **fasciculation potential** — a whole motor unit's potential firing alone, irregularly
  and slowly, at rest;
* **myotonic discharge** — fibre spikes or positive waves at 20–150 Hz whose rate and
  amplitude wax and wane;
* **complex repetitive discharge** — the same polyphasic complex repeating at a constant
  rate (5–100 Hz), starting and stopping abruptly;
* **insertional activity** — a burst of fibre potentials of varied shape after a needle
  movement, normally < 300 ms.

The method (one pass, no training):

1. the needle band (:func:`~emgviz.needle.filtering.needle_filter`); the baseline noise SD
   is the 20th percentile of the robust SD (1.4826·MAD) of 50 ms pieces;
2. **potentials**: stretches where |x| exceeds 2.5 SD containing a sample above the
   detection level max(``threshold_sd`` SD, ``min_amplitude_uv``/2), merged across gaps
   shorter than 2.5 ms;
3. **runs**: potentials ≤ 60 ms apart (≥ 17 Hz), at least 8 (split at 1 ms gaps): the same
   shape throughout (median correlation with the run's median waveform ≥ 0.8) at a constant
   rate (interval CV < 0.05, judged on the complex's largest pieces) is a *complex repetitive
   discharge*; the same shape at a changing rate is *myotonic* when its potentials are brief
   (fibre spikes, median ≤ 6 ms); varied shapes at ≥ 50 Hz for < 1 s are *insertional*. A
   single potential complex ≥ 40 ms long with ≥ 6 spikes is insertional too;
4. **voluntary activity** (not rest, dropped): 1 s windows holding ≥ 5 motor-unit-like
   potentials (> 8 ms, ≥ 200 µV, not a positive wave) outside the runs of step 3 that are not
   one constant-rate train;
5. the other potentials by shape: **positive sharp wave** when the positive peak comes
   first and is ≥ 1.8× the negative one (a fibre spike's are about equal) and the potential
   lasts ≥ 2.5 ms; **fibrillation** when it is brief (≤ 7 ms above 2.5 noise SDs) and
   < 1 mV; **fasciculation** when it is motor-unit-like (≥ 8 ms, ≥ 500 µV, a negative main
   phase) and at rest; anything else (e.g. overlapping potentials of different kinds) is not
   reported.

Limits (measured in ``benchmarks/bench_spontaneous.py``): potentials that overlap are not
decomposed, so dense activity of several kinds at once is under-counted; complex repetitive
discharges slower than 17 Hz are not recognised as runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .filtering import channel_uv, needle_filter

__all__ = ["spontaneous_activity", "SPONTANEOUS_COLUMNS", "SPONTANEOUS_TYPES"]

#: Columns of :func:`spontaneous_activity`'s table.
SPONTANEOUS_COLUMNS = ["time_s", "duration_s", "type", "rate (Hz)", "amplitude (µV)"]
#: Event types it reports.
SPONTANEOUS_TYPES = ("fibrillation", "positive_sharp_wave", "fasciculation", "myotonic",
                     "complex_repetitive", "insertional")

_RUN_GAP_S = 0.060
_MERGE_GAP_S = 0.0025         # a positive sharp wave's slow phase starts up to ~2 ms after its spike
_RUN_MIN = 8


def _noise_sd(x, fs):
    n = max(int(0.05 * fs), 8)
    m = x.size // n
    if m < 1:
        return float(1.4826 * np.median(np.abs(x - np.median(x))))
    pieces = x[: m * n].reshape(m, n)
    sd = 1.4826 * np.median(np.abs(pieces - np.median(pieces, axis=1, keepdims=True)), axis=1)
    return float(max(np.percentile(sd, 20), 1e-9))


def _potentials(x, fs, low, high, gap_s=_MERGE_GAP_S):
    """(start, stop) sample ranges of potentials: above ``low``, reaching ``high``, gaps < ``gap_s`` merged."""
    above = np.abs(x) > low
    if not above.any():
        return np.zeros((0, 2), int)
    edges = np.diff(np.concatenate([[0], above.astype(np.int8), [0]]))
    starts, stops = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    gap = int(gap_s * fs)
    merged = []
    for a, b in zip(starts, stops):
        if merged and a - merged[-1][1] < gap:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    out = [(a, b) for a, b in merged if np.abs(x[a:b]).max() > high]
    return np.array(out, int).reshape(-1, 2)


def _features(x, fs, a, b, sd):
    seg = x[a:b]
    pos_i, neg_i = int(np.argmax(seg)), int(np.argmin(seg))
    pos, neg = float(seg[pos_i]), float(-seg[neg_i])
    pp = pos + neg
    peak = a + (pos_i if pos >= neg else neg_i)
    big = np.nonzero(np.abs(seg) > 0.1 * pp)[0]
    dur10 = (big[-1] - big[0] + 1) / fs
    first = seg[np.nonzero(np.abs(seg) > 0.3 * max(pos, neg))[0][0]]
    level = max(2.5 * sd, 0.1 * pp)
    sig = seg[np.abs(seg) > level]
    phases = 1 + int(np.count_nonzero(np.diff(np.sign(sig)) != 0)) if sig.size else 0
    spikes = int(np.count_nonzero((np.abs(seg[1:-1]) > 0.3 * pp) & (np.abs(seg[1:-1]) >= np.abs(seg[:-2]))
                                  & (np.abs(seg[1:-1]) > np.abs(seg[2:]))))
    return {"start": a, "stop": b, "peak": peak, "pos": pos, "neg": neg, "pp": pp,
            "duration_s": (b - a) / fs, "dur10_s": dur10, "first_positive": first > 0,
            "positive_first": pos_i < neg_i, "phases": phases, "spikes": spikes}


def _shape(p):
    """The single-potential class: psw, fib, mup, insertional (a long multi-spike complex) or other."""
    if p["duration_s"] >= 0.040 and p["spikes"] >= 6:
        return "insertional"
    if p["positive_first"] and p["pos"] >= 1.8 * p["neg"] and p["duration_s"] >= 0.0025:
        return "positive_sharp_wave"
    if p["duration_s"] <= 0.007 and p["pp"] < 1000.0:
        return "fibrillation"
    if p["neg"] >= 0.8 * p["pos"] and p["pp"] >= 500.0 and p["duration_s"] >= 0.008:
        return "mup"
    return "other"


def _snippet(x, peak, fs):
    h = int(0.002 * fs)
    s = x[max(peak - h, 0):peak + h]
    s = s - s.mean()
    n = np.linalg.norm(s)
    return s / n if n > 0 else s


def _runs(pots, x, fs):
    """Split potentials into runs (≥ 8 at ≤ 50 ms) and the rest; classify each run."""
    times = np.array([p["peak"] for p in pots]) / fs
    runs, loose, k = [], [], 0
    while k < len(pots):
        j = k
        while j + 1 < len(pots) and times[j + 1] - times[j] <= _RUN_GAP_S:
            j += 1
        group = pots[k:j + 1]
        kind = _run_kind(group, x, fs) if len(group) >= _RUN_MIN else None
        if kind:
            runs.append((kind, group))
        else:
            loose.extend(group)
        k = j + 1
    return runs, loose


def _same_shape(group, x, fs):
    """Median correlation of the potentials with their median waveform ≥ 0.8."""
    snips = [_snippet(x, p["peak"], fs) for p in group]
    snips = np.array([s for s in snips if s.size == snips[0].size])
    template = np.median(snips, axis=0)
    template /= max(np.linalg.norm(template), 1e-12)
    return float(np.median(snips @ template)) >= 0.8


def _cv(t):
    isi = np.diff(t)
    return float(isi.std() / isi.mean())


def _run_kind(group, x, fs):
    t = np.array([p["peak"] for p in group]) / fs
    length = t[-1] - t[0]
    rate = (len(t) - 1) / length if length > 0 else 0.0
    # a complex may be split into several pieces: judge its rhythm by its largest piece
    top = max(p["pp"] for p in group)
    main = [p for p in group if p["pp"] >= 0.75 * top]
    if len(main) >= _RUN_MIN and _cv(np.array([p["peak"] for p in main]) / fs) < 0.05 \
            and _same_shape(main, x, fs):
        return "complex_repetitive"
    same = _same_shape(group, x, fs)
    brief = float(np.median([p["duration_s"] for p in group])) <= 0.006
    if same and brief and length >= 0.3 and _cv(t) >= 0.05:
        return "myotonic"
    if not same and rate >= 50 and length < 1.0:
        return "insertional"
    return None


def _motor_unit_like(p):
    """A potential as long and large as a voluntary MUP (> 8 ms, ≥ 200 µV) that is not a positive wave."""
    return p["duration_s"] > 0.008 and p["pp"] >= 200.0 and not (p["positive_first"] and p["pos"] >= 1.8 * p["neg"])


def _voluntary_mask(pots, n, fs):
    """Samples inside 1 s windows with ≥ 5 motor-unit-like potentials not forming one constant train."""
    mask = np.zeros(n, bool)
    t = np.array([p["peak"] for p in pots if _motor_unit_like(p)]) / fs
    if t.size < 5:
        return mask
    for w0 in np.arange(0.0, n / fs, 0.25):
        inside = t[(t >= w0) & (t < w0 + 1.0)]
        if inside.size >= 5:
            isi = np.diff(inside)
            if isi.std() / isi.mean() >= 0.05:
                mask[int(w0 * fs):int((w0 + 1.0) * fs)] = True
    return mask


def _rate(times):
    """Discharge rate (Hz) from the median interval of a train, NaN for fewer than 2."""
    if len(times) < 2:
        return float("nan")
    return float(1.0 / np.median(np.diff(np.sort(times))))


def spontaneous_activity(rec, channel=None, *, rest=None, threshold_sd: float = 5.0,
                         min_amplitude_uv: float = 40.0) -> pd.DataFrame:
    """Spontaneous activity found at rest in one channel of a raw needle recording.

    Parameters
    ----------
    rec : Recording
        Raw needle recording in volts (fs ≥ 4 kHz).
    channel : str or int, optional
        Channel name or index; default the first EMG channel.
    rest : list of (t0_s, t1_s), optional
        Rest segments to search. Default: the whole recording minus the stretches of
        voluntary activity (1 s windows with ≥ 5 motor-unit-like potentials that do not form
        one constant-rate train).
    threshold_sd : float, default=5.0
        Detection level in baseline-noise SDs.
    min_amplitude_uv : float, default=40.0
        Smallest peak-to-peak amplitude reported, µV (the detection level is at least half).

    Returns
    -------
    DataFrame
        One row per event, in time order: ``time_s`` (the largest peak of a potential, or
        the start of a run), ``duration_s``, ``type`` (one of :data:`SPONTANEOUS_TYPES`),
        ``rate (Hz)`` (the train's rate from its median interval; a run's mean rate),
        ``amplitude (µV)`` (peak-to-peak; a run's largest). Fibrillations, positive sharp
        waves and fasciculations are one row per potential; myotonic, complex repetitive and
        insertional activity one row per run. ``attrs["notes"]`` says what was done.

    Examples
    --------
    >>> from emgviz.simulate import simulate_needle
    >>> sim = simulate_needle("neurogenic", force=0, duration_s=3, fs=10_000, seed=4,
    ...                       spontaneous={"fibrillation": {"count": 1, "rate_hz": 8}})
    >>> found = spontaneous_activity(sim.recording)
    >>> bool((found["type"] == "fibrillation").sum() >= 0.9 * len(sim.truth.spontaneous))
    True
    """
    idx, raw = channel_uv(rec, channel)
    fs = float(rec.fs)
    if fs < 4000.0:
        raise ValueError(f"spontaneous activity needs fs ≥ 4000 Hz (fibrillations last 1–5 ms); "
                         f"this recording has fs={fs:g} Hz")
    if float(threshold_sd) <= 0 or float(min_amplitude_uv) < 0:
        raise ValueError("threshold_sd must be > 0 and min_amplitude_uv ≥ 0")
    x, notes = needle_filter(raw, fs)
    sd = _noise_sd(x, fs)
    high = max(float(threshold_sd) * sd, float(min_amplitude_uv) / 2)
    low = 2.5 * sd
    # runs from finely separated potentials (1 ms gaps: spikes at up to 150 Hz stay apart)
    fine = [_features(x, fs, a, b, sd) for a, b in _potentials(x, fs, low, high, gap_s=0.001)]
    fine = [p for p in fine if p["pp"] >= min_amplitude_uv]
    runs, _ = _runs(fine, x, fs)
    in_run = np.zeros(x.size, bool)
    for _, group in runs:
        in_run[group[0]["start"]:group[-1]["stop"]] = True
    # single potentials (2.5 ms gaps: a positive sharp wave's slow phase stays with its spike)
    coarse = [_features(x, fs, a, b, sd) for a, b in _potentials(x, fs, low, high)]
    coarse = [p for p in coarse if p["pp"] >= min_amplitude_uv]
    if rest is None:
        voluntary = _voluntary_mask([p for p in coarse if not in_run[p["peak"]]], x.size, fs)
        notes.append(f"rest: {100 * (1 - voluntary.mean()):.0f} % of the recording "
                     f"(voluntary activity excluded)")
    else:
        voluntary = np.ones(x.size, bool)
        for t0, t1 in rest:
            voluntary[max(int((t0 - rec.t0) * fs), 0):max(int((t1 - rec.t0) * fs), 0)] = False
    pots = [p for p in coarse if not in_run[p["peak"]]]
    shapes = [_shape(p) for p in pots]
    notes.append(f"potentials above {high:.0f} µV (baseline noise SD {sd:.1f} µV)")

    rows = []
    for kind, group in runs:
        if voluntary[group[0]["peak"]]:
            continue
        t = np.array([p["peak"] for p in group]) / fs
        start, stop = group[0]["start"] / fs, group[-1]["stop"] / fs
        rows.append({"time_s": rec.t0 + start, "duration_s": stop - start, "type": kind,
                     "rate (Hz)": (len(t) - 1) / (t[-1] - t[0]),
                     "amplitude (µV)": max(p["pp"] for p in group)})
    singles = [(p, s) for p, s in zip(pots, shapes) if not voluntary[p["peak"]]]
    by_type: dict[str, list] = {}
    for p, s in singles:
        if s == "insertional":
            rows.append({"time_s": rec.t0 + p["start"] / fs, "duration_s": p["duration_s"],
                         "type": "insertional", "rate (Hz)": float("nan"), "amplitude (µV)": p["pp"]})
            continue
        if s == "other":
            continue
        kind = "fasciculation" if s == "mup" else s
        by_type.setdefault(kind, []).append(p)
    for kind, members in by_type.items():
        amps = np.array([p["pp"] for p in members])
        times = np.array([p["peak"] for p in members]) / fs
        for p, a in zip(members, amps):
            similar = times[(amps >= 0.75 * a) & (amps <= 1.33 * a)]
            rows.append({"time_s": rec.t0 + p["peak"] / fs, "duration_s": p["duration_s"], "type": kind,
                         "rate (Hz)": _rate(similar), "amplitude (µV)": p["pp"]})
    table = pd.DataFrame(rows, columns=SPONTANEOUS_COLUMNS)
    table = table.sort_values("time_s", kind="stable").reset_index(drop=True)
    table.attrs["notes"] = notes
    table.attrs["channel"] = rec.ch_names[idx]
    return table
