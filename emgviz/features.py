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
from numpy.lib.stride_tricks import as_strided

from ._checks import check_fs, check_positive, check_recording, time_index
from .spectral import (_segment_psds, _welch_rows, mean_frequency, median_frequency, peak_frequency,
                       segment_samples, total_power, welch_psd)

__all__ = [
    "rms", "mav", "iemg", "var", "waveform_length", "zero_crossings", "slope_sign_changes",
    "willison_amplitude", "dasdv", "peak",
    "feature_columns", "window_feature_columns", "FEATURE_COLUMNS", "WINDOW_FEATURE_COLUMNS",
    "feature_table", "windowed_features", "burst_features",
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


def _channel_features(x: np.ndarray, fs: float, segment_s: float) -> list:
    """The values of :func:`feature_columns` (after "channel") for a 1-D signal."""
    n = x.shape[-1]
    f, p = welch_psd(x, fs, segment_s=segment_s)
    return [float(rms(x)), float(mav(x)), float(iemg(x, fs)), float(var(x)), float(waveform_length(x)),
            float(dasdv(x)), int(zero_crossings(x)), int(slope_sign_changes(x)), float(peak(x)),
            float(mean_frequency(f, p)), float(median_frequency(f, p)), float(peak_frequency(f, p)),
            float(total_power(f, p)), n / fs]


# ---- tables ------------------------------------------------------------------------------
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
    rows = [[name] + _channel_features(rec.data[i], rec.fs, segment_s) for i, name in enumerate(rec.ch_names)]
    frame = pd.DataFrame(rows, columns=feature_columns(rec.unit))
    return frame.astype({"ZC (count)": "int64", "SSC (count)": "int64"})


def _window_sums(q: np.ndarray, starts: np.ndarray, length: int, step: int) -> np.ndarray:
    """Σ q[s:s+length] for each start s (starts = k*step), in O(n).

    When ``length`` is a whole number of steps the sums add up ``length // step``
    consecutive block sums (a reshape, no cumulative sum); otherwise one cumulative sum.
    ``q`` must have at least ``starts[-1] + length`` values.
    """
    n_win = starts.size
    acc_dtype = np.int64 if q.dtype == bool else np.float64
    if length % step == 0:
        r = length // step
        n_blocks = n_win - 1 + r
        blocks = q[:n_blocks * step].reshape(n_blocks, step).sum(axis=-1, dtype=acc_dtype)
        out = blocks[:n_win].copy()
        for k in range(1, r):
            out += blocks[k:k + n_win]
        return out
    c = np.zeros(q.shape[-1] + 1, dtype=acc_dtype)
    np.cumsum(q, out=c[1:])
    return c[starts + length] - c[starts]


def windowed_features(rec, *, window_s: float, step_s: float, segment_s: float | None = None) -> pd.DataFrame:
    """Features in sliding windows, as a tidy table (one row per channel and window).

    Windows of ``round(window_s * fs)`` samples start every ``round(step_s * fs)``
    samples; a last partial window is dropped (no window when the recording is shorter
    than one window: an empty table with the columns). Time-domain features come from
    cumulative sums (O(n) whatever the overlap); MNF and MDF from the Welch PSD of each
    window (Hann segments of ``segment_s``, 50 % overlap). When the windows line up with
    the Welch segments (step and window a whole number of segment hops, the usual case)
    each segment's periodogram is computed once and shared by the windows containing it;
    the result equals :func:`welch_psd` of each window.

    Parameters
    ----------
    rec : Recording
    window_s : float
        Window length in s.
    step_s : float
        Step between window starts in s.
    segment_s : float, optional
        Welch segment length in s; default ``min(0.25, window_s)``.

    Returns
    -------
    DataFrame
        Columns :func:`window_feature_columns` ``(rec.unit)``: channel, t_start_s and
        t_end_s (in the clock of ``rec.times``: ``rec.t0`` added), RMS, MAV, WL, ZC, SSC,
        MNF, MDF. Rows by channel, then time.
    """
    check_recording(rec, "windowed_features")
    fs = rec.fs
    window_s = check_positive(window_s, "window_s", "s")
    step_s = check_positive(step_s, "step_s", "s")
    segment_s = min(0.25, window_s) if segment_s is None else check_positive(segment_s, "segment_s", "s")
    n = rec.n_samples
    win = max(2, int(round(window_s * fs)))
    step = max(1, int(round(step_s * fs)))
    columns = window_feature_columns(rec.unit)
    if win > n:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "channel" else float) for c in columns})
    n_win = (n - win) // step + 1
    starts = np.arange(n_win) * step
    nperseg = segment_samples(fs, segment_s, win)
    hop = nperseg - nperseg // 2 if nperseg > 1 else 1
    aligned = step % hop == 0 and (win - nperseg) % hop == 0
    k_per_win = (win - nperseg) // hop + 1
    f = np.fft.rfftfreq(nperseg, 1.0 / fs)
    parts = []
    for i, name in enumerate(rec.ch_names):
        x = rec.data[i]
        # per-sample quantities padded with zeros to n samples, then summed per window
        sq = _window_sums(x * x, starts, win, step)
        ab = _window_sums(np.abs(x), starts, win, step)
        d = np.zeros(n)
        np.subtract(x[1:], x[:-1], out=d[:-1])          # d[j] = x[j+1] - x[j], pair j
        last = starts + win - 1                          # pair crossing into the next window
        ad = np.abs(d)
        wl = _window_sums(ad, starts, win, step) - ad[last]
        del ad
        zc_q = np.zeros(n, dtype=bool)
        np.less(x[:-1] * x[1:], 0, out=zc_q[:-1])
        zc = _window_sums(zc_q, starts, win, step) - zc_q[last]
        ssc_q = zc_q                                     # reuse the buffer: extremum at j+1
        ssc_q[:] = False
        np.less(d[:-2] * d[1:-1], 0, out=ssc_q[:-2])
        ssc = _window_sums(ssc_q, starts, win, step) - ssc_q[last] - ssc_q[last - 1]
        del d, zc_q, ssc_q
        if aligned:
            psd = np.zeros((n_win, f.size))
            r = step // hop
            n_seg = (n_win - 1) * r + k_per_win
            for s0, p in _segment_psds(x, fs, nperseg, hop, n_seg):
                s1 = s0 + len(p)
                # segment s belongs to windows w with w*r <= s <= w*r + k_per_win - 1
                for k in range(k_per_win):
                    # windows whose k-th segment is s = w*r + k, for s in [s0, s1)
                    w0 = max(0, -(-(s0 - k) // r))
                    w1 = min(n_win, (s1 - 1 - k) // r + 1)
                    if w1 > w0:
                        psd[w0:w1] += p[w0 * r + k - s0:(w1 - 1) * r + k - s0 + 1:r]
            psd /= k_per_win
        else:
            frames = as_strided(x, shape=(n_win, win), strides=(step * x.strides[0], x.strides[0]),
                                writeable=False)
            psd = _welch_rows(frames, fs, nperseg, hop)
        parts.append(pd.DataFrame({
            columns[0]: name,
            columns[1]: rec.t0 + starts / fs,
            columns[2]: rec.t0 + (starts + win) / fs,
            columns[3]: np.sqrt(np.maximum(sq, 0.0) / win),
            columns[4]: ab / win,
            columns[5]: wl,
            columns[6]: zc,
            columns[7]: ssc,
            columns[8]: mean_frequency(f, psd),
            columns[9]: median_frequency(f, psd),
        }))
    return pd.concat(parts, ignore_index=True)


def burst_features(rec, bursts: pd.DataFrame, *, segment_s: float = 0.25) -> pd.DataFrame:
    """Features of each burst (activation) in a bursts table.

    Parameters
    ----------
    rec : Recording
        Usually the filtered recording.
    bursts : DataFrame
        Columns ``channel`` (a name in ``rec.ch_names``), ``onset_s`` and ``offset_s``
        (s, in the clock of ``rec.times``); other columns are kept. A burst covers the
        samples with ``onset_s <= t < offset_s``, cut to the recording.
    segment_s : float, default=0.25
        Welch segment length in s (a shorter burst is one segment).

    Returns
    -------
    DataFrame
        The bursts' columns followed by :func:`feature_columns` (without "channel");
        a burst with fewer than 2 samples inside the recording gets NaN features.
    """
    check_recording(rec, "burst_features")
    if not isinstance(bursts, pd.DataFrame):
        raise TypeError(f"bursts must be a DataFrame with columns channel, onset_s, offset_s; "
                        f"got {type(bursts).__name__}")
    missing = {"channel", "onset_s", "offset_s"} - set(bursts.columns)
    if missing:
        raise ValueError(f"bursts needs the columns channel, onset_s, offset_s; missing {sorted(missing)}")
    segment_s = check_positive(segment_s, "segment_s", "s")
    names = feature_columns(rec.unit)[1:]
    fs, n = rec.fs, rec.n_samples
    rows = []
    for ch, on, off in zip(bursts["channel"], bursts["onset_s"], bursts["offset_s"]):
        x = rec.data[rec.channel_index(str(ch))]
        start = max(0, time_index(on, fs, rec.t0))
        stop = min(n, time_index(off, fs, rec.t0))
        if stop - start < 2:
            rows.append([np.nan] * len(names))
        else:
            rows.append(_channel_features(x[start:stop], fs, segment_s))
    table = pd.DataFrame(rows, columns=names, index=bursts.index, dtype=float)
    out = pd.concat([bursts.drop(columns=[c for c in names if c in bursts.columns]), table], axis=1)
    return out.reset_index(drop=True)
