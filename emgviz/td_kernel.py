"""The nine time-domain features of a row in one compiled pass (numba), with NumPy's path as fallback.

:func:`emgviz.features.feature_table` needs Σx², Σ|x|, max|x|, Σ|Δx|, ΣΔx², the zero crossings and
the slope sign changes of every channel. NumPy computes them block by block with a temporary per
quantity (:func:`emgviz.features._time_domain_numpy`); the kernel here reads each sample once and keeps
every sum in a register (:func:`emgviz._td_numba.time_domain_1d`). Same definitions, same products and
comparisons: the counts are equal, the sums agree to rounding (< 1e-12 relative; every term is ≥ 0).

numba is optional: :func:`kernel` returns None when it cannot be imported, and the features keep the
NumPy path. The compiled code is cached on disk (``cache=True``); the first call in a fresh process
loads it (or compiles it once per install). ``EMGVIZ_TD=numpy`` forces the NumPy path,
``EMGVIZ_TD=numba`` the kernel at any size; otherwise (auto) the kernel is loaded on the first row of
at least :data:`LOAD_MIN_VALUES` values and used for every row once loaded. The same switch and
loading cover the compiled steps of the Welch PSD around NumPy's FFT (:func:`welch_kernels`,
:mod:`emgviz._welch_numba`), which :func:`emgviz.spectral.welch_psd` uses for long rows.
"""

from __future__ import annotations

import importlib
import threading

from ._kernel_loading import env_mode, import_kernel, start_once

__all__ = ["kernel", "welch_kernels", "usable_welch", "wait_loaded", "available", "mode", "usable", "warm_up", "warm_up_async", "LOAD_MIN_VALUES"]

#: Below this many values the first call does not load numba (NumPy's path is as quick as the import).
LOAD_MIN_VALUES = 1 << 21

_lock = threading.Lock()
_kernel = None            # None: not loaded yet; False: failed; else the compiled function
_welch = None             # None: not loaded yet; False: failed; else (welch_frames, power_sum)
_warming: threading.Thread | None = None
_ready = False            # True once the kernel has run (its machine code is loaded)
#: Why :func:`kernel` returned None (the exception's type and message), else None.
failure: str | None = None


def kernel():
    """The compiled kernel (``x -> (ss, sa, pk, wl, dd, zc, ssc)``), or None without a working numba."""
    global _kernel, failure
    if _kernel is None:
        with _lock:
            if _kernel is None:
                _kernel, failure = import_kernel(lambda: importlib.import_module("._td_numba", __package__).time_domain_1d)
    return _kernel or None


def welch_kernels():
    """The compiled Welch steps ``(welch_frames, power_sum)`` of :mod:`emgviz._welch_numba`, or None
    without a working numba (loaded with the same switch and cache as :func:`kernel`)."""
    global _welch, failure
    if _welch is None:
        with _lock:
            if _welch is None:
                def load():
                    mod = importlib.import_module("._welch_numba", __package__)
                    return mod.welch_frames, mod.power_sum
                _welch, why = import_kernel(load)
                failure = failure or why
    return _welch or None


def usable_welch(n_values: int):
    """The Welch steps when a Welch PSD of ``n_values`` values should use them, else None (NumPy's
    path): the same decision as :func:`usable` (``EMGVIZ_TD`` switches both)."""
    return welch_kernels() if usable(n_values) is not None else None


def available() -> bool:
    """True when the compiled kernel can be used (loads it if needed)."""
    return kernel() is not None


def mode() -> str:
    """``EMGVIZ_TD``: ``"numpy"`` (never the kernel), ``"numba"`` (the kernel whenever it loads), else ``"auto"``."""
    return env_mode("EMGVIZ_TD", ("numpy", "numba"))


def usable(n_values: int):
    """The kernel when it should compute a job of ``n_values`` values, else None (NumPy's path).

    Auto mode: the kernel once loaded; before that, loaded now for a job of at least
    :data:`LOAD_MIN_VALUES` values. While :func:`warm_up_async` is still loading it, NumPy's path
    is taken instead of waiting (the numbers are the same).
    """
    how = mode()
    if how == "numpy":
        return None
    if how == "numba" or _ready:
        return kernel()
    if _warming is not None and _warming.is_alive():
        return None
    if _kernel is not None:
        return kernel()
    return kernel() if n_values >= LOAD_MIN_VALUES else None


def warm_up() -> bool:
    """Load (or compile) the kernel and run it once on a tiny row; True when it works."""
    global _ready
    k = kernel()
    if k is None:
        return False
    import numpy as np
    # the first call loads the machine code from the cache (or compiles it); numba compiles one variant per
    # array type, and a Recording's rows are read-only arrays: both variants, so no first table compiles
    rows = [np.array([1.0, -1.0, 2.0, 0.5, -0.5, 1.5, 0.0, 2.0]) for _ in range(2)]
    rows[1].flags.writeable = False
    for row in rows:
        k(row[:3])
    welch = welch_kernels()
    if welch is not None:            # likewise the Welch steps of the feature table
        frames, power = welch
        out = np.empty((2, 4))
        for row in rows:
            frames(row, 0, 2, 2, np.hanning(4), out)
        power(out, 2, np.zeros(4))
    _ready = True
    return True


def wait_loaded(timeout_s: float) -> bool:
    """Wait up to ``timeout_s`` for a :func:`warm_up_async` still loading the kernels; True when they are ready.

    For work off the request path (a table computed in the background): the compiled path costs about half
    the CPU of NumPy's, so waiting for it there beats starting on NumPy's. Returns at once when nothing is
    loading (the kernels loaded, failed, switched off, or never asked for)."""
    thread = _warming
    if thread is not None and thread.is_alive():
        thread.join(timeout_s)
    return _ready


def warm_up_async() -> threading.Thread:
    """:func:`warm_up` in a daemon thread, started once per process (numba's import and the cache load
    off the path of the first feature table); returns that thread."""
    global _warming
    with _lock:
        _warming = start_once(_warming, warm_up, "emgviz-td-warm-up")
        return _warming
