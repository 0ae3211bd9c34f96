"""Biofeedback meters: the RMS of the newest samples per channel, in the stream's unit or in %MVC."""

from __future__ import annotations

import numpy as np

__all__ = ["live_rms", "moving_rms_max", "percent_of_reference", "band_state", "DEFAULT_RMS_WINDOW_MS"]

#: RMS window of the live meters, ms (SENIAM / Konrad 2005 recommend 50–100 ms for fast
#: movements and 100–500 ms for posture; 250 ms reads steadily at 5 updates per second).
DEFAULT_RMS_WINDOW_MS = 250.0


def live_rms(data, fs: float, *, window_ms: float = DEFAULT_RMS_WINDOW_MS) -> np.ndarray:
    """Root mean square of the last ``window_ms`` of each channel, about the window's mean.

    ``RMS = sqrt(1/N * sum((x_i - mean(x))**2))`` over the newest ``N = round(window_ms * fs / 1000)``
    samples (Basmajian & De Luca 1985; Konrad, *The ABC of EMG*, 2005). The window's mean
    is removed first so an amplifier's DC offset does not read as muscle activity.

    Parameters
    ----------
    data : array_like, shape (n_channels, n_samples)
        The newest samples (any unit; the result has the same unit).
    fs : float
        Sampling rate, Hz.
    window_ms : float, default=250
        Window length, ms. Fewer samples than that: all of them are used.

    Returns
    -------
    ndarray, shape (n_channels,)
        RMS per channel; NaN for a channel with no samples yet.

    Examples
    --------
    >>> t = np.arange(2000) / 2000
    >>> round(float(live_rms(3 * np.sin(2 * np.pi * 50 * t)[None], 2000, window_ms=200)[0]), 4)  # 3/sqrt(2)
    2.1213
    """
    x = np.asarray(data, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"data must be shaped (n_channels, n_samples), got {x.shape}")
    if not (np.isfinite(fs) and fs > 0):
        raise ValueError(f"fs must be a positive sampling rate in Hz, got {fs!r}")
    if not window_ms > 0:
        raise ValueError(f"window_ms must be positive, got {window_ms!r}")
    n = min(x.shape[1], max(1, int(round(window_ms * fs / 1000.0))))
    if x.shape[1] == 0:
        return np.full(x.shape[0], np.nan)
    w = x[:, -n:]
    return np.sqrt(np.mean(np.square(w - w.mean(axis=1, keepdims=True)), axis=1))


def moving_rms_max(data, fs: float, *, window_ms: float = DEFAULT_RMS_WINDOW_MS) -> np.ndarray:
    """The largest :func:`live_rms` over every ``window_ms`` window in ``data``, per channel.

    The MVC reference for the live meters: record a maximal voluntary contraction, and the
    highest windowed RMS of that trial is 100 %MVC (the same RMS, same window, as the meter;
    Konrad 2005, ch. 6; Hermens et al. 2000). Each window's mean is removed as in :func:`live_rms`.

    Returns
    -------
    ndarray, shape (n_channels,)
        NaN for a channel with no samples.
    """
    x = np.asarray(data, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"data must be shaped (n_channels, n_samples), got {x.shape}")
    if x.shape[1] == 0:
        return np.full(x.shape[0], np.nan)
    n = min(x.shape[1], max(1, int(round(window_ms * fs / 1000.0))))
    x = x - x.mean(axis=1, keepdims=True)  # numerically kinder sums; each window's own mean is removed below
    c1 = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)
    c2 = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x * x, axis=1)], axis=1)
    s1 = c1[:, n:] - c1[:, :-n]
    s2 = c2[:, n:] - c2[:, :-n]
    var = np.maximum(s2 / n - (s1 / n) ** 2, 0.0)
    return np.sqrt(var.max(axis=1))


def percent_of_reference(values, reference) -> np.ndarray:
    """``100 * values / reference`` per channel (%MVC when ``reference`` is each muscle's MVC RMS).

    A reference that is zero, negative or not finite gives NaN for that channel (there is
    nothing to normalise by), never a division error.
    """
    v = np.asarray(values, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    ok = np.isfinite(r) & (r > 0)
    return np.where(ok, 100.0 * v / np.where(ok, r, 1.0), np.nan)


def band_state(values, low: float, high: float) -> list[str]:
    """``"below"``, ``"in"`` or ``"above"`` the target band ``[low, high]`` per value (``"none"`` for NaN)."""
    if not low <= high:
        raise ValueError(f"the target band must have low <= high, got {low} > {high}")
    out = []
    for v in np.asarray(values, dtype=np.float64).reshape(-1):
        out.append("none" if not np.isfinite(v) else "below" if v < low else "above" if v > high else "in")
    return out
