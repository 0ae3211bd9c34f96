"""Zero-phase SOS filtering of many channels at once, the channels in SIMD lanes (numba kernel).

SciPy's ``_sosfilt`` runs one scalar recursion per channel: every sample waits for the one before,
so a core does ~9 floating-point operations per section-sample, one at a time. Here the channels
are the lanes of a vector: a block of samples of 4 or 8 channels is transposed into a small
(block, lanes) buffer that stays in cache, and each step of the recursion is one vector
instruction over the lanes (AVX2: 4 float64 per instruction), two sections interleaved to keep
the floating-point units busy. The forward pass reads the signal and makes its odd (or even)
extension on the fly, writing the middle straight into the output; the backward pass runs in
place over the output. No full-size temporary at all.

Every lane does SciPy's arithmetic in SciPy's order (transposed direct form II, no fused
multiply-add, no fast-math), started from ``sosfilt_zi`` times the first value as ``sosfiltfilt``
does, so the result equals :func:`emgviz.filters.filtfilt` to rounding (to the bit in practice).

numba is optional: :func:`kernel` returns None when it cannot be imported, and
:mod:`emgviz.filters` then keeps its SciPy path. The compiled code is cached on disk
(``cache=True``, in ``emgviz/__pycache__`` or numba's user cache directory or ``NUMBA_CACHE_DIR``);
the first use in a fresh process imports numba and loads it (about 1 s), or compiles it once per
install (10–15 s measured here), so the app calls :func:`warm_up_async` when it starts. ``EMGVIZ_IIR``
chooses the route: ``scipy`` (never this kernel), ``lanes`` (always, when it loads), else automatic
(:func:`usable`).
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

from ._kernel_loading import env_mode, import_kernel, start_once

__all__ = ["kernel", "available", "usable", "mode", "warm_up", "warm_up_async", "filtfilt_lanes", "filtfilt_array",
           "MIN_ROWS", "BLOCK", "LOAD_MIN_VALUES"]

#: Samples per block transposed into the lane buffer (block × 8 lanes × 8 bytes = 64 kB: cache-resident).
BLOCK = 1024
#: With fewer rows than this the SciPy path is used (a lane group would be mostly idle).
MIN_ROWS = 2

#: Below this many values (rows × samples) the first call does not load numba (SciPy's path is as quick).
LOAD_MIN_VALUES = 1 << 21

_lock = threading.RLock()
_kernel = None            # None: not loaded yet; False: failed; else the compiled function
_warming: threading.Thread | None = None
#: Why :func:`kernel` returned None (the exception's type and message), else None.
failure: str | None = None


@contextlib.contextmanager
def _slp_vectorised():
    """numba's LLVM SLP vectoriser on while our kernels compile (numba leaves it off by default; the
    lane loops need it to become vector code). Has no effect when the kernels load from the cache."""
    from numba.core import config
    previous = config.SLP_VECTORIZE
    config.SLP_VECTORIZE = 1
    try:
        yield
    finally:
        config.SLP_VECTORIZE = previous


def _load_driver():
    """Import the numba driver with LLVM's SLP vectoriser on (it packs the channels into vector lanes)."""
    with _slp_vectorised():
        from . import _iir_lanes_driver
    return _iir_lanes_driver.filtfilt_group


def kernel():
    """The compiled group filter (numba), or None when numba is missing or fails (see :data:`failure`).

    The first call imports numba and loads the kernels from numba's on-disk cache (0.5–1.5 s), or
    compiles and caches them (once per install; 9–15 s measured here). Later calls return at once.
    """
    global _kernel, failure
    if _kernel is None:
        with _lock:
            if _kernel is None:
                _kernel, failure = import_kernel(_load_driver)
    return _kernel or None


def available() -> bool:
    """True when the numba kernel can be used (loads it if needed)."""
    return kernel() is not None


def mode() -> str:
    """``EMGVIZ_IIR``: ``"scipy"`` (never the kernel), ``"lanes"`` (the kernel whenever it loads, any size),
    else ``"auto"``."""
    return env_mode("EMGVIZ_IIR", ("scipy", "lanes"))


def usable(n_rows: int, n_values: int):
    """The kernel when it should filter ``n_rows`` rows of ``n_values`` values in all, else None (SciPy's path).

    Auto mode: at least :data:`MIN_ROWS` rows; the kernel already loaded, or the work large enough
    (:data:`LOAD_MIN_VALUES`) to repay loading it now. While :func:`warm_up_async` is still loading
    it, SciPy's path is taken instead of waiting (the results are the same).
    """
    how = mode()
    if how == "scipy" or n_rows < 1 or (n_rows < MIN_ROWS and how != "lanes"):
        return None  # (one row: SciPy's loop, and numba is not even imported)
    if how == "lanes":
        return kernel()
    if _kernel is not None:
        return _kernel or None
    if _warming is not None and _warming.is_alive():
        return None
    return kernel() if n_values >= LOAD_MIN_VALUES else None


