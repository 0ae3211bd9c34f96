"""Display decimation: min–max per bucket, so every peak stays visible with few points."""

from __future__ import annotations

import numpy as np

__all__ = ["minmax_decimate", "minmax_indices"]


def minmax_decimate(t, y, *, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Keep each bucket's minimum and maximum, in time order (for drawing, not analysis).

    The samples are cut into ``n_out // 2`` buckets of equal length (the last may be
    shorter); from each bucket the minimum and the maximum sample are kept, the earlier
    of the two first. A line through the result covers exactly the same vertical
    extent per bucket as the raw signal, so no spike disappears at any zoom.

    Parameters
    ----------
    t : array_like, shape (n_samples,)
        Sample times in s (any monotonic axis works).
    y : array_like, shape (n_samples,) or (n_channels, n_samples)
        Samples, in any unit; a 2-D array is decimated channel by channel.
    n_out : int
        Most points to return per channel (at least 2). For a plot, about twice the
        plot's width in pixels.

    Returns
    -------
    t_out : ndarray
        Times of the kept samples, shape (m,) for 1-D ``y``, (n_channels, m) for 2-D
        ``y`` (each channel keeps its own extrema), with ``m <= n_out``.
    y_out : ndarray
        The kept samples, same shape as ``t_out``. When ``n_samples <= n_out`` the
        inputs come back unchanged (``t`` broadcast to ``y``'s shape for 2-D ``y``).

    Examples
    --------
    >>> t = np.arange(10) / 1000.0
    >>> y = np.array([0, 5, 1, 1, -3, 2, -1, 2, 9, 4.0])
    >>> minmax_decimate(t, y, n_out=4)[1]
    array([ 5., -3., -1.,  9.])
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y)
    if y.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D or (n_channels, n_samples), got shape {y.shape}")
    if t.ndim != 1 or t.shape[0] != y.shape[-1]:
        raise ValueError(f"t must be 1-D with one time per sample ({y.shape[-1]}), got shape {t.shape}")
    if int(n_out) != n_out or n_out < 2:
        raise ValueError(f"n_out must be a whole number of points >= 2, got {n_out!r}")
    n_out = int(n_out)
    n = y.shape[-1]
    one_d = y.ndim == 1
    y2 = y[np.newaxis, :] if one_d else y
    if n <= n_out:
        if one_d:
            return t, y
        return np.broadcast_to(t, y.shape), y

    idx = minmax_indices(y2, n_out=n_out)
    t_out = t[idx]
    y_out = np.take_along_axis(y2, idx, axis=1)
    if one_d:
        return t_out[0], y_out[0]
    return t_out, y_out


def minmax_indices(y, *, n_out: int) -> np.ndarray:
    """The sample indices :func:`minmax_decimate` keeps: per row, each bucket's minimum and maximum.

    Parameters
    ----------
    y : ndarray, shape (n_channels, n_samples)
        Samples, ``n_samples > n_out``.
    n_out : int
        Most points per row (at least 2).

    Returns
    -------
    ndarray of intp, shape (n_channels, m), ``m <= n_out``
        Increasing within each row; ``times[idx]`` and ``y[row, idx]`` are the kept points.
    """
    n = y.shape[-1]
    n_buckets = n_out // 2
    size = -(-n // n_buckets)           # ceil: samples per bucket
    n_buckets = -(-n // size)           # buckets actually needed (<= n_out // 2)
    full = (n // size) * size           # samples in whole buckets; the rest is one shorter bucket
    idx = np.empty((y.shape[0], 2 * n_buckets), dtype=np.intp)
    start = np.arange(n_buckets) * size
    for c in range(y.shape[0]):         # row by row on views: never a copy of the samples
        row = y[c]
        i_min = np.empty(n_buckets, dtype=np.intp)
        i_max = np.empty(n_buckets, dtype=np.intp)
        if full:
            blocks = row[:full].reshape(-1, size)
            i_min[:full // size] = blocks.argmin(axis=1)
            i_max[:full // size] = blocks.argmax(axis=1)
        if full < n:
            tail = row[full:]
            i_min[-1], i_max[-1] = tail.argmin(), tail.argmax()
        i_min += start
        i_max += start
        idx[c, 0::2] = np.minimum(i_min, i_max)
        idx[c, 1::2] = np.maximum(i_min, i_max)
    return idx
