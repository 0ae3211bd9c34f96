"""The onset detectors for one channel ``(x, fs, *, ...)`` and their table :data:`DETECTORS`.

Each returns a list of ``(onset_idx, offset_idx)`` pairs, half-open like a slice
(``x[onset_idx:offset_idx]`` is the burst, so ``offset_idx`` is the first inactive sample
and may equal ``len(x)``):

* :func:`threshold_onsets` — envelope above mean + k·SD of rest (Hodges & Bui 1996);
* :func:`double_threshold_onsets` — sample threshold plus m-out-of-n samples within a window on
  the whitened signal (Bonato, D'Alessio & Knaflitz 1998);
* :func:`tkeo_onsets` — threshold on the Teager–Kaiser energy operator output (Li, Zhou & Aruin
  2007; Solnik, Rider, Steinweg, DeVita & Hortobágyi 2010).

The rest segment each one needs comes from :mod:`emgviz.onset_rest`. :func:`emgviz.onsets.detect_bursts`
runs them on every channel of a Recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import linalg, signal, stats

from ._checks import check_fs, check_int, check_positive
from .envelopes import moving_average, rms_envelope, tkeo, window_samples
from .filters import bandpass, clip_band
from .onset_rest import _ms_to_samples, _rest_slice, _signal_1d

__all__ = ["threshold_onsets", "double_threshold_onsets", "tkeo_onsets", "tkeo_conditioned",
           "Detector", "DETECTORS", "DETECTION_METHODS"]


# ---- burst masks to (onset, offset) pairs --------------------------------------------------------
def _runs(mask) -> tuple[np.ndarray, np.ndarray]:
    """(starts, stops) of the runs of True in a 1-D mask, half-open, as index arrays in order."""
    m = np.asarray(mask, dtype=bool)
    edges = np.diff(np.concatenate(([False], m, [False])).astype(np.int8))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _mask_to_pairs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True as half-open (start, stop) pairs, in order; never mixes up/down crossings."""
    starts, stops = _runs(mask)
    return [(int(a), int(b)) for a, b in zip(starts, stops)]


def _clean_pairs(pairs, fs: float, min_on_ms: float, min_off_ms: float) -> list[tuple[int, int]]:
    """Merge bursts separated by gaps shorter than ``min_off_ms``, then drop those shorter than ``min_on_ms``."""
    min_off = _ms_to_samples(min_off_ms, fs, "min_off_ms")
    min_on = _ms_to_samples(min_on_ms, fs, "min_on_ms")
    merged: list[list[int]] = []
    for on, off in pairs:
        if merged and on - merged[-1][1] < min_off:
            merged[-1][1] = off
        else:
            merged.append([on, off])
    return [(on, off) for on, off in merged if off - on >= max(min_on, 1)]


def _threshold_mask(env: np.ndarray, rest: slice, k: float) -> np.ndarray:
    base = env[rest]
    return env > base.mean() + k * base.std()


