"""Power spectra of EMG (Welch) and the spectral features read from them.

Frequency features follow Phinyomark et al. 2012 (Expert Syst Appl 39:7420, sec. 2.2)
and Merletti & Parker 2004 (sec. 6.3). All feature functions take the frequency axis
``f`` (Hz, 1-D, evenly spaced as Welch returns it) and a PSD of shape (..., n_freqs),
and reduce the last axis.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided
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
    shorter than one segment is taken as a single segment of its full length. The
    segments are transformed in batches of bounded size, so memory stays a small multiple
    of one batch however long the signal; the result equals ``scipy.signal.welch`` with the
    same parameters (``window="hann"``, ``scaling="density"``).

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
    detrend : {"constant", "linear", False} or callable, default="constant"
        What to remove from each segment before its FFT (a callable gets the segments,
        shape (..., n_per_segment), and returns them detrended).

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
    if detrend and not (callable(detrend) or detrend in ("constant", "linear")):
        raise ValueError(f"detrend must be 'constant', 'linear', False or a function, got {detrend!r}")
    nperseg = segment_samples(fs, segment_s, n)
    hop = nperseg - min(int(overlap * nperseg), nperseg - 1)
    psd = _welch_rows(arr.reshape(-1, n), fs, nperseg, hop, detrend=detrend)
    return np.fft.rfftfreq(nperseg, 1.0 / fs), psd.reshape(arr.shape[:-1] + psd.shape[-1:])


# ---- Welch periodograms in bounded memory (shared with emgviz.features) -------------------
_CHUNK_VALUES = 1 << 17  # samples per FFT batch (1 MB of float64)
_AUTO = object()


def _periodogram_scale(fs: float, nperseg: int) -> tuple[np.ndarray, np.ndarray]:
    """(Hann window, one-sided density scale per frequency) as ``scipy.signal.welch`` uses them."""
    win = signal.get_window("hann", nperseg)
    scale = 1.0 / (fs * (win * win).sum())
    factor = np.full(nperseg // 2 + 1, 2.0 * scale)
    factor[0] = scale
    if nperseg % 2 == 0:
        factor[-1] = scale
    return win, factor


def _periodograms(seg: np.ndarray, win: np.ndarray, factor: np.ndarray, detrend="constant") -> np.ndarray:
    """Scaled one-sided periodograms of ``seg`` (..., nperseg), any strides; ``seg`` is not modified."""
    if callable(detrend):
        seg = np.asarray(detrend(seg), dtype=np.float64)
    elif detrend == "constant":
        seg = seg - seg.mean(axis=-1, keepdims=True)
    elif detrend == "linear":
        seg = signal.detrend(seg, type="linear", axis=-1)
    if seg.flags.writeable and seg.flags.owndata:
        seg *= win
    else:
        seg = seg * win
    spec = np.fft.rfft(seg, axis=-1)
    p = spec.real ** 2
    p += spec.imag ** 2
    p *= factor
    return p


def _segment_psds(x: np.ndarray, fs: float, nperseg: int, hop: int, n_seg: int, detrend="constant"):
    """Yield (first_segment, psd[k, n_freqs]) for Hann segments starting at k*hop of 1-D ``x``.

    Scaled exactly as ``scipy.signal.welch(detrend="constant", scaling="density")``; at most
    about ``_CHUNK_VALUES`` samples are transformed at once.
    """
    win, factor = _periodogram_scale(fs, nperseg)
    frames = as_strided(x, shape=(n_seg, nperseg), strides=(hop * x.strides[0], x.strides[0]), writeable=False)
    batch = max(1, _CHUNK_VALUES // nperseg)
    for s0 in range(0, n_seg, batch):
        yield s0, _periodograms(frames[s0:s0 + batch], win, factor, detrend)


def _welch_sum(x: np.ndarray, fs: float, nperseg: int, hop: int, n_seg: int, kernels=None) -> np.ndarray:
    """Welch PSD of one long 1-D ``x`` with constant detrending: the mean of ``n_seg`` segment periodograms.

    The same segments, window, detrending and scaling as :func:`_segment_psds` (so the same PSD as
    ``scipy.signal.welch``, to rounding), with less work per batch of segments: one reused buffer
    for the detrended, windowed segments, the FFT written into one reused array, and the squared
    magnitudes summed over the segments in one reduction (``einsum`` over the real and imaginary
    parts side by side); the density scale is applied once at the end.

    ``kernels``: the compiled ``(welch_frames, power_sum)`` of :func:`emgviz.td_kernel.welch_kernels`,
    which prepare a batch in one read of its samples and add its squared magnitudes in one pass
    (the same operations in another order: equal to rounding); None for NumPy's steps.
    """
    win, factor = _periodogram_scale(fs, nperseg)
    batch = max(1, _CHUNK_VALUES // nperseg // 2)
    n_freq = nperseg // 2 + 1
    seg_buf = np.empty((min(batch, n_seg), nperseg))
    spec_buf = np.empty((min(batch, n_seg), n_freq), dtype=np.complex128)
    acc = np.zeros(2 * n_freq)                   # Σ re², Σ im² per frequency, side by side
    if kernels is not None and x.ndim == 1 and x.dtype == np.float64 and x.flags.c_contiguous:
        frames_into, power_sum = kernels
        for s0 in range(0, n_seg, batch):
            count = min(batch, n_seg - s0)
            frames_into(x, s0, count, hop, win, seg_buf)
            spec = np.fft.rfft(seg_buf[:count], axis=-1, out=spec_buf[:count])
            power_sum(spec.view(np.float64), count, acc)
    else:
        frames = as_strided(x, shape=(n_seg, nperseg), strides=(hop * x.strides[0], x.strides[0]), writeable=False)
        for s0 in range(0, n_seg, batch):
            fr = frames[s0:s0 + batch]
            seg = seg_buf[:fr.shape[0]]
            np.subtract(fr, fr.mean(axis=-1, keepdims=True), out=seg)
            seg *= win
            spec = np.fft.rfft(seg, axis=-1, out=spec_buf[:fr.shape[0]])
            parts = spec.view(np.float64)
            acc += np.einsum("ij,ij->j", parts, parts)
    psd = acc[0::2] + acc[1::2]
    psd *= factor
    psd /= n_seg
    return psd


def _welch_rows(x: np.ndarray, fs: float, nperseg: int, hop: int, *, detrend="constant", kernels=_AUTO) -> np.ndarray:
    """Welch PSD (mean of the segment periodograms) of each row of 2-D ``x`` (any strides).

    Segments of ``nperseg`` samples start every ``hop`` samples; short rows are transformed
    many at a time, long rows segment batch by segment batch (with the compiled steps of
    :func:`emgviz.td_kernel.usable_welch` when ``kernels`` is left to decide, or as given).
    """
    m, n = x.shape
    n_seg = (n - nperseg) // hop + 1
    out = np.empty((m, nperseg // 2 + 1))
    if n_seg * nperseg > _CHUNK_VALUES // 2 and isinstance(detrend, str) and detrend == "constant":
        if kernels is _AUTO:
            from . import td_kernel
            kernels = td_kernel.usable_welch(x.size)
        for i in range(m):
            out[i] = _welch_sum(x[i], fs, nperseg, hop, n_seg, kernels)
        return out
    if n_seg * nperseg > _CHUNK_VALUES // 2:
        for i in range(m):
            acc = out[i]
            acc[:] = 0.0
            for _, p in _segment_psds(x[i], fs, nperseg, hop, n_seg, detrend):
                acc += p.sum(axis=0)
            acc /= n_seg
        return out
    win, factor = _periodogram_scale(fs, nperseg)
    rs, cs = x.strides
    rows = max(1, _CHUNK_VALUES // (n_seg * nperseg))
    for r0 in range(0, m, rows):
        r1 = min(m, r0 + rows)
        seg = as_strided(x[r0:], shape=(r1 - r0, n_seg, nperseg), strides=(rs, hop * cs, cs), writeable=False)
        out[r0:r1] = _periodograms(seg, win, factor, detrend).mean(axis=1)
    return out


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
