"""EMG features over time: in sliding windows, and per burst (activation).

The feature definitions and the whole-recording :func:`~emgviz.features.feature_table` are in
:mod:`emgviz.features`; this module cuts a recording into windows or bursts and measures each
(Phinyomark, Phukpattaranont & Limsakul 2012; Hudgins, Parker & Scott 1993).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import as_strided

from ._checks import check_positive, check_recording, time_index
from ._threads import thread_map, workers
from .features import _channel_features, feature_columns, window_feature_columns
from .spectral import _segment_psds, _welch_rows, mean_frequency, median_frequency, segment_samples

__all__ = ["windowed_features", "burst_features"]


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
    f = np.fft.rfftfreq(nperseg, 1.0 / fs)
    def one(i: int) -> pd.DataFrame:
        x = rec.data[i]
        rms_, mav_, wl, zc, ssc = _window_time_features(x, starts, win, step)
        psd = _window_psds(x, fs, starts, win, step, nperseg)
        return pd.DataFrame({
            columns[0]: rec.ch_names[i],
            columns[1]: rec.t0 + starts / fs,
            columns[2]: rec.t0 + (starts + win) / fs,
            columns[3]: rms_,
            columns[4]: mav_,
            columns[5]: wl,
            columns[6]: zc,
            columns[7]: ssc,
            columns[8]: mean_frequency(f, psd),
            columns[9]: median_frequency(f, psd),
        })

    # channel by channel (in order), on two threads when a core is free: FFTs and cumulative sums release
    # the GIL; each thread holds one channel's temporaries
    parts = thread_map(one, range(rec.n_channels), workers(rec.n_channels, rec.data.size))
    return pd.concat(parts, ignore_index=True)


def _window_time_features(x: np.ndarray, starts: np.ndarray, win: int, step: int):
    """RMS, MAV, WL, ZC and SSC of the windows ``x[s:s+win]`` (s in ``starts``), from per-sample sums in O(n)."""
    n = x.size
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
    return np.sqrt(np.maximum(sq, 0.0) / win), ab / win, wl, zc, ssc


def _window_psds(x: np.ndarray, fs: float, starts: np.ndarray, win: int, step: int, nperseg: int) -> np.ndarray:
    """Welch PSD of each window, shape (n_windows, nperseg // 2 + 1).

    When the windows line up with the Welch segments each segment's periodogram is computed
    once and added to every window that contains it; otherwise each window is its own Welch.
    """
    n_win = starts.size
    hop = nperseg - nperseg // 2 if nperseg > 1 else 1
    if not (step % hop == 0 and (win - nperseg) % hop == 0):
        frames = as_strided(x, shape=(n_win, win), strides=(step * x.strides[0], x.strides[0]), writeable=False)
        return _welch_rows(frames, fs, nperseg, hop)
    k_per_win = (win - nperseg) // hop + 1
    psd = np.zeros((n_win, nperseg // 2 + 1))
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
    return psd


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
