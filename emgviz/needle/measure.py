"""Measurements of one averaged motor-unit potential (MUP) template, with cited definitions.

Terminology follows Stålberg E, Andreassen S, Falck B, Lang H, Rosenfalck A, Trojaborg W.
"Quantitative analysis of individual motor unit potentials: a proposition for standardized
terminology and criteria for measurement." *J Clin Neurophysiol* 3(4):313–348 (1986), and the
AAEM glossary (Muscle Nerve 2015; 52 Suppl:S1-S6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d

__all__ = ["MupMeasures", "measure_template", "count_turns", "count_phases", "baseline_level"]

#: Turn threshold in µV: a turn is a change of direction of at least 25 µV on both sides
#: (Stålberg et al. 1986).
TURN_UV = 25.0
#: Smallest baseline-departure level in µV (duration markers; see :func:`baseline_level`).
LEVEL_UV = 10.0
#: A late component separated from the main potential by at least this isoelectric interval (ms)
#: is a satellite (linked potential), reported apart from the duration (Stålberg et al. 1986;
#: Lateva ZC, McGill KC, *Muscle Nerve* 22:1188–1198, 1999).
SATELLITE_GAP_MS = 1.5
#: Dips below the level shorter than this (ms) are baseline crossings inside one potential.
CROSSING_MS = 0.5


@dataclass(frozen=True)
class MupMeasures:
    """Measures of one template (µV, ms; indices into the template array)."""

    amplitude_uv: float
    duration_ms: float
    phases: int
    turns: int
    area_uv_ms: float
    thickness_ms: float
    size_index: float
    onset: int
    end: int
    level_uv: float
    satellites: list[tuple[int, int]] = field(default_factory=list)

    @property
    def n_satellites(self) -> int:
        return len(self.satellites)


def baseline_level(template_uv: np.ndarray, edge: int, level_uv: float = LEVEL_UV) -> tuple[float, float]:
    """``(baseline µV, level µV)``: baseline = median of the first and last ``edge`` samples; level =
    max(``level_uv``, 4 × their noise SD (MAD/0.6745)). Departure from baseline means |x − baseline| > level.
    """
    ends = np.concatenate([template_uv[:edge], template_uv[-edge:]])
    base = float(np.median(ends))
    sd = float(np.median(np.abs(ends - base)) / 0.6745)
    return base, max(float(level_uv), 4.0 * sd)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive (start, stop) index pairs of the True runs of ``mask``."""
    m = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(m)
    starts = np.flatnonzero(d == 1)
    stops = np.flatnonzero(d == -1) - 1
    return list(zip(starts.tolist(), stops.tolist()))


def count_phases(x: np.ndarray, level: float) -> int:
    """Phases = baseline crossings + 1, counting only excursions beyond ±``level`` (Stålberg et al. 1986).

    Examples
    --------
    >>> count_phases(np.sin(np.linspace(0, 3 * np.pi, 300)) * 100, 10.0)
    3
    """
    s = np.sign(x[np.abs(x) > level])
    if s.size == 0:
        return 0
    return int(1 + np.count_nonzero(s[1:] != s[:-1]))


