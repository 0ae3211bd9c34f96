"""Zero-phase filters for surface EMG: DC removal, band-pass, mains notch, rectification.

Conventions follow SENIAM / ISEK (Merletti & Parker 2004, ch. 5; De Luca 1997, J Appl
Biomech 13:135): a 20–450 Hz Butterworth band-pass applied forwards and backwards
(zero phase, so the effective magnitude response is |H|²), an optional notch at the
mains frequency and its harmonics, then full-wave rectification. Every function works
along the last axis, takes the sampling rate ``fs`` in Hz and returns a new array; the
input is never modified.

Short signals
-------------
``sosfiltfilt`` pads the signal at both ends (odd extension of ``padlen`` samples,
``3 * (2 * n_sections + 1)`` by default). When a signal is not longer than that pad,
the pad is shortened to ``n_samples - 1`` samples instead of failing, so a short crop
still filters; expect edge transients on such signals (a filter cannot settle in fewer
samples than its impulse response). :func:`pad_length` tells the default pad.
"""

from __future__ import annotations

import contextlib
import functools
import math
import threading

import numpy as np

from . import iir_simd
from ._checks import check_band, check_fs, check_int, check_order, check_positive

__all__ = [
    "remove_dc", "design_bandpass", "bandpass", "design_notch", "notch", "rectify", "notch_frequencies",
    "pad_length", "filtfilt", "clip_band", "scratch_buffers", "NYQUIST_FRACTION", "MAINS_HZ",
]

#: Band edges at or above fs/2 are clipped to this fraction of fs/2.
NYQUIST_FRACTION = 0.95

#: Mains frequencies (Hz) a notch can be set to, and where each is used. Adding one is one row.
MAINS_HZ: dict[float, str] = {
    50.0: "Europe, Asia, Africa, Australia",
    60.0: "the Americas and parts of Asia",
}


def remove_dc(x) -> np.ndarray:
    """Subtract the mean of each signal (DC offset) along the last axis.

    Parameters
    ----------
    x : array_like, shape (..., n_samples)
        Signal(s), any unit.

    Returns
    -------
    ndarray of float64, same shape
        ``x - mean(x)`` along the last axis (a new array).

    Examples
    --------
    >>> remove_dc([1.0, 2.0, 3.0])
    array([-1.,  0.,  1.])
    """
    arr = np.asarray(x, dtype=np.float64)
    return arr - arr.mean(axis=-1, keepdims=True)


def design_bandpass(fs: float, low_hz: float, high_hz: float, *, order: int = 4) -> np.ndarray:
    """Butterworth band-pass as second-order sections.

    Parameters
    ----------
    fs : float
        Sampling rate in Hz.
    low_hz, high_hz : float
        Pass-band edges in Hz (-3 dB points of a single pass); ``0 < low_hz < high_hz < fs/2``.
    order : int, default=4
        Butterworth order of the low-pass prototype (the band-pass has ``order`` sections).

    Returns
    -------
    sos : ndarray, shape (order, 6)

    Raises
    ------
    ValueError
        When the band is not inside (0, fs/2); the message gives the numbers.
    """
    from scipy import signal  # here, not at the top: `import emgviz.settings` stays light
    fs = check_fs(fs)
    check_band(low_hz, high_hz, fs)
    order = check_order(order)
    return signal.butter(order, [float(low_hz), float(high_hz)], btype="bandpass", fs=fs, output="sos")


