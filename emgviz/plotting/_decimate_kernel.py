"""The compiled one-pass kernel of the Overview's decimation (numba): signal and moving RMS together.

Imported only by :mod:`emgviz.plotting.overview_kernel` (which falls back to NumPy when numba is
missing). :func:`decimate_rms_row` reads one row once, bucket by bucket: the min–max indices of
the signal, and those of its centred moving RMS computed on the fly from a running sum of ``x²``
kept for the current bucket only (``size + w + 1`` values) — never the full-length envelope.

Every number is the one NumPy's path gives (:func:`emgviz.envelopes.rms_envelope` then
:func:`emgviz.plotting.decimate.minmax_indices`): the running sum adds ``x[i] * x[i]`` in
``np.cumsum``'s sequential order, the window is ``(c[k + w] - c[k]) * (1 / w)``, then
``max(·, 0)`` and the square root, no fused multiply-add, no fast-math; ties keep the first
occurrence and a NaN in a bucket is both its minimum and maximum (``argmin``/``argmax``'s rule).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types

#: The row: read-only (a Recording's samples are); writable arrays convert to it.
_ROW = types.Array(types.float64, 1, "C", readonly=True)
_F = types.Array(types.float64, 1, "C")
_I = types.Array(types.int64, 1, "C")


@njit([types.void(_ROW, types.int64, types.int64, _I), types.void(_F, types.int64, types.int64, _I)],
      cache=True, nogil=True)
def _bucket_extrema(x, b0, b1, res):  # pragma: no cover - compiled
    """Indices of the first minimum and first maximum of ``x[b0:b1]`` (first NaN when any) into res[0:2]."""
    vmin = x[b0]
    vmax = vmin
    imin = b0
    imax = b0
    nan = vmin != vmin
    for j in range(b0 + 1, b1):
        v = x[j]
        if v < vmin:
            vmin = v
            imin = j
        elif v > vmax:
            vmax = v
            imax = j
        nan |= v != v
    if nan:
        for j in range(b0, b1):
            if x[j] != x[j]:
                imin = j
                imax = j
                break
    res[0] = imin
    res[1] = imax


@njit(types.float64(_F, types.int64, types.int64, types.float64), cache=True, nogil=True)
def _mean_square(cbuf, p, w, inv):  # pragma: no cover - compiled
    """``max((cbuf[p + w] - cbuf[p]) * inv, 0)`` (NaN stays NaN), as ``_centred_mean`` computes it."""
    e = (cbuf[p + w] - cbuf[p]) * inv
    return e if not e < 0.0 else 0.0


@njit(types.int64(_F, types.int64, types.boolean), cache=True, nogil=True)
def _first_same_root(e, i, upper):  # pragma: no cover - compiled
    """The first index whose root equals ``sqrt(e[i])``, ``e[i]`` the first extreme of ``e`` (>= 0 or NaN).

    The root is monotone but not strictly: two mean squares 1 ulp apart may have one root, and
    ``argmin``/``argmax`` of the roots then keep the earlier of them. Only values within 1e-6
    (relative) of the extreme can share its root, so the root is taken of those only.
    """
    target = e[i]
    if target != target:
        return i                      # NaN: already the first NaN
    root = math.sqrt(target)
    if upper:
        cut = target * (1.0 - 1e-6)
        for j in range(i):
            if e[j] >= cut and math.sqrt(e[j]) == root:
                return j
    else:
        cut = target * (1.0 + 1e-6)
        for j in range(i):
            if e[j] <= cut and math.sqrt(e[j]) == root:
                return j
    return i


@njit(types.void(_ROW, types.int64, types.int64, types.int64, _F, _I, _I, _F, _F, _I), cache=True, nogil=True)
def decimate_rms_row(x, size, n_buckets, w, cbuf, sig_idx, env_idx, env_val, ebuf, res):  # pragma: no cover
    """Min–max decimate the row ``x`` and its centred moving RMS of ``w`` samples (``w < len(x)``).

    Parameters
    ----------
    x : float64[::1], shape (n,)
        The row.
    size, n_buckets : int
        Samples per bucket and buckets (the last bucket may be shorter), as ``minmax_indices``.
    w : int
        RMS window in samples, ``1 <= w < n``.
    cbuf : float64[::1], at least ``size + w + 1``
        Work buffer: the running sum of ``x²`` over the current bucket's windows.
    sig_idx, env_idx : int64[::1], shape (2 * n_buckets,)
        Written: per bucket, the earlier then the later of the minimum's and maximum's indices.
    env_val : float64[::1], shape (2 * n_buckets,)
        Written: the envelope at ``env_idx``.
    ebuf : float64[::1], at least ``size``
        Work buffer: the envelope's mean squares over the current bucket.
    res : int64[::1], shape (2,)
        Work buffer.
    """
    n = x.shape[0]
    h = (w - 1) // 2
    m = n - w + 1
    inv = 1.0 / w
    s = 0.0          # c[q]: sum of x[i] * x[i] for i < q, added in order as np.cumsum does
    q = 0
    off = 0          # cbuf[p] holds c[off + p] for p < filled
    filled = 1
    cbuf[0] = 0.0
    for b in range(n_buckets):
        b0 = b * size
        b1 = min(b0 + size, n)
        # ---- the signal
        _bucket_extrema(x, b0, b1, res)
        sig_idx[2 * b] = min(res[0], res[1])
        sig_idx[2 * b + 1] = max(res[0], res[1])
        # ---- the envelope: e[j] = v[clip(j - h, 0, m - 1)], v[k] from c[k] and c[k + w]
        k_lo = min(max(b0 - h, 0), m - 1)
        k_hi = min(max(b1 - 1 - h, 0), m - 1)
        drop = k_lo - off                 # c values below k_lo are not needed any more
        if drop > 0:
            for p in range(filled - drop):
                cbuf[p] = cbuf[p + drop]
            filled -= drop
            off = k_lo
        while q < k_hi + w:               # extend the running sum up to c[k_hi + w]
            v = x[q]
            s = s + v * v
            q += 1
            cbuf[filled] = s
            filled += 1
        # the mean square of each window (its root only at the extremes): the windows slid inwards
        # at the edges first, then the full windows in a loop without index clamps (vectorised)
        j_in = min(max(b0, h), b1)            # first position of a full centred window
        j_out = max(min(b1, h + m), j_in)     # first position past them
        for j in range(b0, j_in):
            ebuf[j - b0] = _mean_square(cbuf, -off, w, inv)
        for j in range(j_out, b1):
            ebuf[j - b0] = _mean_square(cbuf, m - 1 - off, w, inv)
        d = h + off                           # cbuf index of the window of position j: j - d
        for j in range(j_in, j_out):
            e = (cbuf[j - d + w] - cbuf[j - d]) * inv
            ebuf[j - b0] = e if not e < 0.0 else 0.0   # np.maximum(e, 0): NaN stays NaN
        _bucket_extrema(ebuf, 0, b1 - b0, res)
        i_min = _first_same_root(ebuf, res[0], False)
        i_max = _first_same_root(ebuf, res[1], True)
        lo = min(i_min, i_max)
        hi = max(i_min, i_max)
        env_idx[2 * b] = b0 + lo
        env_idx[2 * b + 1] = b0 + hi
        env_val[2 * b] = math.sqrt(ebuf[lo])
        env_val[2 * b + 1] = math.sqrt(ebuf[hi])


@njit(types.void(_ROW, types.int64, types.int64, _I, _I), cache=True, nogil=True)
def decimate_row(x, size, n_buckets, sig_idx, res):  # pragma: no cover - compiled
    """Min–max indices of the row ``x`` only (no envelope), as :func:`decimate_rms_row`'s ``sig_idx``."""
    n = x.shape[0]
    for b in range(n_buckets):
        b0 = b * size
        b1 = min(b0 + size, n)
        _bucket_extrema(x, b0, b1, res)
        sig_idx[2 * b] = min(res[0], res[1])
        sig_idx[2 * b + 1] = max(res[0], res[1])
