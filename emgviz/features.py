"""Time- and frequency-domain EMG features: per signal, per channel, per window, per burst.

Definitions follow Phinyomark, Phukpattaranont & Limsakul 2012 (Expert Syst Appl
39:7420, "Feature reduction and selection for EMG signal classification") and Hudgins,
Parker & Scott 1993 (IEEE Trans Biomed Eng 40:82) for the thresholded counts. Feature
functions reduce the last axis; thresholds are in the signal's unit (U). Table builders
take a :class:`~emgviz.recording.Recording` and name columns with units built from
``rec.unit`` (see :func:`feature_columns`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import check_fs, check_positive, check_recording
from . import td_kernel
from ._threads import thread_map, workers
from .spectral import mean_frequency, median_frequency, peak_frequency, total_power, welch_psd

__all__ = [
    "rms", "mav", "iemg", "var", "waveform_length", "zero_crossings", "slope_sign_changes",
    "willison_amplitude", "dasdv", "peak",
    "feature_columns", "window_feature_columns", "FEATURE_COLUMNS", "WINDOW_FEATURE_COLUMNS",
    "feature_table", "prefetch_feature_table", "TableAbandoned", "windowed_features", "burst_features",
]


# ---- features of one signal (reduce the last axis) -------------------------------------
def _arr(x) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"expected a signal with at least one sample along the last axis, got shape {arr.shape}")
    return arr


def _threshold(threshold, name="threshold") -> float:
    t = float(threshold)
    if not np.isfinite(t) or t < 0:
        raise ValueError(f"{name} must be a finite amplitude >= 0 in the signal's unit, got {threshold!r}")
    return t


def rms(x) -> np.ndarray:
    """Root mean square ``sqrt(1/N Σ x²)`` in U (Phinyomark et al. 2012, eq. 8).

    A sine of amplitude A has RMS A/√2.

    Examples
    --------
    >>> float(rms([3.0, -4.0]))  # sqrt((9 + 16) / 2)
    3.5355339059327378
    """
    arr = _arr(x)
    return np.sqrt(np.einsum("...i,...i->...", arr, arr) / arr.shape[-1])


def mav(x) -> np.ndarray:
    """Mean absolute value ``1/N Σ |x|`` in U (Phinyomark et al. 2012, eq. 3; Hudgins 1993).

    A sine of amplitude A has MAV 2A/π.
    """
    arr = _arr(x)
    return np.abs(arr).mean(axis=-1)


def iemg(x, fs: float) -> np.ndarray:
    """Integrated EMG ``Σ |x| / fs`` in U·s (V·s for volts) (Phinyomark et al. 2012, eq. 1).

    The rectangle-rule area under the rectified signal; Phinyomark's unscaled sum times
    the sample interval 1/fs, so it does not depend on the sampling rate.
    """
    fs = check_fs(fs)
    return np.abs(_arr(x)).sum(axis=-1) / fs


def var(x) -> np.ndarray:
    """Variance of EMG ``1/(N−1) Σ x²`` in U² (Phinyomark et al. 2012, eq. 9).

    As in the reference the mean is taken as zero (true after DC removal / band-pass);
    the signal is not de-meaned here. NaN for a single sample.
    """
    arr = _arr(x)
    n = arr.shape[-1]
    ss = np.einsum("...i,...i->...", arr, arr)
    return ss / (n - 1) if n > 1 else np.full(ss.shape, np.nan)


def waveform_length(x) -> np.ndarray:
    """Waveform length ``Σ |x[n+1] − x[n]|`` in U (Hudgins et al. 1993; Phinyomark 2012 eq. 14)."""
    return np.abs(np.diff(_arr(x), axis=-1)).sum(axis=-1)


def zero_crossings(x, *, threshold: float = 0.0) -> np.ndarray:
    """Zero crossings: count of ``x[n]·x[n+1] < 0`` with ``|x[n] − x[n+1]| >= threshold``.

    Hudgins et al. 1993; Phinyomark et al. 2012, eq. 17. ``threshold`` in U suppresses
    crossings caused by low-level noise. A sine of frequency f over T s has 2·f·T.
    Samples exactly equal to zero do not count as a crossing.

    Returns
    -------
    ndarray of int64, shape (...)
    """
    arr = _arr(x)
    t = _threshold(threshold)
    a, b = arr[..., :-1], arr[..., 1:]
    hit = (a * b) < 0
    if t > 0:
        hit &= np.abs(a - b) >= t
    return hit.sum(axis=-1, dtype=np.int64)


def slope_sign_changes(x, *, threshold: float = 0.0) -> np.ndarray:
    """Slope sign changes: count of strict local extrema that stand out by ``threshold``.

    Hudgins et al. 1993: sample n counts when ``x[n]`` is above both neighbours or
    below both, and ``|x[n] − x[n−1]| >= threshold`` or ``|x[n] − x[n+1]| >= threshold``
    (threshold in U). Phinyomark et al. 2012 (eq. 18) write the same test as a product.

    Returns
    -------
    ndarray of int64, shape (...)
    """
    arr = _arr(x)
    t = _threshold(threshold)
    d1 = arr[..., 1:-1] - arr[..., :-2]   # x[n] - x[n-1]
    d2 = arr[..., 1:-1] - arr[..., 2:]    # x[n] - x[n+1]
    hit = (d1 * d2) > 0
    if t > 0:
        hit &= (np.abs(d1) >= t) | (np.abs(d2) >= t)
    return hit.sum(axis=-1, dtype=np.int64)


def willison_amplitude(x, *, threshold: float) -> np.ndarray:
    """Willison amplitude: count of ``|x[n] − x[n+1]| >= threshold`` (Phinyomark 2012, eq. 16).

    ``threshold`` in U is required (10–100 µV is usual for surface EMG in volts).

    Returns
    -------
    ndarray of int64, shape (...)
    """
    t = _threshold(threshold)
    return (np.abs(np.diff(_arr(x), axis=-1)) >= t).sum(axis=-1, dtype=np.int64)


def dasdv(x) -> np.ndarray:
    """Difference absolute standard deviation ``sqrt(1/(N−1) Σ (x[n+1] − x[n])²)`` in U.

    Phinyomark et al. 2012, eq. 15. NaN for a single sample.
    """
    arr = _arr(x)
    n = arr.shape[-1]
    if n < 2:
        return np.full(arr.shape[:-1], np.nan)
    d = np.diff(arr, axis=-1)
    return np.sqrt(np.einsum("...i,...i->...", d, d) / (n - 1))


def peak(x) -> np.ndarray:
    """Peak amplitude ``max |x|`` in U."""
    return np.abs(_arr(x)).max(axis=-1)


# ---- column names ------------------------------------------------------------------------
def feature_columns(unit: str = "V") -> list[str]:
    """Column names of :func:`feature_table` for signals in ``unit``, in their fixed order.

    Examples
    --------
    >>> feature_columns("a.u.")[:4]
    ['channel', 'RMS (a.u.)', 'MAV (a.u.)', 'iEMG (a.u.·s)']
    """
    u = str(unit)
    return ["channel", f"RMS ({u})", f"MAV ({u})", f"iEMG ({u}·s)", f"VAR ({u}²)", f"WL ({u})",
            f"DASDV ({u})", "ZC (count)", "SSC (count)", f"peak ({u})", "MNF (Hz)", "MDF (Hz)",
            "peak frequency (Hz)", f"total power ({u}²)", "duration (s)"]


def window_feature_columns(unit: str = "V") -> list[str]:
    """Column names of :func:`windowed_features` for signals in ``unit``, in their fixed order."""
    u = str(unit)
    return ["channel", "t_start_s", "t_end_s", f"RMS ({u})", f"MAV ({u})", f"WL ({u})",
            "ZC (count)", "SSC (count)", "MNF (Hz)", "MDF (Hz)"]


#: :func:`feature_table` columns for a recording in volts.
FEATURE_COLUMNS = tuple(feature_columns("V"))
#: :func:`windowed_features` columns for a recording in volts.
WINDOW_FEATURE_COLUMNS = tuple(window_feature_columns("V"))


#: Samples per block of :func:`_time_domain` (256 kB of float64: the block's temporaries stay in cache).
_BLOCK = 1 << 15


def _time_domain(x: np.ndarray, kernel=None) -> tuple[float, float, float, float, float, int, int]:
    """Σx², Σ|x|, max|x|, Σ|Δx|, ΣΔx², ZC and SSC (threshold 0) of 1-D contiguous float64 ``x``.

    With ``kernel`` (:func:`emgviz.td_kernel.kernel`) in one compiled pass, else by
    :func:`_time_domain_numpy`; the counts are equal, the sums agree to rounding (< 1e-12 relative).
    A row with a NaN takes the NumPy path (its peak skips the 32768-sample blocks holding a NaN).
    """
    if kernel is not None and x.size:
        ss, sa, pk, wl, dd, zc, ssc = kernel(x)
        if ss == ss:       # NaN only when a sample is NaN
            return float(ss), float(sa), float(pk), float(wl), float(dd), int(zc), int(ssc)
    return _time_domain_numpy(x)


def _time_domain_numpy(x: np.ndarray) -> tuple[float, float, float, float, float, int, int]:
    """Σx², Σ|x|, max|x|, Σ|Δx|, ΣΔx², ZC and SSC (threshold 0) of 1-D ``x``, in one pass over blocks.

    The same definitions as :func:`rms`, :func:`mav`, :func:`peak`, :func:`waveform_length`,
    :func:`dasdv`, :func:`zero_crossings` and :func:`slope_sign_changes` (Δx[j] = x[j+1] − x[j];
    an extremum at j is Δx[j−1]·Δx[j] < 0), read block by block so that the data is read
    from memory once; sums differ from the whole-array ones only by rounding (≈ 1e-16).
    """
    n = x.size
    ss = sa = wl = dd = 0.0
    pk = 0.0
    zc = ssc = 0
    for s in range(0, n, _BLOCK):
        e = min(s + _BLOCK, n)
        xc = x[s:e]
        ss += float(np.einsum("i,i->", xc, xc))  # not np.dot: BLAS threads thrash on a busy machine
        ab = np.abs(xc)
        sa += float(ab.sum())
        pk = max(pk, float(ab.max()))
        w = x[s:min(e + 2, n)]               # two samples past the block: its last pairs and extremum
        d = w[1:] - w[:-1]                   # d[i] = Δx[s + i]
        n_pairs = min(e, n - 1) - s          # pairs j = s … e−1 that exist
        if n_pairs > 0:
            dp = d[:n_pairs]
            wl += float(np.abs(dp).sum())
            dd += float(np.einsum("i,i->", dp, dp))
            zc += int(np.count_nonzero(w[:n_pairs] * w[1:n_pairs + 1] < 0))
        n_ext = min(e, n - 2) - s            # extrema at j + 1 for j = s … e−1, j + 1 ≤ n − 2
        if n_ext > 0:
            ssc += int(np.count_nonzero(d[:n_ext] * d[1:n_ext + 1] < 0))
    return ss, sa, pk, wl, dd, zc, ssc


_AUTO = object()


def _channel_features(x: np.ndarray, fs: float, segment_s: float, kernel=_AUTO) -> list:
    """The values of :func:`feature_columns` (after "channel") for a 1-D signal.

    ``kernel``: the time-domain kernel or None (NumPy's path); by default
    :func:`emgviz.td_kernel.usable` decides from the row's length.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    n = x.shape[-1]
    if kernel is _AUTO:
        kernel = td_kernel.usable(n)
    f, p = welch_psd(x, fs, segment_s=segment_s)
    ss, sa, pk, wl, dd, zc, ssc = _time_domain(x, kernel)
    nan = float("nan")
    return [float(np.sqrt(ss / n)), sa / n, sa / fs, ss / (n - 1) if n > 1 else nan, wl,
            float(np.sqrt(dd / (n - 1))) if n > 1 else nan, zc, ssc, pk,
            float(mean_frequency(f, p)), float(median_frequency(f, p)), float(peak_frequency(f, p)),
            float(total_power(f, p)), n / fs]


# ---- tables ------------------------------------------------------------------------------
class TableAbandoned(RuntimeError):
    """A feature table computed ahead (:func:`emgviz.features_prefetch.prefetch_feature_table`) was stopped:
    a newer one replaced it before anybody took it."""


def feature_table(rec, *, segment_s: float = 0.25) -> pd.DataFrame:
    """One row of features per channel of ``rec``, over the whole recording.

    Columns (fixed order, units from ``rec.unit``, see :func:`feature_columns`):
    channel, RMS, MAV, iEMG, VAR, WL, DASDV, ZC, SSC, peak, MNF, MDF, peak frequency,
    total power, duration (s). ZC and SSC use threshold 0; spectral columns come from a
    Welch PSD with ``segment_s`` segments and 50 % overlap (see :func:`welch_psd`).
    Willison amplitude is left out: it needs a threshold chosen for the data.

    Parameters
    ----------
    rec : Recording
        Usually ``preprocess(...).filtered`` (features of raw data include DC and hum).
    segment_s : float, default=0.25
        Welch segment length in s.

    Returns
    -------
    DataFrame, one row per channel in ``rec.ch_names`` order.

    Examples
    --------
    >>> import numpy as np
    >>> from emgviz.recording import Recording
    >>> t = np.arange(2000) / 1000.0
    >>> rec = Recording(np.sin(2 * np.pi * 50 * t), fs=1000, ch_names=["biceps"])
    >>> round(float(feature_table(rec)["MNF (Hz)"][0]))
    50
    """
    check_recording(rec, "feature_table")
    segment_s = check_positive(segment_s, "segment_s", "s")
    pending = _take_prefetched(rec, segment_s)
    if pending is not None:   # started earlier by prefetch_feature_table: wait for it (same numbers)
        return pending.result()
    return _feature_table(rec, segment_s)


def _feature_table(rec, segment_s: float, stop=None) -> pd.DataFrame:
    """The table of :func:`feature_table`; ``stop`` (a ``threading.Event``), when set, ends the work before
    the next channel with :class:`TableAbandoned` (a table computed ahead that nobody will take)."""
    # the time-domain features in one compiled pass when numba is there (emgviz.td_kernel): same numbers
    kernel = td_kernel.usable(rec.data.size)

    def channel(i):
        if stop is not None and stop.is_set():
            raise TableAbandoned(f"the feature table of {rec.n_channels} channels was abandoned at channel {i}")
        return _channel_features(rec.data[i], rec.fs, segment_s, kernel)

    # channels on two threads when a core is free (FFTs, reductions and the kernel release the GIL)
    values = thread_map(channel, range(rec.n_channels), workers(rec.n_channels, rec.data.size))
    rows = [[name] + v for name, v in zip(rec.ch_names, values)]
    frame = pd.DataFrame(rows, columns=feature_columns(rec.unit))
    return frame.astype({"ZC (count)": "int64", "SSC (count)": "int64"})


# the table computed ahead on another thread (the app's Overview): its own module, importable from here
from .features_prefetch import (PREFETCH_MAX, PREFETCH_NICE, PREFETCH_WAIT_S, _take_prefetched,  # noqa: E402
                                prefetch_feature_table)

#: Windowed and per-burst tables moved to :mod:`emgviz.feature_windows` (#12); still importable from here.
_MOVED = ("windowed_features", "burst_features")


def __getattr__(name: str):
    if name in _MOVED:
        from . import feature_windows
        return getattr(feature_windows, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
