"""The rest (baseline) segment of one EMG channel: given in seconds, or the quietest window.

Every onset detector compares the signal with its level at rest. :func:`quietest_window`
finds that segment automatically: the window of ``window_s`` (default 1 s) whose mean RMS
envelope (50 ms) is lowest, searched in steps of a quarter window. The automatic choice
assumes the recording holds at least ``window_s`` of rest.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_fs, check_positive, check_span, time_index
from .envelopes import rms_envelope

__all__ = ["quietest_window"]

#: RMS window (ms) of the envelope used to find the quietest (rest) window.
_REST_ENVELOPE_MS = 50.0


def _signal_1d(x, name: str = "x") -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one channel (a 1-D array), got shape {arr.shape}; "
                         "use detect_bursts for a Recording or loop over rows")
    if arr.size < 3:
        raise ValueError(f"{name} needs at least 3 samples, got {arr.size}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values; fill or cut them first")
    return arr


def _ms_to_samples(ms: float, fs: float, name: str) -> int:
    if ms is None or float(ms) == 0:
        return 0
    v = float(ms)
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a duration in ms of 0 or more, got {ms!r}")
    return int(round(v * fs / 1000.0))


def _rest_slice(x: np.ndarray, fs: float, rest, rest_window_s: float) -> slice:
    """The rest segment as a slice: ``rest`` in s from the first sample, or the quietest window.

    A ``slice`` (of sample indices, already found by the caller) is returned as it is.
    """
    if isinstance(rest, slice):
        return rest
    n = x.size
    if rest is None:
        start, stop = quietest_window(x, fs, window_s=rest_window_s)
        return slice(start, stop)
    t_a, t_b = check_span(rest, "rest", "(start_s, stop_s)")
    a = max(time_index(t_a, fs), 0)
    b = min(time_index(t_b, fs), n)
    if b - a < 10:
        raise ValueError(f"rest {t_a:g}–{t_b:g} s holds {max(b - a, 0)} samples of a {n / fs:g} s signal; "
                         "give a rest segment of at least 10 samples (ideally ≥ 0.5 s) inside the signal")
    return slice(a, b)


def quietest_window(x, fs, *, window_s: float = 1.0) -> tuple[int, int]:
    """The quietest stretch of a signal: where its RMS envelope has the lowest mean.

    The RMS envelope (50 ms window) of the mean-removed signal is averaged over windows of
    ``window_s`` moved in steps of a quarter window; the window with the lowest mean wins.
    Signals shorter than two windows use windows of a quarter of their length.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel of EMG.
    fs : float
        Sampling rate in Hz.
    window_s : float, default=1.0
        Length of the rest window in s.

    Returns
    -------
    (start_idx, stop_idx) : tuple of int
        Half-open sample range of the quietest window.

    Examples
    --------
    >>> x = np.r_[np.random.default_rng(0).normal(size=2000), 5 * np.random.default_rng(1).normal(size=2000)]
    >>> quietest_window(x, 1000.0, window_s=1.0)[1] <= 2000
    True
    """
    x = _signal_1d(x)
    fs = check_fs(fs)
    window_s = check_positive(window_s, "window_s", "s")
    n = x.size
    w = int(round(window_s * fs))
    if n < 2 * w:
        w = max(n // 4, 1)
    env = rms_envelope(x - x.mean(), fs, window_ms=min(_REST_ENVELOPE_MS, 1000.0 * w / fs))
    csum = np.concatenate(([0.0], np.cumsum(env)))
    step = max(w // 4, 1)
    starts = np.arange(0, n - w + 1, step)
    means = (csum[starts + w] - csum[starts]) / w
    best = int(starts[int(np.argmin(means))])
    return best, best + w