def warm_up() -> bool:
    """Load (or compile) the kernel and run it once on a tiny signal; True when it works."""
    k = kernel()
    if k is None:
        return False
    sos = np.array([[0.2, 0.0, -0.2, 1.0, -0.5, 0.3]])
    x = np.zeros((MIN_ROWS, 32))
    filtfilt_lanes(sos, x, np.zeros((1, 2)), 6, True, None, False, np.empty_like(x), 1)
    return True


def warm_up_async() -> threading.Thread:
    """:func:`warm_up` in a daemon thread, started once per process (numba's import and cache load off
    the first render's path); returns that thread."""
    global _warming
    with _lock:
        _warming = start_once(_warming, warm_up, "emgviz-iir-warm-up")
        return _warming


def _groups(n_rows: int) -> list[tuple[int, int, int]]:
    """(first row, rows, lanes) of each lane group: groups of 8, the rest in one of 8 (5–7 rows) or 4 (1–4)."""
    groups = [(r, 8, 8) for r in range(0, n_rows - n_rows % 8, 8)]
    rest = n_rows % 8
    if rest:
        groups.append((n_rows - rest, rest, 8 if rest > 4 else 4))
    return groups


def filtfilt_lanes(sos: np.ndarray, x: np.ndarray, zi: np.ndarray, pad: int, odd: bool,
                   subtract: np.ndarray | None, rectify: bool, out: np.ndarray, n_workers: int) -> np.ndarray:
    """Forward-backward ``sos`` over each row of ``x`` (m, n), written into ``out`` (m, n).

    Parameters
    ----------
    sos : ndarray, shape (n_sections, 6)
    x : ndarray of float64, shape (m, n)
        The signal rows (any strides); not modified.
    zi : ndarray, shape (n_sections, 2)
        ``scipy.signal.sosfilt_zi(sos)``: the steady state per unit input.
    pad : int
        Extension length at each end, ``0 <= pad < n``.
    odd : bool
        Odd extension (``2 x[0] - x[k]``) when True, even (``x[k]``) when False.
    subtract : ndarray of float64, shape (m,), or None
        Subtracted from each row (after the extension, as :func:`emgviz.filters._filtfilt` does).
    rectify : bool
        Filter ``|x|`` instead of ``x`` (the linear envelope), with no full-size copy.
    out : ndarray of float64, shape (m, n)
        Written; must not overlap ``x``.
    n_workers : int
        Threads (1 or more): lane groups are shared out between them (the kernel releases the GIL).

    Returns
    -------
    out
    """
    k = kernel()
    if k is None:  # pragma: no cover - callers check available() first
        raise RuntimeError("the numba IIR kernel is not available")
    m = x.shape[0]
    sos = np.array(sos, dtype=np.float64, order="C")  # small writable copies (the kernel's signature)
    zi = np.array(zi, dtype=np.float64, order="C")
    sub = np.zeros(m) if subtract is None else np.array(subtract, dtype=np.float64, order="C").reshape(m)
    groups = _groups(m)

    def run(first: int) -> None:
        bufs = {}
        for c0, rows, lanes in groups[first::n_workers]:
            if lanes not in bufs:
                bufs[lanes] = (np.zeros((BLOCK, lanes)), np.zeros((max(pad, 1), lanes)),
                               np.zeros((sos.shape[0], 2, lanes)))
            buf, rpad, st = bufs[lanes]
            k(x, c0, rows, sub, sos, zi, pad, odd, rectify, out, buf, rpad, st)

    n_workers = max(1, min(int(n_workers), len(groups)))
    if n_workers == 1:
        run(0)
    else:
        from ._threads import thread_map
        thread_map(run, range(n_workers), n_workers)
    return out


def filtfilt_array(sos, arr: np.ndarray, zi, pad: int, padtype: str, subtract, out, rectify: bool) -> np.ndarray:
    """:func:`emgviz.filters._filtfilt` on this route: ``arr`` of any shape (..., n), ``subtract``
    broadcast along the last axis, into ``out`` when given (else a new array), on
    :func:`emgviz._threads.workers` threads."""
    from ._threads import workers
    if arr.dtype != np.float64 or not arr.dtype.isnative:  # the kernel takes native float64 (a copy here)
        arr = np.asarray(arr, dtype=np.float64)
    x = arr.reshape(-1, arr.shape[-1])
    m = x.shape[0]
    sub = None
    if subtract is not None:
        sub = np.broadcast_to(np.asarray(subtract, dtype=np.float64), arr.shape[:-1] + (1,)).reshape(m)
    direct = out is not None and out.flags.c_contiguous and not np.may_share_memory(out, arr)
    y = out if direct else np.empty(arr.shape)
    filtfilt_lanes(sos, x, zi, pad, padtype == "odd", sub, rectify, y.reshape(m, arr.shape[-1]),
                   workers(-(-m // 8), arr.size))
    if out is None or direct:
        return y
    out[...] = y
    return out