def bandpass(x, fs: float, low_hz: float, high_hz: float, *, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth band-pass along the last axis (``sosfiltfilt``).

    Forward-backward filtering squares the magnitude response (|H|², so each edge is
    -6 dB) and cancels the phase (Merletti & Parker 2004, sec. 5.4).

    Parameters
    ----------
    x : array_like, shape (..., n_samples)
    fs : float
        Sampling rate in Hz.
    low_hz, high_hz : float
        Pass-band edges in Hz, ``0 < low_hz < high_hz < fs/2``.
    order : int, default=4
        Butterworth order.

    Returns
    -------
    ndarray of float64, same shape as ``x``

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(2000) / 1000.0
    >>> y = bandpass(np.sin(2 * np.pi * 100 * t), 1000.0, 20, 450)
    >>> bool(abs(y[500:1500].std() * np.sqrt(2) - 1) < 0.02)
    True
    """
    return filtfilt(design_bandpass(fs, low_hz, high_hz, order=order), x)


def design_notch(fs: float, mains_hz: float, *, harmonics: int = 3, q: float = 30.0) -> np.ndarray:
    """IIR notches at the mains frequency and its harmonics below fs/2, as sections.

    Parameters
    ----------
    fs : float
        Sampling rate in Hz.
    mains_hz : float
        Mains frequency in Hz (50 in Europe/Asia/Africa, 60 in the Americas); must be below fs/2.
    harmonics : int, default=3
        Number of multiples ``k * mains_hz`` (k = 1..harmonics) to notch; those at or
        above fs/2 are left out.
    q : float, default=30.0
        Quality factor of each notch: -3 dB width = f0 / q (``scipy.signal.iirnotch``).

    Returns
    -------
    sos : ndarray, shape (n_notches, 6)
    """
    from scipy import signal  # here, not at the top: `import emgviz.settings` stays light
    fs = check_fs(fs)
    freqs = notch_frequencies(fs, mains_hz, harmonics)
    q = check_positive(q, "q")
    sections = [signal.tf2sos(*signal.iirnotch(f0, q, fs=fs)) for f0 in freqs]
    return np.vstack(sections)


def notch(x, fs: float, mains_hz: float, *, harmonics: int = 3, q: float = 30.0) -> np.ndarray:
    """Remove mains hum: zero-phase notches at ``mains_hz`` and its harmonics below fs/2.

    Parameters
    ----------
    x : array_like, shape (..., n_samples)
    fs : float
        Sampling rate in Hz.
    mains_hz : float
        Mains frequency in Hz; pass your country's value (50 or 60), there is no default.
    harmonics : int, default=3
    q : float, default=30.0

    Returns
    -------
    ndarray of float64, same shape as ``x``
    """
    return filtfilt(design_notch(fs, mains_hz, harmonics=harmonics, q=q), x)


def rectify(x) -> np.ndarray:
    """Full-wave rectification ``|x|`` (De Luca 1997).

    Examples
    --------
    >>> rectify([-1.0, 2.0, -3.0])
    array([1., 2., 3.])
    """
    return np.abs(np.asarray(x, dtype=np.float64))


# ---- zero-phase application, shared with the pipeline --------------------------------------------------
def pad_length(sos) -> int:
    """Default ``sosfiltfilt`` pad (samples) for ``sos``; shorter signals get a shorter pad."""
    sos = np.atleast_2d(sos)
    ntaps = 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return 3 * ntaps


def filtfilt(sos, x, *, padtype: str = "odd", padlen: int | None = None) -> np.ndarray:
    """Forward-backward ``sosfilt`` along the last axis that does not fail on short signals.

    Same result as ``scipy.signal.sosfiltfilt(sos, x, axis=-1, padtype=padtype,
    padlen=padlen)``, with the pad shortened to ``n_samples - 1`` when the signal is not
    longer than it (``padlen`` defaults to :func:`pad_length`). The result is a new
    C-contiguous float64 array.
    """
    return _filtfilt(sos, np.asarray(x, dtype=np.float64), padtype=padtype, padlen=padlen)


def _filtfilt(sos, arr: np.ndarray, *, padtype: str = "odd", padlen: int | None = None,
              subtract: np.ndarray | None = None, out: np.ndarray | None = None,
              rectify: bool = False) -> np.ndarray:
    """:func:`filtfilt` of ``arr - subtract`` (``|arr|`` when ``rectify``; ``subtract`` broadcast along
    the last axis), written to ``out``.

    Two routes, same numbers: with several rows and numba installed, the channels are filtered
    together in SIMD lanes (:mod:`emgviz.iir_simd`: no full-size temporary, threads over lane
    groups); otherwise SciPy's section loop per row. There, subtracting inside the padded copy
    saves a full-size temporary (the odd and even extensions commute with subtracting a
    constant), and the two passes run in place on that copy (see :func:`_sos_pass`), so the
    filter makes two full-size temporaries in all: the padded signal and its reversal.
    """
    n = arr.shape[-1]
    if n == 0:
        raise ValueError("cannot filter a signal with no samples")
    if padtype not in ("odd", "even"):
        raise ValueError(f"padtype must be 'odd' or 'even', got {padtype!r}")
    sos = np.asarray(sos, dtype=np.float64)
    pad = pad_length(sos) if padlen is None else int(padlen)
    pad = max(0, min(pad, n - 1))
    zi = _sosfilt_zi(sos.tobytes(), sos.shape[0])
    if _lanes(arr) is not None:
        return iir_simd.filtfilt_array(sos, arr, zi, pad, padtype, subtract, out, rectify)
    if rectify:
        arr = np.abs(arr, out=_work(3, arr.shape))  # a reused buffer inside scratch_buffers()
    ext = _padded(arr, pad, padtype, subtract)
    rows = ext.reshape(-1, ext.shape[-1])
    _sos_pass(sos, rows, zi)
    rev = _work(1, rows.shape)
    np.copyto(rev, rows[:, ::-1])
    del ext, rows
    _sos_pass(sos, rev, zi)
    y = rev[:, ::-1][:, pad:n + pad].reshape(arr.shape)
    if out is None:
        return np.array(y, dtype=np.float64, order="C")  # a copy: rev may be a reused buffer
    out[...] = y
    return out


def _lanes(arr: np.ndarray):
    """The SIMD-lane kernel when it should filter ``arr`` (rows × samples), else None (SciPy's route)."""
    return iir_simd.usable(math.prod(arr.shape[:-1]), arr.size)


def _padded(arr: np.ndarray, pad: int, padtype: str, subtract) -> np.ndarray:
    """A C-contiguous float64 copy of ``arr - subtract`` extended by ``pad`` samples at each end
    (in the first scratch buffer inside :func:`scratch_buffers`)."""
    n = arr.shape[-1]
    ext = _work(0, arr.shape[:-1] + (n + 2 * pad,))
    mid = ext[..., pad:pad + n]
    if pad:
        left, right = arr[..., pad:0:-1], arr[..., -2:-pad - 2:-1]
        if padtype == "odd":
            np.subtract(2 * arr[..., :1], left, out=ext[..., :pad])
            np.subtract(2 * arr[..., -1:], right, out=ext[..., pad + n:])
        else:
            ext[..., :pad] = left
            ext[..., pad + n:] = right
        if subtract is not None:  # one pass over the middle: copy and subtract together
            np.subtract(arr, subtract, out=mid)
            ext[..., :pad] -= subtract
            ext[..., pad + n:] -= subtract
        else:
            mid[...] = arr
    elif subtract is not None:
        np.subtract(arr, subtract, out=mid)
    else:
        mid[...] = arr
    return ext


# ---- reusable work buffers -------------------------------------------------------------------------
_local = threading.local()


@contextlib.contextmanager
def scratch_buffers():
    """Inside this block, filtering on this thread reuses a few work buffers instead of allocating them.

    A fresh array of a few MB costs a page fault per 4 kB page on first touch; the pipeline
    filters channel after channel through buffers of the same size, so it wraps its loop
    in this block. The buffers are released when the block ends.
    """
    previous = getattr(_local, "buffers", None)
    _local.buffers = {}
    try:
        yield
    finally:
        _local.buffers = previous


def _work(slot: int, shape: tuple[int, ...]) -> np.ndarray:
    """An uninitialised float64 array of ``shape``: scratch buffer ``slot`` inside :func:`scratch_buffers`."""
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        return np.empty(shape)
    size = math.prod(shape)
    buf = buffers.get(slot)
    if buf is None or buf.size < size:
        buf = buffers[slot] = np.empty(size)
    return buf[:size].reshape(shape)


def _sos_pass(sos: np.ndarray, rows: np.ndarray, zi: np.ndarray) -> None:
    """Filter each row of C-contiguous ``rows`` (m, n) by ``sos`` in place, starting in the steady
    state ``zi`` (n_sections, 2) scaled by the row's first value (as ``sosfiltfilt`` does).

    Calls SciPy's compiled section loop directly when it is there (the same loop
    ``scipy.signal.sosfilt`` runs, without its input copy), else ``sosfilt`` itself.
    """
    state = zi[None, :, :] * rows[:, :1, None]
    kernel = _inplace_sosfilt()
    if kernel is not None:
        kernel(sos, rows, state)
        return
    from scipy import signal
    rows[...], _ = signal.sosfilt(sos, rows, axis=-1, zi=np.moveaxis(state, 0, 1))


@functools.cache
def _inplace_sosfilt():
    """SciPy's private compiled kernel ``_sosfilt(sos, x, zi)`` (in place), or None when it is gone.

    It is what ``scipy.signal.sosfilt`` calls after copying its input (scipy/signal/_sosfilt.pyx,
    the same signature since SciPy 1.4); tests/test_filters.py checks it still gives sosfilt's
    result to the bit, and the public route is used when the import fails.
    """
    try:
        from scipy.signal._sosfilt import _sosfilt
    except ImportError:  # pragma: no cover
        return None
    return _sosfilt


@functools.lru_cache(maxsize=64)
def _sosfilt_zi(sos_bytes: bytes, n_sections: int) -> np.ndarray:
    from scipy import signal  # here, not at the top: `import emgviz.settings` stays light
    sos = np.frombuffer(sos_bytes, dtype=np.float64).reshape(n_sections, 6)
    zi = signal.sosfilt_zi(sos)
    zi.flags.writeable = False
    return zi


def clip_band(low_hz: float, high_hz: float, fs: float) -> tuple[float, float, list[str]]:
    """Band edges with any edge at or above fs/2 clipped to ``NYQUIST_FRACTION``·fs/2.

    Returns ``(low_hz, high_hz, warnings)``, one warning per clipped edge; the edges are not
    otherwise checked (``low_hz`` may end up not below ``high_hz``).

    Examples
    --------
    >>> clip_band(20.0, 450.0, 500.0)
    (20.0, 237.5, ['high_hz 450 Hz is at or above fs/2 = 250 Hz; clipped to 237.5 Hz'])
    """
    nyq = check_fs(fs) / 2
    limit = NYQUIST_FRACTION * nyq
    low, high = float(low_hz), float(high_hz)
    warnings: list[str] = []
    if high >= nyq:
        warnings.append(f"high_hz {high:g} Hz is at or above fs/2 = {nyq:g} Hz; clipped to {limit:g} Hz")
        high = limit
    if low >= nyq:
        warnings.append(f"low_hz {low:g} Hz is at or above fs/2 = {nyq:g} Hz; clipped to {limit:g} Hz")
        low = limit
    return low, high, warnings


def notch_frequencies(fs: float, mains_hz: float, harmonics: int) -> tuple[float, ...]:
    """The multiples ``k * mains_hz`` (k = 1..harmonics) below fs/2, in Hz.

    Examples
    --------
    >>> notch_frequencies(250.0, 50.0, 3)
    (50.0, 100.0)
    """
    fs = check_fs(fs)
    mains = check_positive(mains_hz, "mains_hz", "Hz")
    harmonics = check_int(harmonics, "harmonics", 1)
    if mains >= fs / 2:
        raise ValueError(f"mains_hz must be below fs/2 = {fs / 2:g} Hz (fs={fs:g} Hz), got {mains:g} Hz")
    return tuple(k * mains for k in range(1, int(harmonics) + 1) if k * mains < fs / 2)


_notch_freqs = notch_frequencies  # the former private name

#: Settings-aware design moved to :mod:`emgviz.pipeline` (#12); still importable from here.
_MOVED_TO_PIPELINE = ("effective_band", "effective_notch", "pipeline_sos", "frequency_response", "_pipeline_design")


def __getattr__(name: str):
    if name in _MOVED_TO_PIPELINE:
        from . import pipeline
        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
