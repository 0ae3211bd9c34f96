"""Amplitude envelopes of EMG: moving RMS, moving average, linear envelope, Teager–Kaiser.

All envelopes are centred (no delay), as long as the input, computed along the last axis
in O(n) with cumulative sums (no Python loop over samples). At the edges the window is
kept at full length and slid inwards (it stops at the first / last sample), so there is
neither zero-padding dip nor shortened-window noise: a constant-amplitude sine has a flat
envelope right up to both ends. An even window of w samples around sample n spans
n − w/2 + 1 … n + w/2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._checks import check_fs, check_order, check_positive
from .filters import NYQUIST_FRACTION, _filtfilt, _work

__all__ = ["rms_envelope", "moving_average", "linear_envelope", "tkeo", "window_samples",
           "EnvelopeMethod", "ENVELOPE_METHODS", "envelope_method"]


def window_samples(fs: float, window_ms: float) -> int:
    """Window length in samples: ``round(window_ms * fs / 1000)``, at least 1."""
    fs = check_fs(fs)
    window_ms = check_positive(window_ms, "window_ms", "ms")
    return max(1, int(round(window_ms * fs / 1000.0)))


#: Output samples per block of :func:`_centred_mean` (the block's arithmetic stays in cache).
_BLOCK = 1 << 15


def _centred_mean(y: np.ndarray, w: int, *, square: bool = False, root: bool = False,
                  out: np.ndarray | None = None) -> np.ndarray:
    """Mean of ``y`` (of ``y²`` when ``square``) over a centred window of ``w`` samples, slid inwards
    at the edges; its square root when ``root`` (a running-sum moving RMS).

    One cumulative sum (the running sum of the window is its difference at the two ends),
    then the window means block by block, so that the squaring and the root add no
    full-length temporaries. ``out``: a float64 array of ``y``'s shape to write into (else a new one).
    """
    n = y.shape[-1]
    if out is None:
        out = np.empty(y.shape, dtype=np.float64)
    if w >= n:
        v = y * y if square else y
        out[...] = np.broadcast_to(v.mean(axis=-1, keepdims=True), y.shape)
        return np.sqrt(np.maximum(out, 0.0, out=out), out=out) if root else out
    c = _work(2, y.shape[:-1] + (n + 1,))  # a reused buffer inside filters.scratch_buffers()
    c[..., 0] = 0.0
    if square:
        np.multiply(y, y, out=c[..., 1:])
        np.cumsum(c[..., 1:], axis=-1, out=c[..., 1:])
    else:
        np.cumsum(y, axis=-1, out=c[..., 1:])
    h = (w - 1) // 2                     # samples before the centre
    m = n - w + 1                        # number of full windows
    inv = 1.0 / w
    for a in range(0, m, _BLOCK):
        b = min(a + _BLOCK, m)
        o = out[..., h + a:h + b]
        np.subtract(c[..., w + a:w + b], c[..., a:b], out=o)
        o *= inv
        if root:
            np.maximum(o, 0.0, out=o)  # cumulative-sum rounding can leave -1e-20
            np.sqrt(o, out=o)
    out[..., :h] = out[..., h:h + 1]     # window slid inwards at the start ...
    out[..., h + m:] = out[..., h + m - 1:h + m]  # ... and at the end
    return out


def rms_envelope(x, fs: float, *, window_ms: float, out: np.ndarray | None = None) -> np.ndarray:
    """Moving root-mean-square amplitude, centred (Merletti & Parker 2004, sec. 6.2).

    ``RMS[n] = sqrt(mean(x[k]², k in window around n))``; the window has
    ``round(window_ms * fs / 1000)`` samples and is slid inwards at the edges.

    Parameters
    ----------
    x : array_like, shape (..., n_samples)
        Signal (rectified or not: RMS is the same), unit U.
    fs : float
        Sampling rate in Hz.
    window_ms : float
        Window length in ms (50–250 ms are usual for surface EMG).
    out : ndarray, optional
        A C-contiguous float64 array of the same shape to write the result into (saves
        allocating one, e.g. when enveloping channel after channel for display).

    Returns
    -------
    ndarray of float64, same shape, unit U (``out`` when given)

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(2000) / 1000.0
    >>> env = rms_envelope(2.0 * np.sin(2 * np.pi * 50 * t), 1000.0, window_ms=100)
    >>> bool(np.allclose(env, np.sqrt(2), rtol=0.01))
    True
    """
    arr = np.asarray(x, dtype=np.float64)
    return _centred_mean(arr, window_samples(fs, window_ms), square=True, root=True, out=_check_out(out, arr))


def moving_average(x, fs: float, *, window_ms: float, out: np.ndarray | None = None) -> np.ndarray:
    """Moving average of the rectified signal ``|x|`` (average rectified value), centred.

    Parameters
    ----------
    x : array_like, shape (..., n_samples)
        Signal, unit U (rectified inside).
    fs : float
        Sampling rate in Hz.
    window_ms : float
        Window length in ms.
    out : ndarray, optional
        A float64 array of the same shape for the result (see :func:`rms_envelope`).

    Returns
    -------
    ndarray of float64, same shape, unit U
        For a sine of amplitude A: 2A/π (De Luca 1997).
    """
    arr = np.abs(np.asarray(x, dtype=np.float64))
    return _centred_mean(arr, window_samples(fs, window_ms), out=_check_out(out, arr))


def linear_envelope(x, fs: float, *, cutoff_hz: float, order: int = 2,
                    out: np.ndarray | None = None) -> np.ndarray:
    """Linear envelope: zero-phase Butterworth low-pass of ``|x|`` (Winter 2009, sec. 10.2).

    The rectified signal is padded by even reflection over ``3 / cutoff_hz`` s (or the
    whole signal when shorter) so that the filter has settled before the first sample.

    Parameters
    ----------
    x : array_like, shape (..., n_samples)
        Signal, unit U (rectified inside).
    fs : float
        Sampling rate in Hz.
    cutoff_hz : float
        Low-pass cutoff in Hz (3–10 Hz usual); must be below fs/2.
    order : int, default=2
        Butterworth order (zero phase doubles it).
    out : ndarray, optional
        A float64 array of the same shape for the result (see :func:`rms_envelope`).

    Returns
    -------
    ndarray of float64, same shape, unit U
    """
    fs = check_fs(fs)
    cutoff = check_positive(cutoff_hz, "cutoff_hz", "Hz")
    if cutoff >= fs / 2:
        raise ValueError(f"cutoff_hz must be below fs/2 = {fs / 2:g} Hz (fs={fs:g} Hz), got {cutoff:g} Hz; "
                         f"try {NYQUIST_FRACTION * fs / 2:g} Hz or less")
    from scipy import signal  # here, not at the top: `import emgviz.settings` stays light

    sos = signal.butter(check_order(order), cutoff, btype="lowpass", fs=fs, output="sos")
    arr = np.asarray(x, dtype=np.float64)
    padlen = int(np.ceil(3.0 * fs / cutoff))
    return _filtfilt(sos, arr, padtype="even", padlen=padlen, out=_check_out(out, arr), rectify=True)


def _check_out(out, arr: np.ndarray):
    if out is not None and (not isinstance(out, np.ndarray) or out.shape != arr.shape
                            or out.dtype != np.float64 or not out.flags.c_contiguous):
        raise ValueError(f"out must be a C-contiguous float64 array of shape {arr.shape}")
    return out


def tkeo(x) -> np.ndarray:
    """Teager–Kaiser energy operator ``ψ[n] = x[n]² − x[n−1]·x[n+1]`` (Kaiser 1990, ICASSP).

    Used to sharpen EMG onsets (Li, Zhou & Aruin 2007, Ann Biomed Eng 35:1532). The first
    and last samples, which lack a neighbour, repeat their inner neighbour's value;
    signals of fewer than 3 samples give ``x²``.

    Parameters
    ----------
    x : array_like, shape (..., n_samples)
        Signal, unit U.

    Returns
    -------
    ndarray of float64, same shape, unit U²
        For ``A sin(ω n + φ)``: the constant ``A² sin²(ω)``.
    """
    arr = np.asarray(x, dtype=np.float64)
    n = arr.shape[-1]
    if n < 3:
        return arr * arr
    out = np.empty_like(arr)
    out[..., 1:-1] = arr[..., 1:-1] ** 2 - arr[..., :-2] * arr[..., 2:]
    out[..., 0] = out[..., 1]
    out[..., -1] = out[..., -2]
    return out


# ---- the envelope methods of the pipeline: one row each ---------------------------------
@dataclass(frozen=True)
class EnvelopeMethod:
    """One envelope method of :class:`~emgviz.settings.Settings` (a row of :data:`ENVELOPE_METHODS`).

    Attributes
    ----------
    label : str
        What the sidebar shows, e.g. "RMS window".
    param : str
        The :class:`~emgviz.settings.Settings` field holding its one parameter, e.g. "rms_window_ms".
    unit : {"ms", "Hz"}
        Unit of that parameter. A parameter in Hz is a cutoff: at or above fs/2 the pipeline
        clips it to 0.95·fs/2, with a warning.
    compute : callable
        ``compute(x, fs, **{keyword: value})`` → envelope of ``x`` along the last axis.
    keyword : str
        The keyword of ``compute`` that takes the parameter, e.g. "window_ms".
    short : str
        Name in the one-line description and the step label ("envelope RMS 100 ms").
    how : str
        Plain-language phrase for the Teach caption, formatted with ``value`` and ``unit``.
    bandwidth_hz : callable
        ``bandwidth_hz(value)``: about how far up in frequency the envelope reaches (Hz).
    reference : str
        Where the method is defined.
    """

    label: str
    param: str
    unit: str
    compute: Callable[..., np.ndarray]
    keyword: str
    short: str
    how: str
    bandwidth_hz: Callable[[float], float]
    reference: str

    def text(self, value: float) -> str:
        """``"envelope RMS 100 ms"``: the method and its parameter, for descriptions and labels."""
        return f"envelope {self.short} {value:g} {self.unit}"

    def caption(self, value: float) -> str:
        """The plain-language phrase of the Teach caption, e.g. "a moving RMS over 100 ms"."""
        return self.how.format(value=value, unit=self.unit)

    def apply(self, x, fs: float, value: float, out: np.ndarray | None = None) -> np.ndarray:
        """The envelope of ``x`` (any shape, last axis is time) at ``fs`` Hz with parameter ``value``
        (written into ``out`` when given, a float64 array of ``x``'s shape)."""
        if out is None:
            return self.compute(x, fs, **{self.keyword: value})
        return self.compute(x, fs, **{self.keyword: value}, out=out)


#: The pipeline's envelope methods. Adding one is one function above and one row here.
ENVELOPE_METHODS: dict[str, EnvelopeMethod] = {
    "rms": EnvelopeMethod(
        label="RMS window", param="rms_window_ms", unit="ms", compute=rms_envelope, keyword="window_ms",
        short="RMS", how="a moving RMS over {value:g} {unit}", bandwidth_hz=lambda ms: 1000.0 / ms,
        reference="Merletti & Parker 2004, sec. 6.2"),
    "lowpass": EnvelopeMethod(
        label="Low-pass (linear envelope)", param="lowpass_hz", unit="Hz", compute=linear_envelope,
        keyword="cutoff_hz", short="low-pass", how="a {value:g} {unit} low-pass of the rectified signal",
        bandwidth_hz=lambda hz: hz, reference="Winter 2009, sec. 10.2"),
}


def envelope_method(name: str) -> EnvelopeMethod:
    """The row of :data:`ENVELOPE_METHODS` called ``name``; an unknown name raises, listing the known ones.

    Examples
    --------
    >>> envelope_method("rms").text(100.0)
    'envelope RMS 100 ms'
    """
    try:
        return ENVELOPE_METHODS[name]
    except (KeyError, TypeError):
        listing = ", ".join(repr(m) for m in ENVELOPE_METHODS)
        raise ValueError(f"envelope must be one of {listing}, got {name!r}") from None