def turn_values(x: np.ndarray, min_uv: float = TURN_UV) -> list[float]:
    """The values at each turn: a change of direction with at least ``min_uv`` on both sides.

    The one turn rule of the package: MUP turns (Stålberg et al. 1986) count them, the
    interference pattern (Willison 1964) also averages the amplitude between them.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size < 3:
        return []
    vals: list[float] = []
    ext = x[0]          # running extreme since the last confirmed turn
    last_turn = x[0]    # value at the last confirmed turn (or the start)
    direction = 0       # +1 rising, -1 falling, 0 unknown
    for v in x[1:]:
        if direction >= 0 and v > ext:
            ext = v
            if direction == 0 and ext - last_turn >= min_uv:
                direction = 1
        elif direction <= 0 and v < ext:
            ext = v
            if direction == 0 and last_turn - ext >= min_uv:
                direction = -1
        if direction == 1 and ext - v >= min_uv:
            vals.append(float(ext))
            last_turn, ext, direction = ext, v, -1
        elif direction == -1 and v - ext >= min_uv:
            vals.append(float(ext))
            last_turn, ext, direction = ext, v, 1
    return vals


def count_turns(x: np.ndarray, min_uv: float = TURN_UV) -> int:
    """Turns: changes of direction with at least ``min_uv`` on both sides (Stålberg et al. 1986).

    The same rule with 100 µV counts interference-pattern turns (Willison 1964).

    Examples
    --------
    >>> count_turns(np.sin(np.linspace(0, 3 * np.pi, 300)) * 100)
    3
    """
    return len(turn_values(x, min_uv))


def measure_template(template_uv, fs: float, *, level_uv: float = LEVEL_UV, turn_uv: float = TURN_UV,
                     satellite_gap_ms: float = SATELLITE_GAP_MS, edge_ms: float = 4.0,
                     peak: int | None = None, se_uv=None) -> MupMeasures:
    """Measure one averaged MUP template.

    Parameters
    ----------
    template_uv : array_like
        The template in µV with baseline at both ends (at least ``edge_ms`` each side).
    fs : float
        Sampling rate of the template in Hz.
    level_uv : float, default=10.0
        Smallest departure level; the level used is max(``level_uv``, 4 × baseline noise SD).
    turn_uv : float, default=25.0
        Turn threshold in µV.
    satellite_gap_ms : float, default=1.5
        Isoelectric interval (ms) that separates a satellite from the main potential.
    edge_ms : float, default=4.0
        Length of each end used as baseline.
    peak : int, optional
        Index of the main peak (default: the largest |x − baseline|).
    se_uv : array_like, optional
        Standard error of the template at each sample (from its discharges). When given, a
        departure is |x − baseline| > max(``level_uv``, 4 × the standard error there) instead of the
        edge-noise level, so activity of other units that is not time-locked (large spread across
        discharges) does not extend the duration, and a crowded baseline does not shorten it.

    Returns
    -------
    MupMeasures

    Notes
    -----
    - **Duration** (ms): from the first departure from baseline to the final return to baseline of
      the main potential (AAEM glossary; Stålberg et al. 1986), a departure being |x − baseline| >
      level (or 4 standard errors when ``se_uv`` is given) while the signal is changing (its range
      within ±0.5 ms also exceeds half that level: a slope criterion, so slow after-waves are excluded). Dips inside the level shorter than 0.5 ms are baseline crossings within the potential;
      a later component separated by ≥ ``satellite_gap_ms`` of baseline is a satellite, listed in
      ``satellites`` and **not** included in the duration.
    - **Amplitude** (µV): peak-to-peak within the main potential.
    - **Phases**: baseline crossings + 1, excursions beyond ±level only.
    - **Turns**: direction changes ≥ ``turn_uv`` on both sides.
    - **Area** (µV·ms): integral of |x − baseline| over the duration (Nandedkar SD, Barkhaus PE,
      Sanders DB, Stålberg EV. *Muscle Nerve* 11:151–159, 1988).
    - **Thickness** (ms) = area / amplitude and **size index** = 2·log10(amplitude in mV) + thickness
      (Sonoo M, Stålberg E. *Electroencephalogr Clin Neurophysiol* 89:291–303, 1993).
    """
    x = np.asarray(template_uv, dtype=np.float64)
    edge = max(2, int(round(edge_ms * fs / 1000.0)))
    base, level = baseline_level(x, edge, level_uv)
    y = x - base
    p = int(np.argmax(np.abs(y))) if peak is None else int(peak)
    if se_uv is not None:  # the spread across discharges is the better noise measure (see Parameters)
        level = float(level_uv)
        thr = np.maximum(level, 4.0 * np.asarray(se_uv, dtype=np.float64))
    else:
        thr = level
    # a departure must also be changing: the range within ±0.5 ms exceeds the level, so a slow
    # after-wave (a few µV/ms) does not prolong the duration (slope criterion of automatic duration
    # markers, Stålberg et al. 1986; Nandedkar SD et al., Muscle Nerve 18:1155–1166, 1995)
    half = max(1, int(round(0.5 * fs / 1000.0)))
    local = maximum_filter1d(y, 2 * half + 1) - minimum_filter1d(y, 2 * half + 1)
    runs = _runs((np.abs(y) > thr) & (local > 0.5 * thr))
    if not runs:
        return MupMeasures(0.0, 0.0, 0, 0, 0.0, 0.0, float("nan"), p, p, level)
    # merge runs separated by short dips (baseline crossings inside one potential)
    cross = int(round(CROSSING_MS * fs / 1000.0))
    gap = int(round(satellite_gap_ms * fs / 1000.0))
    groups = [list(runs[0])]
    for a, b in runs[1:]:
        if a - groups[-1][1] - 1 <= max(cross, gap - 1):
            groups[-1][1] = b
        else:
            groups.append([a, b])
    main = next((g for g in groups if g[0] <= p <= g[1]), max(groups, key=lambda g: np.abs(y[g[0]:g[1] + 1]).max()))
    onset, end = main
    sats = [(a, b) for a, b in groups if a > end]
    seg = y[onset:end + 1]
    amp = float(seg.max() - seg.min())
    dt_ms = 1000.0 / fs
    area = float(np.abs(seg).sum() * dt_ms)
    thickness = area / amp if amp > 0 else float("nan")
    size_index = 2.0 * np.log10(amp / 1000.0) + thickness if amp > 0 else float("nan")
    return MupMeasures(
        amplitude_uv=amp, duration_ms=(end - onset + 1) * dt_ms, phases=count_phases(seg, level),
        turns=count_turns(seg, turn_uv), area_uv_ms=area, thickness_ms=float(thickness),
        size_index=float(size_index), onset=onset, end=end, level_uv=level, satellites=sats)