# ---- detectors ----------------------------------------------------------------------------------
def threshold_onsets(x, fs, *, k: float = 5.0, window_ms: float = 25.0, rest=None,
                     rest_window_s: float = 1.0, min_on_ms: float = 50.0,
                     min_off_ms: float = 50.0) -> list[tuple[int, int]]:
    """Bursts where the RMS envelope exceeds mean + k·SD of rest (Hodges & Bui 1996).

    The mean-removed signal's RMS envelope (centred window of ``window_ms``) is compared with
    the threshold mean + ``k``·SD of the envelope over the rest segment. Bursts closer than
    ``min_off_ms`` are merged, then bursts shorter than ``min_on_ms`` are dropped, so one noise
    spike does not make a burst (Hodges & Bui 1996 required the envelope to stay above
    threshold for 25–50 ms).

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel of EMG, ideally band-passed (e.g. ``preprocess(...).filtered``).
    fs : float
        Sampling rate in Hz.
    k : float, default=5.0
        Threshold in rest standard deviations above the rest mean. Hodges & Bui (1996) used
        1–3 SD on short trials with a known baseline; 5 keeps minutes of pure noise free of
        false bursts even with an automatically found (hence slightly too quiet) rest window
        (k=3 gave false bursts in 60 s of noise at 1 and 2 kHz; k=4 and above gave none).
    window_ms : float, default=25.0
        RMS envelope window in ms. Longer windows are smoother but move onsets earlier (up to
        half a window at high SNR).
    rest : (start_s, stop_s) or None, default=None
        Rest segment in s from the first sample of ``x``; None finds the quietest window
        (see :func:`quietest_window`).
    rest_window_s : float, default=1.0
        Length in s of the automatically found rest window.
    min_on_ms : float, default=50.0
        Shortest burst kept, in ms.
    min_off_ms : float, default=50.0
        Shortest gap between bursts, in ms; shorter gaps are merged.

    Returns
    -------
    list of (onset_idx, offset_idx)
        Half-open sample ranges, in time order.

    References
    ----------
    Hodges PW, Bui BH (1996). A comparison of computer-based methods for the determination of
    onset of muscle contraction using electromyography. Electroencephalogr Clin Neurophysiol
    101(6):511–519.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=6000); x[3000:4000] *= 10
    >>> threshold_onsets(x, fs=1000.0)
    [(2990, 4012)]
    """
    x = _signal_1d(x)
    fs = check_fs(fs)
    k = check_positive(k, "k")
    check_positive(window_ms, "window_ms", "ms")
    env = rms_envelope(x - x.mean(), fs, window_ms=window_ms)
    mask = _threshold_mask(env, _rest_slice(x, fs, rest, rest_window_s), k)
    return _clean_pairs(_mask_to_pairs(mask), fs, min_on_ms, min_off_ms)


