"""Power spectra of EMG (Welch) and the spectral features read from them.

Frequency features follow Phinyomark et al. 2012 (Expert Syst Appl 39:7420, sec. 2.2)
and Merletti & Parker 2004 (sec. 6.3). All feature functions take the frequency axis
``f`` (Hz, 1-D, evenly spaced as Welch returns it) and a PSD of shape (..., n_freqs),
and reduce the last axis.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from ._checks import check_fs, check_positive

__all__ = ["welch_psd", "segment_samples", "mean_frequency", "median_frequency", "peak_frequency",
           "total_power", "band_power"]


def segment_samples(fs: float, segment_s: float, n_samples: int) -> int:
    """Welch segment length in samples: ``round(segment_s * fs)``, at most ``n_samples``, at least 1."""
    fs = check_fs(fs)
    segment_s = check_positive(segment_s, "segment_s", "s")
    return int(max(1, min(int(round(segment_s * fs)), int(n_samples))))


def welch_psd(x, fs: float, *, segment_s: float = 0.25, overlap: float = 0.5,
              detrend: str | bool = "constant") -> tuple[np.ndarray, np.ndarray]:
    """Power spectral density by Welch's method along the last axis (Welch 1967).

    Hann-windowed segments of ``round(segment_s * fs)`` samples (0.25 s by default,
    i.e. a 4 Hz resolution), overlapping by ``overlap``, periodograms averaged. A signal
    shorter than one segment is taken as a single segment of its full length.

    Parameters
    ----------
    x : array_like, shape (..., n_samples)
        Signal, unit U.
    fs : float
        Sampling rate in Hz.
    segment_s : float, default=0.25
        Segment length in s.
    overlap : float, default=0.5
        Overlap as a fraction of the segment, 0 <= overlap < 1.
    detrend : {"constant", "linear", False}, default="constant"
        What to remove from each segment before its FFT.

    Returns
    -------
    f_hz : ndarray, shape (n_freqs,)
        Frequencies 0 … fs/2 in Hz, spaced fs / segment length.
    psd : ndarray, shape (..., n_freqs)
        One-sided PSD in U²/Hz; ``psd.sum(-1) * df`` is the mean power (U²).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(4000) / 2000.0
    >>> f, p = welch_psd(np.sin(2 * np.pi * 100 * t), 2000.0)
    >>> float(f[np.argmax(p)])
    100.0
    """
    fs = check_fs(fs)
    arr = np.asarray(x, dtype=np.float64)
    n = arr.shape[-1]
    if n < 1:
        raise ValueError("cannot compute a spectrum of a signal with no samples")
    overlap = float(overlap)
    if not 0.0 <= overlap < 1.0:
        raise ValueError(f"overlap must be a fraction from 0 to below 1, got {overlap!r}")
    nperseg = segment_samples(fs, segment_s, n)
    noverlap = min(int(overlap * nperseg), nperseg - 1)
    return signal.welch(arr, fs=fs, window="hann", nperseg=nperseg, noverlap=noverlap,
                        detrend=detrend, scaling="density", axis=-1)


def _df(f) -> float:
    f = np.asarray(f, dtype=np.float64)
    if f.ndim != 1:
        raise ValueError(f"f must be a 1-D frequency axis in Hz, got shape {f.shape}")
    return float(f[1] - f[0]) if f.size > 1 else 0.0


def _check(f, psd):
    f = np.asarray(f, dtype=np.float64)
    p = np.asarray(psd, dtype=np.float64)
    if f.ndim != 1 or p.shape[-1:] != f.shape:
        raise ValueError(f"psd's last axis must match f: psd shape {p.shape}, f shape {f.shape}")
    return f, p


def mean_frequency(f, psd) -> np.ndarray:
    """Mean (centroid) frequency MNF = Σ f·P / Σ P in Hz (Phinyomark et al. 2012, eq. 24).

    Parameters
    ----------
    f : array_like, shape (n_freqs,)
        Frequencies in Hz.
    psd : array_like, shape (..., n_freqs)

    Returns
    -------
    ndarray, shape (...), Hz (NaN where the spectrum is all zero)
    """
    f, p = _check(f, psd)
    tot = p.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, (p @ f) / np.where(tot > 0, tot, 1.0), np.nan)


def median_frequency(f, psd) -> np.ndarray:
    """Median frequency MDF in Hz: splits the spectrum into two halves of equal power.

    Defined by Σ_{f<MDF} P = Σ_{f>MDF} P = ½ Σ P (Phinyomark et al. 2012, eq. 25). Each
    bin's power is taken as spread evenly over its width, so the result is interpolated
    inside the bin rather than snapped to a bin centre (smooth fatigue trends).

    Parameters
    ----------
    f : array_like, shape (n_freqs,)
        Evenly spaced frequencies in Hz.
    psd : array_like, shape (..., n_freqs)

    Returns
    -------
    ndarray, shape (...), Hz (NaN where the spectrum is all zero)
    """
    f, p = _check(f, psd)
    df = _df(f)
    c = np.cumsum(p, axis=-1)
    tot = c[..., -1:]
    half = 0.5 * tot
    k = np.argmax(c >= half, axis=-1)[..., None]
    below = np.take_along_axis(c, k, axis=-1) - np.take_along_axis(p, k, axis=-1)
    pk = np.take_along_axis(p, k, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(pk > 0, (half - below) / np.where(pk > 0, pk, 1.0), 0.5)
    mdf = f[k] - 0.5 * df + frac * df
    mdf = np.clip(mdf, f[0], f[-1])[..., 0]
    return np.where(tot[..., 0] > 0, mdf, np.nan)


def peak_frequency(f, psd) -> np.ndarray:
    """Frequency of the largest PSD value in Hz (Phinyomark et al. 2012, PKF).

    Returns
    -------
    ndarray, shape (...), Hz
    """
    f, p = _check(f, psd)
    return f[np.argmax(p, axis=-1)]


def total_power(f, psd) -> np.ndarray:
    """Total power Σ P·Δf in U² (Phinyomark et al. 2012, TTP; the mean square by Parseval).

    Returns
    -------
    ndarray, shape (...), U²
    """
    f, p = _check(f, psd)
    return p.sum(axis=-1) * _df(f)


def band_power(f, psd, low_hz: float, high_hz: float) -> np.ndarray:
    """Power in the bins with ``low_hz <= f <= high_hz``, Σ P·Δf in U².

    Parameters
    ----------
    f : array_like, shape (n_freqs,)
        Frequencies in Hz.
    psd : array_like, shape (..., n_freqs)
    low_hz, high_hz : float
        Band edges in Hz (inclusive), ``low_hz <= high_hz``.

    Returns
    -------
    ndarray, shape (...), U²
    """
    f, p = _check(f, psd)
    low, high = float(low_hz), float(high_hz)
    if not low <= high:
        raise ValueError(f"low_hz must not exceed high_hz, got {low:g} Hz and {high:g} Hz")
    mask = (f >= low) & (f <= high)
    return p[..., mask].sum(axis=-1) * _df(f)
