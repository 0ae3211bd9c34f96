"""One pass per channel for the Overview's decimation: min–max of the signal and of its moving RMS.

:func:`emgviz.plotting.overview_stack.decimate_stack` on NumPy computes each channel's full-length
RMS envelope (a cumulative sum of ``x²``, window differences, root: four passes over 57 MB per
channel of an hour at 2 kHz) and then min–max decimates the signal and the envelope (two more
passes). The compiled kernel (:mod:`emgviz.plotting._decimate_kernel`, numba) reads each row once
and keeps only the current bucket's running sums: the same indices and the same float64 values,
to the bit (the running sum adds in ``np.cumsum``'s order; no fast-math).

numba is optional, as for :mod:`emgviz.iir_simd`: :func:`kernel` returns None when it cannot be
imported and the NumPy path stays. ``EMGVIZ_OVERVIEW=numpy`` forces that path (for comparisons),
``EMGVIZ_OVERVIEW=kernel`` always takes the kernel when it loads; automatic otherwise
(:func:`usable`). The compiled code is cached on disk (``cache=True``); the app calls
:func:`warm_up_async` at start so the first Overview does not wait for numba.
"""

from __future__ import annotations

import importlib
import threading

import numpy as np

from .._kernel_loading import env_mode, import_kernel, start_once

__all__ = ["kernel", "usable", "mode", "warm_up", "warm_up_async", "bucketing", "decimate_rows",
           "LOAD_MIN_VALUES"]

#: Below this many samples (all rows) the first call does not load numba (NumPy's path is as quick).
LOAD_MIN_VALUES = 1 << 21

_lock = threading.RLock()
_kernel = None            # None: not loaded yet; False: failed; else the kernel module
_warming: threading.Thread | None = None
#: Why :func:`kernel` returned None (the exception's type and message), else None.
failure: str | None = None


def kernel():
    """The compiled kernel module (:mod:`emgviz.plotting._decimate_kernel`), or None without numba.

    The first call imports numba and loads the compiled functions from its disk cache, or compiles
    them once per install. Later calls return at once.
    """
    global _kernel, failure
    if _kernel is None:
        with _lock:
            if _kernel is None:
                _kernel, failure = import_kernel(lambda: importlib.import_module("._decimate_kernel", __package__))
    return _kernel or None


def mode() -> str:
    """``EMGVIZ_OVERVIEW``: ``"numpy"`` (never the kernel), ``"kernel"`` (whenever it loads), else ``"auto"``."""
    return env_mode("EMGVIZ_OVERVIEW", ("numpy", "kernel"))


def usable(n_values: int):
    """The kernel module when it should decimate ``n_values`` samples in all, else None (NumPy's path).

    Auto: when already loaded, or when the work is large enough (:data:`LOAD_MIN_VALUES`) to repay
    loading it now; while :func:`warm_up_async` is still loading it, NumPy's path is taken instead of
    waiting (the results are the same).
    """
    how = mode()
    if how == "numpy":
        return None
    if how == "kernel":
        return kernel()
    if _kernel is not None:
        return _kernel or None
    if _warming is not None and _warming.is_alive():
        return None
    return kernel() if n_values >= LOAD_MIN_VALUES else None


def warm_up() -> bool:
    """Load (or compile) the kernel and run it once on a small row; True when it works."""
    if kernel() is None:
        return False
    x = np.arange(64, dtype=np.float64)
    decimate_rows([x], n_out=8, window=5)
    decimate_rows([x], n_out=8, window=None)
    return True


def warm_up_async() -> threading.Thread:
    """:func:`warm_up` in a daemon thread, started once per process; returns that thread."""
    global _warming
    with _lock:
        _warming = start_once(_warming, warm_up, "emgviz-overview-warm-up")
        return _warming


def bucketing(n: int, n_out: int) -> tuple[int, int]:
    """(samples per bucket, buckets) of :func:`~emgviz.plotting.decimate.minmax_indices` for ``n`` samples."""
    n_buckets = n_out // 2
    size = -(-n // n_buckets)
    return size, -(-n // size)


def decimate_rows(rows, *, n_out: int, window: int | None, n_workers: int = 1) -> list:
    """Min–max decimation of each row and (``window`` given) of its centred moving RMS, one pass per row.

    Parameters
    ----------
    rows : sequence of ndarray of float64, shape (n,) each
        The rows (C-contiguous; all of one length ``n > n_out``).
    n_out : int
        Most points per row (at least 2).
    window : int or None
        RMS window in samples (``1 <= window < n``: :func:`emgviz.envelopes.window_samples`);
        None: the signal only.
    n_workers : int, default=1
        Threads; rows are shared out between them (the kernel releases the GIL).

    Returns
    -------
    list of (sig_idx, env_idx, env_val)
        Per row: the indices ``minmax_indices`` gives for the row, those it gives for
        ``rms_envelope(row, ...)`` and the envelope's values there (None, None without ``window``).
    """
    k = kernel()
    if k is None:  # pragma: no cover - callers check usable() first
        raise RuntimeError(f"the numba decimation kernel is not available ({failure})")
    rows = list(rows)
    n = rows[0].shape[0] if rows else 0
    size, n_buckets = bucketing(n, n_out)

    def run(first: int) -> dict:
        res = np.zeros(2, dtype=np.int64)
        cbuf = np.empty(size + (window or 0) + 1)
        ebuf = np.empty(size)
        done = {}
        for r in range(first, len(rows), n_workers):
            x = rows[r]
            sig = np.empty(2 * n_buckets, dtype=np.int64)
            if window is None:
                k.decimate_row(x, size, n_buckets, sig, res)
                done[r] = (sig, None, None)
            else:
                env = np.empty(2 * n_buckets, dtype=np.int64)
                val = np.empty(2 * n_buckets)
                k.decimate_rms_row(x, size, n_buckets, int(window), cbuf, sig, env, val, ebuf, res)
                done[r] = (sig, env, val)
        return done

    n_workers = max(1, min(int(n_workers), len(rows)))
    done: dict = {}
    if n_workers == 1:
        done = run(0)
    else:
        from .._threads import thread_map
        for part in thread_map(run, range(n_workers), n_workers):
            done.update(part)
    return [done[r] for r in range(len(rows))]