def _whitening_filter(x: np.ndarray, rest: slice, order: int) -> np.ndarray:
    """AR(order) prediction-error filter fitted to the rest segment (Yule–Walker)."""
    seg = x[rest] - x[rest].mean()
    n = seg.size
    order = int(min(order, max(n // 10, 0)))
    if order < 1:
        return np.array([1.0])
    r = np.correlate(seg, seg, mode="full")[n - 1:n + order] / n
    if r[0] <= 0:
        return np.array([1.0])
    try:
        a = linalg.solve_toeplitz(r[:order], r[1:order + 1])
    except linalg.LinAlgError:
        return np.array([1.0])
    return np.concatenate(([1.0], -a))


def double_threshold_onsets(x, fs, *, p_sample: float = 0.05, window_ms: float = 30.0,
                            p_false: float = 1e-6, whiten_order: int = 8, rest=None,
                            rest_window_s: float = 1.0, min_on_ms: float = 50.0,
                            min_off_ms: float = 50.0) -> list[tuple[int, int]]:
    """Bursts by the double-threshold detector of Bonato, D'Alessio & Knaflitz (1998).

    1. The mean-removed signal is whitened by an AR(``whiten_order``) prediction-error filter
       fitted to the rest segment (Yule–Walker), so rest samples are close to independent
       Gaussian with variance σ² (measured on the rest segment).
    2. First threshold, per sample: ``e² / σ² > ζ`` with ζ the χ²(1) quantile exceeded with
       probability ``p_sample`` at rest.
    3. Second threshold, per window: a sample is active when at least ``m`` of the ``n``
       samples in the centred window of ``window_ms`` pass the first threshold; ``m`` is the
       smallest count whose binomial tail probability ``P(count ≥ m | n, p_sample)`` at rest
       is at most ``p_false``. At the first and last samples the window is slid inwards
       rather than shortened.
    4. Gaps shorter than ``min_off_ms`` are merged, bursts shorter than ``min_on_ms`` dropped.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel of EMG, ideally band-passed.
    fs : float
        Sampling rate in Hz.
    p_sample : float, default=0.05
        False-alarm probability of the first (sample) threshold, 0 < p_sample < 1.
    window_ms : float, default=30.0
        Length of the m-out-of-n window in ms (n = window_ms·fs/1000 samples).
    p_false : float, default=1e-6
        False-alarm probability per window of the second threshold; sets ``m``.
    whiten_order : int, default=8
        Order of the AR whitening filter; 0 switches whitening off.
    rest : (start_s, stop_s) or None, default=None
        Rest segment in s from the first sample of ``x``; None finds the quietest window.
    rest_window_s : float, default=1.0
        Length in s of the automatically found rest window.
    min_on_ms : float, default=50.0
        Shortest burst kept, in ms.
    min_off_ms : float, default=50.0
        Shortest gap between bursts, in ms; shorter gaps are merged.

    Returns
    -------
    list of (onset_idx, offset_idx)
        Half-open sample ranges, in time order.

    References
    ----------
    Bonato P, D'Alessio T, Knaflitz M (1998). A statistical method for the measurement of
    muscle activation intervals from surface myoelectric signal during gait. IEEE Trans Biomed
    Eng 45(3):287–299.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=6000); x[3000:4000] *= 10
    >>> double_threshold_onsets(x, fs=1000.0)
    [(2994, 3999)]
    """
    x = _signal_1d(x)
    fs = check_fs(fs)
    p_sample = float(p_sample)
    if not 0 < p_sample < 1:
        raise ValueError(f"p_sample must be a probability between 0 and 1, got {p_sample!r}")
    p_false = float(p_false)
    if not 0 < p_false < 1:
        raise ValueError(f"p_false must be a probability between 0 and 1, got {p_false!r}")
    whiten_order = check_int(whiten_order, "whiten_order", 0)
    n_win = window_samples(fs, window_ms)
    x0 = x - x.mean()
    rest_sl = _rest_slice(x, fs, rest, rest_window_s)
    a = _whitening_filter(x0, rest_sl, int(whiten_order))
    e = signal.lfilter(a, [1.0], x0)
    var = e[rest_sl].var()
    if var <= 0:
        return []
    zeta = stats.chi2.isf(p_sample, df=1)
    passed = (e * e / var > zeta).astype(np.float64)
    # m: smallest count with P(count >= m) <= p_false under Binomial(n, p_sample)
    counts_at_rest = np.arange(n_win + 1)
    tail = stats.binom.sf(counts_at_rest - 1, n_win, p_sample)
    ok = np.flatnonzero(tail <= p_false)
    m = int(ok[0]) if ok.size else n_win
    # count in a centred window of n_win samples, slid inwards at the edges (never half-empty)
    count = moving_average(passed, fs, window_ms=window_ms) * n_win
    mask = count >= m - 1e-6
    return _clean_pairs(_mask_to_pairs(mask), fs, min_on_ms, min_off_ms)


def tkeo_onsets(x, fs, *, k: float = 8.0, band_hz: tuple[float, float] = (30.0, 300.0),
                window_ms: float = 20.0, rest=None, rest_window_s: float = 1.0,
                min_on_ms: float = 50.0, min_off_ms: float = 50.0) -> list[tuple[int, int]]:
    """Bursts where the Teager–Kaiser energy of the signal exceeds mean + k·SD of rest.

    Following Solnik et al. (2010): band-pass ``band_hz`` (Butterworth order 4, zero-phase;
    an edge at or above fs/2 is lowered to 0.95·fs/2, as in the pipeline), TKEO ψ[n] = x[n]² − x[n−1]·x[n+1]
    (Li, Zhou & Aruin 2007), full-wave rectification, then a moving average over
    ``window_ms``. The conditioned signal is compared with mean + ``k``·SD of its rest segment.
    TKEO output at rest is heavy-tailed, hence a larger default ``k`` than the envelope method.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel of EMG (raw or band-passed).
    fs : float
        Sampling rate in Hz.
    k : float, default=8.0
        Threshold in rest standard deviations above the rest mean.
    band_hz : (float, float), default=(30.0, 300.0)
        Band-pass applied before the TKEO, in Hz.
    window_ms : float, default=20.0
        Moving-average window of the rectified TKEO output, in ms (its first spectral null is
        at 50 Hz, like the 50 Hz low-pass of Solnik et al. 2010).
    rest : (start_s, stop_s) or None, default=None
        Rest segment in s from the first sample of ``x``; None finds the quietest window.
    rest_window_s : float, default=1.0
        Length in s of the automatically found rest window.
    min_on_ms : float, default=50.0
        Shortest burst kept, in ms.
    min_off_ms : float, default=50.0
        Shortest gap between bursts, in ms; shorter gaps are merged.

    Returns
    -------
    list of (onset_idx, offset_idx)
        Half-open sample ranges, in time order.

    References
    ----------
    Li X, Zhou P, Aruin AS (2007). Teager–Kaiser energy operation of surface EMG improves
    muscle activity onset detection. Ann Biomed Eng 35(9):1532–1538.
    Solnik S, Rider P, Steinweg K, DeVita P, Hortobágyi T (2010). Teager–Kaiser energy operator
    signal conditioning improves EMG onset detection. Eur J Appl Physiol 110(3):489–498.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=6000); x[3000:4000] *= 10
    >>> tkeo_onsets(x, fs=1000.0)
    [(2991, 4008)]
    """
    x = _signal_1d(x)
    fs = check_fs(fs)
    k = check_positive(k, "k")
    check_positive(window_ms, "window_ms", "ms")
    cond = tkeo_conditioned(x, fs, band_hz=band_hz, window_ms=window_ms)
    mask = _threshold_mask(cond, _rest_slice(x, fs, rest, rest_window_s), k)
    return _clean_pairs(_mask_to_pairs(mask), fs, min_on_ms, min_off_ms)


def tkeo_conditioned(x, fs, *, band_hz=(30.0, 300.0), window_ms: float = 20.0) -> np.ndarray:
    """Band-pass → TKEO → rectify → moving average: the signal :func:`tkeo_onsets` thresholds."""
    x = _signal_1d(x)
    fs = check_fs(fs)
    low, high = (float(v) for v in band_hz)
    low, high, _ = clip_band(low, high, fs)  # the pipeline's rule: an edge at/above fs/2 → 0.95·fs/2
    if not 0 < low < high:
        raise ValueError(f"band_hz must be (low, high) with 0 < low < high < fs/2 = {fs / 2:g} Hz, "
                         f"got {tuple(band_hz)}")
    filtered = bandpass(x - x.mean(), fs, low, high)
    return moving_average(np.abs(tkeo(filtered)), fs, window_ms=window_ms)


@dataclass(frozen=True)
class Detector:
    """One onset detector (a row of :data:`DETECTORS`).

    Attributes
    ----------
    label : str
        What a menu shows.
    find : callable
        ``find(x, fs, *, rest=slice, **options)`` → list of ``(onset_idx, offset_idx)``.
    reference : str
        Where the method is defined.
    """

    label: str
    find: Callable[..., list]
    reference: str


#: The onset detectors of :func:`detect_bursts`. Adding one is one function above and one row here.
DETECTORS: dict[str, Detector] = {
    "threshold": Detector("Threshold on the envelope", threshold_onsets, "Hodges & Bui 1996"),
    "double": Detector("Double threshold", double_threshold_onsets, "Bonato, D'Alessio & Knaflitz 1998"),
    "tkeo": Detector("Teager–Kaiser energy", tkeo_onsets, "Li, Zhou & Aruin 2007; Solnik et al. 2010"),
}
#: Detector names accepted by :func:`detect_bursts` (``method=``): the keys of :data:`DETECTORS`.
DETECTION_METHODS = tuple(DETECTORS)
_DETECTORS = {name: d.find for name, d in DETECTORS.items()}  # the former private table, kept for callers
