"""Cycle averaging: cut a recording at cycle events, time-normalise to 0–100 %, ensemble mean ± SD."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from ._checks import check_int
from .recording import Recording

__all__ = ["CycleAverage", "cycle_average", "cycle_bounds", "event_times", "onset_times"]


class CycleAverage(NamedTuple):
    """Result of :func:`cycle_average`; unpacks as ``mean, sd, cycles``.

    Attributes
    ----------
    mean : DataFrame
        Ensemble mean, index ``cycle_pct`` (0–100 %), one column per channel (unit of the input).
    sd : DataFrame
        Ensemble standard deviation (ddof=1; NaN with fewer than 2 cycles), same shape.
    cycles : ndarray, shape (n_channels, n_cycles, n_points)
        Every time-normalised cycle.
    """

    mean: pd.DataFrame
    sd: pd.DataFrame
    cycles: np.ndarray


def cycle_bounds(events_s, *, t_start_s: float = -np.inf, t_end_s: float = np.inf,
                 min_duration_s: float | None = None,
                 max_duration_s: float | None = None) -> np.ndarray:
    """Cycles as (start, end) pairs from consecutive cycle-start times.

    Parameters
    ----------
    events_s : array_like
        Cycle start times in s (e.g. heel strikes); sorted here, duplicates dropped.
    t_start_s, t_end_s : float
        Keep only cycles inside this span (the recording's time range), in s.
    min_duration_s, max_duration_s : float, optional
        Drop cycles shorter or longer than these (missed or doubled events), in s.

    Returns
    -------
    ndarray, shape (n_cycles, 2)
        Start and end of each cycle in s.

    Examples
    --------
    >>> cycle_bounds([0.0, 1.0, 2.5], t_end_s=3.0).tolist()
    [[0.0, 1.0], [1.0, 2.5]]
    """
    ev = np.unique(np.asarray(events_s, dtype=float).ravel())
    ev = ev[np.isfinite(ev)]
    if ev.size < 2:
        return np.empty((0, 2))
    bounds = np.column_stack([ev[:-1], ev[1:]])
    keep = (bounds[:, 0] >= t_start_s) & (bounds[:, 1] <= t_end_s)
    dur = bounds[:, 1] - bounds[:, 0]
    if min_duration_s is not None:
        keep &= dur >= float(min_duration_s)
    if max_duration_s is not None:
        keep &= dur <= float(max_duration_s)
    return bounds[keep]


def cycle_average(rec: Recording, events_s, *, n_points: int = 101, channels: Sequence[str] | None = None,
                  min_duration_s: float | None = None, max_duration_s: float | None = None) -> CycleAverage:
    """Ensemble-average cycles: cut at consecutive events, normalise each to 0–100 %, mean ± SD.

    Each cycle [t_k, t_k+1) is resampled at ``n_points`` equally spaced fractions of its own
    duration by linear interpolation (time normalisation as in gait analysis, Winter 1991), so
    cycles of different durations line up; the ensemble mean and sample SD are taken across
    cycles at each percent.

    Parameters
    ----------
    rec : Recording
        Usually the envelope (``preprocess(...).envelope``); any Recording works. Event times
        use its clock (:attr:`Recording.times`, starting at ``t0``).
    events_s : array_like
        Cycle start times in s. Cycles must lie inside the recording.
    n_points : int, default=101
        Points per normalised cycle (101 gives every whole percent 0, 1, ..., 100).
    channels : sequence of str, optional
        Channels to average; default all.
    min_duration_s, max_duration_s : float, optional
        Drop cycles outside this duration range in s (missed or doubled events).

    Returns
    -------
    CycleAverage
        ``(mean, sd, cycles)``; see :class:`CycleAverage`.

    Raises
    ------
    ValueError
        When fewer than one complete cycle lies inside the recording.

    Examples
    --------
    >>> t = np.arange(3000) / 1000
    >>> rec = Recording(np.sin(np.pi * (t % 1.0)) ** 2, fs=1000, ch_names=["TA"])
    >>> mean, sd, cycles = cycle_average(rec, [0.0, 1.0, 2.0])
    >>> cycles.shape, round(float(mean["TA"].loc[50.0]), 3)
    ((1, 2, 101), 1.0)
    """
    n_points = check_int(n_points, "n_points", 2)
    if channels is not None:
        rec = rec.pick(list(channels))
    t = rec.times
    t_end = float(t[-1])
    bounds = cycle_bounds(events_s, t_start_s=float(t[0]), t_end_s=t_end,
                          min_duration_s=min_duration_s, max_duration_s=max_duration_s)
    if len(bounds) == 0:
        n_ev = np.asarray(events_s).size
        raise ValueError(f"no complete cycle: {n_ev} event(s) give no pair of consecutive events inside the "
                         f"recording ({t[0]:g}–{t_end:g} s) within the duration limits; a cycle needs a "
                         "start and the next start")
    frac = np.linspace(0.0, 1.0, n_points)
    sample_t = bounds[:, :1] + frac[np.newaxis, :] * (bounds[:, 1:] - bounds[:, :1])  # (n_cycles, n_points)
    cycles = np.stack([np.interp(sample_t, t, x) for x in rec.data])  # (n_channels, n_cycles, n_points)
    mean = cycles.mean(axis=1)
    sd = cycles.std(axis=1, ddof=1) if cycles.shape[1] > 1 else np.full_like(mean, np.nan)
    index = pd.Index(np.round(frac * 100.0, 10), name="cycle_pct")
    result = CycleAverage(pd.DataFrame(mean.T, index=index, columns=list(rec.ch_names)),
                          pd.DataFrame(sd.T, index=index, columns=list(rec.ch_names)),
                          cycles)
    result.mean.attrs["bounds_s"] = bounds
    return result


def event_times(events: pd.DataFrame, *, label: str | None = None) -> np.ndarray:
    """Times in s of the events with ``label`` (all events when None), sorted.

    Parameters
    ----------
    events : DataFrame
        :attr:`Recording.events` (``time_s``, ``duration_s``, ``label``).
    label : str, optional
        Keep only events with exactly this label.
    """
    ev = events if label is None else events[events["label"] == str(label)]
    return np.sort(ev["time_s"].to_numpy(dtype=float))


def onset_times(bursts: pd.DataFrame, *, channel: str | None = None) -> np.ndarray:
    """Burst onset times in s from :func:`emgviz.onsets.detect_bursts`, for one channel or all.

    Parameters
    ----------
    bursts : DataFrame
        With columns ``channel`` and ``onset_s``.
    channel : str, optional
        Use the onsets of this channel only (the usual choice: one muscle paces the cycle).
    """
    b = bursts if channel is None else bursts[bursts["channel"] == channel]
    return np.unique(b["onset_s"].to_numpy(dtype=float))
