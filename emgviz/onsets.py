"""Muscle activation (burst) tables: every channel of a Recording through the onset detectors.

The detectors for one channel ``(x, fs, *, ...)`` and their table :data:`DETECTORS` live in
:mod:`emgviz.onset_detectors` (Hodges & Bui 1996; Bonato, D'Alessio & Knaflitz 1998; Solnik
et al. 2010), the rest segment in :mod:`emgviz.onset_rest`; both are re-exported here.

:func:`detect_bursts` runs one (or several) of them on every channel of a :class:`Recording`
and returns a burst table; :func:`consensus` says which detectors agree on each burst.

Every detector needs the level of the signal at rest. Give it (``rest=(start_s, stop_s)``) or
let :func:`quietest_window` find it: the window of ``rest_window_s`` (default 1 s) whose mean
RMS envelope (50 ms) is lowest, searched in steps of a quarter window. The automatic choice
assumes the recording holds at least ``rest_window_s`` of rest.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ._checks import check_choice, check_positive, check_recording, check_span
from ._threads import thread_map, workers
from .envelopes import moving_average
from .onset_detectors import (DETECTION_METHODS, DETECTORS, _DETECTORS, Detector, _runs,  # noqa: F401
                              double_threshold_onsets, threshold_onsets, tkeo_conditioned, tkeo_onsets)
from .onset_rest import _rest_slice, quietest_window
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
    methods = _check_methods(method, opts)
    fs = rec.fs
    rest_window_s = opts.get("rest_window_s", 1.0)
    rest_sl = None if rest is None else _shared_rest(rec, rest, rest_window_s)

    def one(i: int) -> list[dict]:
        x, name, found = rec.data[i], rec.ch_names[i], []
        # the quietest window of this channel, found once for all the detectors
        ch_rest = _rest_slice(x, fs, None, rest_window_s) if rest_sl is None else rest_sl
        x0 = np.abs(x - x.mean())
        area_env = None
        for m in methods:
            pairs = DETECTORS[m].find(x, fs, rest=ch_rest, **opts)
            if pairs and area_env is None:
                area_env = moving_average(x0, fs, window_ms=AREA_WINDOW_MS)
            found += _burst_rows(rec, name, m, pairs, x0, area_env)
        return found

    # channel by channel (rows in channel order), on two threads when a core is free: the envelopes'
    # cumulative sums and comparisons release the GIL; each thread holds one channel's temporaries
    rows = [r for found in thread_map(one, range(rec.n_channels), workers(rec.n_channels, rec.data.size))
            for r in found]
    if not rows:
        return _empty_bursts()
    frame = pd.DataFrame(rows, columns=list(BURST_COLUMNS))
    return frame.astype({"at_start": "bool", "at_end": "bool"})


def _check_methods(method, opts) -> list[str]:
    """``method`` as a list of known detector names; options only with one method."""
    methods = [method] if isinstance(method, str) else list(method)
    if not methods:
        raise ValueError(f"method must name at least one of {tuple(DETECTORS)}")
    for m in methods:
        check_choice(m, "method", tuple(DETECTORS))
    if opts and len(methods) > 1:
        raise ValueError(f"detector options {sorted(opts)} apply to one method; call detect_bursts once "
                         "per method to tune them")
    return methods


def _shared_rest(rec: Recording, rest, rest_window_s: float) -> slice:
    """A rest span in the recording's clock as one slice of samples, the same for every channel."""
    t_a, t_b = check_span(rest, "rest")
    t_end = rec.t0 + rec.duration_s
    if not (t_a < t_b) or t_b <= rec.t0 or t_a >= t_end:
        raise ValueError(f"rest {t_a:g}–{t_b:g} s is not inside the recording "
                         f"({rec.t0:g}–{t_end:g} s); give (start, stop) in the recording's clock")
    return _rest_slice(rec.data[0], rec.fs, (t_a - rec.t0, t_b - rec.t0), rest_window_s)


def _burst_rows(rec: Recording, channel: str, method: str, pairs, x0: np.ndarray, area_env) -> list[dict]:
    """Rows of the burst table for one channel and method (``x0``: rectified, mean removed)."""
    fs = rec.fs
    return [{"channel": channel, "onset_s": rec.t0 + on / fs, "offset_s": rec.t0 + off / fs,
             "duration_s": (off - on) / fs, "peak": float(x0[on:off].max()),
             "area": float(area_env[on:off].sum() / fs), "at_start": on == 0, "at_end": off == rec.n_samples,
             "method": method}
            for on, off in pairs]


def _one_burst_table(bursts_by_method) -> pd.DataFrame:
    """The burst tables of :func:`consensus` as one table with a ``method`` column, checked."""
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
    return frame


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
    frame = _one_burst_table(bursts_by_method)
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
