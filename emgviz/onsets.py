"""Muscle activation detectors: bursts (onset, offset) found in EMG, returned as a table.

Three detectors work on one channel ``(x, fs, *, ...)`` and return a list of
``(onset_idx, offset_idx)`` pairs, half-open like a slice (``x[onset_idx:offset_idx]`` is the
burst, so ``offset_idx`` is the first inactive sample and may equal ``len(x)``):

* :func:`threshold_onsets` — envelope above mean + k·SD of rest (Hodges & Bui 1996);
* :func:`double_threshold_onsets` — sample threshold plus m-out-of-n samples within a window on
  the whitened signal (Bonato, D'Alessio & Knaflitz 1998);
* :func:`tkeo_onsets` — threshold on the Teager–Kaiser energy operator output (Li, Zhou & Aruin
  2007; Solnik, Rider, Steinweg, DeVita & Hortobágyi 2010).

:func:`detect_bursts` runs one (or several) of them on every channel of a :class:`Recording`
and returns a burst table; :func:`consensus` says which detectors agree on each burst.

Every detector needs the level of the signal at rest. Give it (``rest=(start_s, stop_s)``) or
let :func:`quietest_window` find it: the window of ``rest_window_s`` (default 1 s) whose mean
RMS envelope (50 ms) is lowest, searched in steps of a quarter window. The automatic choice
assumes the recording holds at least ``rest_window_s`` of rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import linalg, signal, stats

from ._checks import check_choice, check_fs, check_int, check_positive, check_recording, check_span, time_index
from .envelopes import moving_average, rms_envelope, tkeo, window_samples
from .filters import bandpass, clip_band
from .recording import Recording

__all__ = ["threshold_onsets", "double_threshold_onsets", "tkeo_onsets", "quietest_window",
           "tkeo_conditioned", "detect_bursts", "consensus", "DETECTION_METHODS", "DETECTORS", "Detector", "BURST_COLUMNS", "CONSENSUS_COLUMNS",
           "AREA_WINDOW_MS"]

#: Columns of the table :func:`detect_bursts` returns, in this order.
BURST_COLUMNS = ("channel", "onset_s", "offset_s", "duration_s", "peak", "area", "at_start", "at_end",
                 "method")
#: Columns of the table :func:`consensus` returns, in this order.
CONSENSUS_COLUMNS = ("channel", "onset_s", "offset_s", "n_methods", "methods", "onset_spread_ms")
#: Moving-average window (ms) of the rectified signal whose integral is the burst ``area``.
AREA_WINDOW_MS = 50.0
#: RMS window (ms) of the envelope used to find the quietest (rest) window.
_REST_ENVELOPE_MS = 50.0


# ---- shared helpers ----------------------------------------------------------------------------
def _signal_1d(x, name: str = "x") -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one channel (a 1-D array), got shape {arr.shape}; "
                         "use detect_bursts for a Recording or loop over rows")
    if arr.size < 3:
        raise ValueError(f"{name} needs at least 3 samples, got {arr.size}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values; fill or cut them first")
    return arr


def _ms_to_samples(ms: float, fs: float, name: str) -> int:
    if ms is None or float(ms) == 0:
        return 0
    v = float(ms)
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a duration in ms of 0 or more, got {ms!r}")
    return int(round(v * fs / 1000.0))


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


def _rest_slice(x: np.ndarray, fs: float, rest, rest_window_s: float) -> slice:
    """The rest segment as a slice: ``rest`` in s from the first sample, or the quietest window.

    A ``slice`` (of sample indices, already found by the caller) is returned as it is.
    """
    if isinstance(rest, slice):
        return rest
    n = x.size
    if rest is None:
        start, stop = quietest_window(x, fs, window_s=rest_window_s)
        return slice(start, stop)
    t_a, t_b = check_span(rest, "rest", "(start_s, stop_s)")
    a = max(time_index(t_a, fs), 0)
    b = min(time_index(t_b, fs), n)
    if b - a < 10:
        raise ValueError(f"rest {t_a:g}–{t_b:g} s holds {max(b - a, 0)} samples of a {n / fs:g} s signal; "
                         "give a rest segment of at least 10 samples (ideally ≥ 0.5 s) inside the signal")
    return slice(a, b)


def quietest_window(x, fs, *, window_s: float = 1.0) -> tuple[int, int]:
    """The quietest stretch of a signal: where its RMS envelope has the lowest mean.

    The RMS envelope (50 ms window) of the mean-removed signal is averaged over windows of
    ``window_s`` moved in steps of a quarter window; the window with the lowest mean wins.
    Signals shorter than two windows use windows of a quarter of their length.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel of EMG.
    fs : float
        Sampling rate in Hz.
    window_s : float, default=1.0
        Length of the rest window in s.

    Returns
    -------
    (start_idx, stop_idx) : tuple of int
        Half-open sample range of the quietest window.

    Examples
    --------
    >>> x = np.r_[np.random.default_rng(0).normal(size=2000), 5 * np.random.default_rng(1).normal(size=2000)]
    >>> quietest_window(x, 1000.0, window_s=1.0)[1] <= 2000
    True
    """
    x = _signal_1d(x)
    fs = check_fs(fs)
    window_s = check_positive(window_s, "window_s", "s")
    n = x.size
    w = int(round(window_s * fs))
    if n < 2 * w:
        w = max(n // 4, 1)
    env = rms_envelope(x - x.mean(), fs, window_ms=min(_REST_ENVELOPE_MS, 1000.0 * w / fs))
    csum = np.concatenate(([0.0], np.cumsum(env)))
    step = max(w // 4, 1)
    starts = np.arange(0, n - w + 1, step)
    means = (csum[starts + w] - csum[starts]) / w
    best = int(starts[int(np.argmin(means))])
    return best, best + w


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


# ---- Recording level ---------------------------------------------------------------------------
def _empty_bursts() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in BURST_COLUMNS})
    return frame.astype({"channel": "object", "at_start": "bool", "at_end": "bool", "method": "object"})


def detect_bursts(rec: Recording, *, method: str | Sequence[str] = "threshold", rest=None,
                  **opts) -> pd.DataFrame:
    """Find muscle bursts on every channel of a recording.

    Parameters
    ----------
    rec : Recording
        EMG, ideally band-passed (``preprocess(rec, settings).filtered``); pick the EMG
        channels first (``rec.pick_kind("emg")``).
    method : {"threshold", "double", "tkeo"} or sequence of them, default="threshold"
        The detector: :func:`threshold_onsets` (Hodges & Bui 1996),
        :func:`double_threshold_onsets` (Bonato et al. 1998) or :func:`tkeo_onsets`
        (Solnik et al. 2010). Several methods give one table with a row per burst and method,
        ready for :func:`consensus`.
    rest : (t0_s, t1_s) or None, default=None
        Rest segment in the recording's clock (as :attr:`Recording.times`); None finds the
        quietest window per channel (:func:`quietest_window`).
    **opts
        Options of the detector (``k``, ``window_ms``, ``min_on_ms``, ...); only with one method.

    Returns
    -------
    DataFrame
        One row per burst, columns :data:`BURST_COLUMNS`: ``channel``; ``onset_s`` and
        ``offset_s`` (recording clock; the offset is the time of the first inactive sample);
        ``duration_s``; ``peak`` (max of the rectified, mean-removed signal in the burst, in
        ``rec.unit``); ``area`` (integral over the burst of the 50 ms moving average of the
        rectified signal, ``rec.unit``·s); ``at_start`` / ``at_end`` (the burst touches the
        first / last sample, so its true onset / offset is unknown); ``method``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=6000); x[3000:4000] *= 10
    >>> rec = Recording(x, fs=1000.0, ch_names=["TA"])
    >>> detect_bursts(rec)[["channel", "onset_s", "offset_s"]].round(2).values.tolist()
    [['TA', 2.99, 4.01]]
    """
    check_recording(rec, "detect_bursts", also=" (for one array use threshold_onsets, double_threshold_onsets "
                    "or tkeo_onsets)")
    methods = [method] if isinstance(method, str) else list(method)
    if not methods:
        raise ValueError(f"method must name at least one of {tuple(DETECTORS)}")
    for m in methods:
        check_choice(m, "method", tuple(DETECTORS))
    if opts and len(methods) > 1:
        raise ValueError(f"detector options {sorted(opts)} apply to one method; call detect_bursts once "
                         "per method to tune them")
    fs = rec.fs
    rest_window_s = opts.get("rest_window_s", 1.0)
    rest_sl = None
    if rest is not None:
        t_a, t_b = check_span(rest, "rest")
        t_end = rec.t0 + rec.duration_s
        if not (t_a < t_b) or t_b <= rec.t0 or t_a >= t_end:
            raise ValueError(f"rest {t_a:g}–{t_b:g} s is not inside the recording "
                             f"({rec.t0:g}–{t_end:g} s); give (start, stop) in the recording's clock")
        # the same segment on every channel: found once, in samples
        rest_sl = _rest_slice(rec.data[0], fs, (t_a - rec.t0, t_b - rec.t0), rest_window_s)
    rows = []
    for i, name in enumerate(rec.ch_names):
        x = rec.data[i]
        # the quietest window of this channel, found once for all the detectors
        ch_rest = _rest_slice(x, fs, None, rest_window_s) if rest_sl is None else rest_sl
        x0 = np.abs(x - x.mean())
        area_env = None
        for m in methods:
            pairs = DETECTORS[m].find(x, fs, rest=ch_rest, **opts)
            if pairs and area_env is None:
                area_env = moving_average(x0, fs, window_ms=AREA_WINDOW_MS)
            for on, off in pairs:
                rows.append({
                    "channel": name,
                    "onset_s": rec.t0 + on / fs,
                    "offset_s": rec.t0 + off / fs,
                    "duration_s": (off - on) / fs,
                    "peak": float(x0[on:off].max()),
                    "area": float(area_env[on:off].sum() / fs),
                    "at_start": on == 0,
                    "at_end": off == rec.n_samples,
                    "method": m,
                })
    if not rows:
        return _empty_bursts()
    frame = pd.DataFrame(rows, columns=list(BURST_COLUMNS))
    return frame.astype({"at_start": "bool", "at_end": "bool"})


def consensus(bursts_by_method: Mapping[str, pd.DataFrame] | pd.DataFrame, *,
              tolerance_ms: float = 50.0) -> pd.DataFrame:
    """Group the bursts of several detectors that mark the same activation.

    Bursts of one channel are taken in onset order; a burst joins the current group when it
    starts before the group's end plus ``tolerance_ms`` (the bursts overlap or nearly touch),
    so one detector's long burst and another's two short ones over the same activation form
    one group. Per method, the group keeps its first onset and last offset; the group's onset
    and offset are the medians of those over the methods.

    Parameters
    ----------
    bursts_by_method : dict of {method: DataFrame} or DataFrame
        Burst tables of :func:`detect_bursts`, keyed by method, or one table with a ``method``
        column (``detect_bursts(rec, method=DETECTION_METHODS)``).
    tolerance_ms : float, default=50.0
        Largest gap in ms between a burst and the group before it for the two to be one activation.

    Returns
    -------
    DataFrame
        One row per group, columns :data:`CONSENSUS_COLUMNS`: ``channel``, ``onset_s``,
        ``offset_s``, ``n_methods`` (how many detectors found it), ``methods`` (their names,
        comma-separated, sorted) and ``onset_spread_ms`` (latest minus earliest onset).

    Examples
    --------
    >>> a = pd.DataFrame({"channel": ["TA"], "onset_s": [1.00], "offset_s": [2.0]})
    >>> b = pd.DataFrame({"channel": ["TA"], "onset_s": [1.02], "offset_s": [2.0]})
    >>> consensus({"threshold": a, "tkeo": b})[["n_methods", "methods"]].values.tolist()
    [[2, 'threshold, tkeo']]
    """
    tol = check_positive(tolerance_ms, "tolerance_ms", "ms") / 1000.0
    if isinstance(bursts_by_method, pd.DataFrame):
        if "method" not in bursts_by_method:
            raise ValueError("a single burst table needs a 'method' column; pass a dict {method: table} "
                             "or detect_bursts(rec, method=DETECTION_METHODS)")
        frame = bursts_by_method
    elif isinstance(bursts_by_method, Mapping):
        parts = []
        for name, table in bursts_by_method.items():
            part = pd.DataFrame(table).copy()
            part["method"] = str(name)
            parts.append(part)
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["method"])
    else:
        raise ValueError(f"bursts_by_method must be a dict of burst tables or one DataFrame, got "
                         f"{type(bursts_by_method).__name__}")
    missing = {"channel", "onset_s", "offset_s", "method"} - set(frame.columns)
    if missing:
        raise ValueError(f"burst tables need the columns channel, onset_s, offset_s; missing {sorted(missing)}")
    rows = []
    frame = frame.sort_values(["channel", "onset_s"], kind="stable")
    for channel, group in frame.groupby("channel", sort=False):
        clusters: list[list] = []
        end = -np.inf
        for onset, offset, meth in zip(group["onset_s"], group["offset_s"], group["method"]):
            if clusters and onset <= end + tol:
                clusters[-1].append((onset, offset, meth))
                end = max(end, offset)
            else:
                clusters.append([(onset, offset, meth)])
                end = offset
        for cl in clusters:
            names = sorted({str(c[2]) for c in cl})
            ons = np.array([min(c[0] for c in cl if c[2] == m) for m in names], dtype=float)
            offs = np.array([max(c[1] for c in cl if c[2] == m) for m in names], dtype=float)
            rows.append({"channel": channel, "onset_s": float(np.median(ons)),
                         "offset_s": float(np.median(offs)), "n_methods": len(names),
                         "methods": ", ".join(names),
                         "onset_spread_ms": float((ons.max() - ons.min()) * 1000.0)})
    out = pd.DataFrame(rows, columns=list(CONSENSUS_COLUMNS))
    return out.astype({"n_methods": "int64", "onset_s": "float64", "offset_s": "float64",
                       "onset_spread_ms": "float64"})
