"""The compiled forward-backward pass over one lane group (numba; imported by :func:`emgviz.iir_simd.kernel`).

Importing this module imports numba and loads the kernels from numba's on-disk cache (compiling
and caching them the first time). Only :mod:`emgviz.iir_simd` imports it, lazily.
"""

import numpy as np
from numba import njit, types

from ._iir_lanes import rows_in_w4, rows_in_w8, rows_out_w4, rows_out_w8, sec1_w4, sec1_w8, sec2_w4, sec2_w8

_OPTS = dict(cache=True, nogil=True, fastmath=False, error_model="numpy")


@njit("void(float64[:, ::1], int64, float64[:, ::1], float64[:, :, ::1], int64)", **_OPTS)
def _sections(buf, nt, sos, st, lanes):
    """All sections of ``sos`` over ``buf[:nt]``, two at a time (one at the end of an odd count)."""
    n_sections = sos.shape[0]
    s = 0
    if lanes == 8:
        while s + 1 < n_sections:
            sec2_w8(buf, nt, sos, st, s)
            s += 2
        if s < n_sections:
            sec1_w8(buf, nt, sos, st, s)
    else:
        while s + 1 < n_sections:
            sec2_w4(buf, nt, sos, st, s)
            s += 2
        if s < n_sections:
            sec1_w4(buf, nt, sos, st, s)


#: The signal: any strides, read-only accepted (a Recording's data is read-only).
_X = types.Array(types.float64, 2, "A", readonly=True)
_C1, _C2, _C3 = types.float64[::1], types.float64[:, ::1], types.float64[:, :, ::1]


@njit(types.void(_X, types.int64, types.int64, types.float64[::1], types.int64, types.int64, types.int64,
                 types.int64, types.boolean, types.float64[:, ::1]), **_OPTS)
def _rows_in(x, c0, rows, sub, i0, step, ta, tb, rect, buf):
    """``buf[t, j] = x[c0 + j, i0 + step * t] - sub[c0 + j]`` (``|x|`` when ``rect``), t in [ta, tb), j < rows."""
    lanes = buf.shape[1]
    if rows == lanes == 8:
        rows_in_w8(x, c0, sub, i0, step, ta, tb, rect, buf)
    elif rows == lanes == 4:
        rows_in_w4(x, c0, sub, i0, step, ta, tb, rect, buf)
    else:
        for j in range(rows):
            m = sub[c0 + j]
            for t in range(ta, tb):
                v = x[c0 + j, i0 + step * t]
                buf[t, j] = (abs(v) if rect else v) - m


@njit(types.void(types.float64[:, :], types.int64, types.int64, types.int64, types.int64, types.int64,
                 types.int64, types.float64[:, ::1]), **_OPTS)
def _rows_out(out, c0, rows, i0, step, ta, tb, buf):
    """``out[c0 + j, i0 + step * t] = buf[t, j]`` for t in [ta, tb), j < rows."""
    lanes = buf.shape[1]
    if rows == lanes == 8:
        rows_out_w8(out, c0, i0, step, ta, tb, buf)
    elif rows == lanes == 4:
        rows_out_w4(out, c0, i0, step, ta, tb, buf)
    else:
        for j in range(rows):
            for t in range(ta, tb):
                out[c0 + j, i0 + step * t] = buf[t, j]


@njit(types.float64(_X, types.int64, types.int64, types.int64, types.int64, types.boolean, types.boolean),
      **_OPTS)
def _ext(x, c, e, n, pad, odd, rect):
    """Sample ``e`` of row ``c``'s extension (before the subtraction): ``x`` in the middle, its
    reflection (even) or point reflection about the end sample (odd) in the ``pad`` samples outside."""
    if e < pad:
        k = pad - e
        edge = 0
    elif e < pad + n:
        v = x[c, e - pad]
        return abs(v) if rect else v
    else:
        k = n - 2 - (e - pad - n)
        edge = n - 1
    v = x[c, k]
    if rect:
        v = abs(v)
    if odd:
        a = x[c, edge]
        if rect:
            a = abs(a)
        return 2.0 * a - v
    return v


_SIG = types.void(_X, types.int64, types.int64, _C1, _C2, _C2, types.int64, types.boolean, types.boolean,
                  types.float64[:, :], _C2, _C2, _C3)


@njit(_SIG, **_OPTS)
def filtfilt_group(x, c0, rows, sub, sos, zi, pad, odd, rect, out, buf, rpad, st):
    """Rows ``c0 .. c0+rows-1`` of ``x``: forward over the extension, backward over the result, into ``out``.

    ``buf`` (block, lanes), ``rpad`` (≥ pad, lanes) and ``st`` (n_sections, 2, lanes) are scratch;
    lanes past ``rows`` carry zeros.
    """
    n = x.shape[1]
    lanes = buf.shape[1]
    block = buf.shape[0]
    n_sections = sos.shape[0]
    total = n + 2 * pad
    buf[:, :] = 0.0
    for j in range(lanes):  # steady state times the first value of the extension
        first = _ext(x, c0 + j, 0, n, pad, odd, rect) - sub[c0 + j] if j < rows else 0.0
        for s in range(n_sections):
            st[s, 0, j] = zi[s, 0] * first
            st[s, 1, j] = zi[s, 1] * first
    # forward: the extension made on the fly; the middle into out, the right pad into rpad
    zero = np.zeros(sub.shape[0])
    e0 = 0
    while e0 < total:
        nt = min(block, total - e0)
        ta = min(nt, max(0, pad - e0))          # rows ta .. tb-1 of the block are the middle
        tb = max(ta, min(nt, pad + n - e0))
        for t0, t1 in ((0, ta), (tb, nt)):  # the pads (the middle below)
            for t in range(t0, t1):
                for j in range(rows):
                    buf[t, j] = _ext(x, c0 + j, e0 + t, n, pad, odd, rect) - sub[c0 + j]
        _rows_in(x, c0, rows, sub, e0 - pad, 1, ta, tb, rect, buf)
        _sections(buf, nt, sos, st, lanes)
        _rows_out(out, c0, rows, e0 - pad, 1, ta, tb, buf)
        for t in range(tb, nt):
            for j in range(lanes):
                rpad[e0 + t - pad - n, j] = buf[t, j]
        e0 += nt
    # backward: from the end of the forward output to the start of the middle, in place in out
    for j in range(lanes):
        if pad > 0:
            last = rpad[pad - 1, j]
        else:
            last = out[c0 + j, n - 1] if j < rows else 0.0
        for s in range(n_sections):
            st[s, 0, j] = zi[s, 0] * last
            st[s, 1, j] = zi[s, 1] * last
    e_hi = total - 1
    while e_hi >= pad:
        nt = min(block, e_hi - pad + 1)
        ta = min(nt, max(0, e_hi - pad - n + 1))  # rows 0 .. ta-1 come from the right pad, the rest from out
        for t in range(ta):
            for j in range(lanes):
                buf[t, j] = rpad[e_hi - t - pad - n, j]
        _rows_in(out, c0, rows, zero, e_hi - pad, -1, ta, nt, False, buf)
        _sections(buf, nt, sos, st, lanes)
        _rows_out(out, c0, rows, e_hi - pad, -1, ta, nt, buf)
        e_hi -= nt
