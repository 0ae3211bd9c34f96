"""Text tables, step 3: parsed columns to a Recording (time, index and label columns out; units to volts)."""

from __future__ import annotations

import re

import numpy as np

from ..errors import NeedsSamplingRate, ReadError
from ..recording import Recording
from ._build import make_recording
from . import units as _units
from ._names import unique_names
from .text_header import _field, _first_number
from .text_layout import Layout
from ._table import trim_ragged_tail
from .text_parse import Column, _check_finite, _line_of, _to_float_or_fail, _values, columns_to_array, head

__all__ = ["build_recording", "fs_from_time"]

FORMAT = "CSV/TXT"
_TIME_NAMES = {"time", "t", "times", "timestamp", "time stamp", "timestamps", "elapsed time", "seconds",
               "sec", "time s", "time ms", "time_s", "time_ms", "ms", "msec", "x", "time us"}
_INDEX_NAMES = {"sample", "samples", "index", "idx", "n", "nr", "no", "#", "sample number", "sample nr",
                "count", "counter", "nseq", "seq", "sample index", "frame", "frames", "sub frame"}
_LABEL_WORDS = {"class", "label", "labels", "marker", "markers", "event", "events", "trigger", "stim",
                "stimulus", "gesture", "condition", "phase", "annotation", "annotations", "tag", "status",
                "state", "task", "movement", "trial", "target"}
_MAX_LABEL_SEGMENTS = 10_000


def _words(label: str) -> set[str]:
    return set(re.split(r"[^a-z0-9]+", label.lower())) - {""}


def _is_time_name(base: str, unit: str | None) -> bool:
    low = base.lower().strip()
    norm = re.sub(r"[^a-z]+", " ", low).strip()
    if low in _TIME_NAMES or norm in _TIME_NAMES:
        return True
    return norm.startswith("time") and len(norm) <= 12


def _time_scale(base: str, unit: str | None, t: np.ndarray) -> tuple[float, str]:
    u = (unit or "").strip().lower().replace("µ", "u").replace("μ", "u")
    words = _words(base)
    if u in ("ms", "msec") or words & {"ms", "msec", "millis", "milliseconds"}:
        return 1e-3, "ms"
    if u in ("us", "usec") or words & {"us", "usec", "microseconds"}:
        return 1e-6, "us"
    if u in ("s", "sec") or words & {"s", "sec", "seconds"}:
        return 1.0, "s"
    if len(t) > 1:
        step = float(np.median(np.diff(t[: 100_000])))
        if step >= 0.5 and np.all(t[: 100_000] == np.round(t[: 100_000])):
            return 1e-3, "ms (assumed: whole-number steps ≥ 0.5)"
    return 1.0, "s"


def fs_from_time(name: str, label: str, t_s: np.ndarray, layout: Layout | None):
    """Sampling rate (Hz), t0 (s), number of gaps and warnings from a time column in s.

    ``fs`` is 1 / mean step over the steps that are not gaps (a gap is a step above 1.5× the
    median), so timestamps rounded to a coarse clock still give the true rate.
    """
    if len(t_s) < 2:
        raise NeedsSamplingRate(name, "the file holds one row, so its time column cannot give a sampling rate")
    dt = np.diff(t_s)
    if (dt < 0).any() or not (dt > 0).any():
        r = int(np.flatnonzero(dt <= 0)[0]) + 1
        where = f"line {_line_of(layout, r)}" if layout is not None else f"row {r + 1}"
        raise ReadError(name, f"the time column {label!r} does not increase at {where} "
                              f"({t_s[r - 1]:g} s then {t_s[r]:g} s)",
                        "sort the rows by time, or pass fs= (Hz) to ignore the time column")
    n_rep = int(np.count_nonzero(dt == 0))
    if n_rep:  # a clock rounded coarser than the sample step: the overall slope still gives fs
        span = float(t_s[-1] - t_s[0])
        fs = (len(t_s) - 1) / span
        return fs, float(t_s[0]), 0, [f"the time column {label!r} repeats a time stamp at {n_rep:,} rows (a "
                                      f"rounded clock); fs = {fs:.6g} Hz comes from its overall span"]
    med = float(np.median(dt))
    gaps = dt > 1.5 * med
    steady = dt[~gaps]
    fs = 1.0 / float(steady.mean())
    if abs(fs - round(fs)) <= 1e-6 * fs:
        fs = float(round(fs))
    n_gaps = int(gaps.sum())
    warnings = []
    spread = float(steady.max() - steady.min()) if len(steady) else 0.0
    if len(steady) > 1 and spread > 0.02 * float(steady.mean()):
        warnings.append(f"the time column {label!r} steps vary from {steady.min() * 1000:.4g} to "
                        f"{steady.max() * 1000:.4g} ms (jitter of {spread / steady.mean():.0%} of the mean step); "
                        f"the samples are taken as evenly spaced at {fs:.6g} Hz")
    if n_gaps:
        lost = float((dt[gaps] - med).sum())
        warnings.append(f"the time column {label!r} has {n_gaps:,} gaps (steps above 1.5× the median step of "
                        f"{med * 1000:g} ms, {lost:.3g} s in all); the samples are kept as they are (not "
                        f"resampled), so times past a gap are shifted by up to {lost:.3g} s")
    return fs, float(t_s[0]), n_gaps, warnings


def _label_events(col_label: str, codes: np.ndarray, t0: float, fs: float):
    """Events from the changes of a label column (code 0 / empty = no event)."""
    if codes.dtype == object:
        vals = np.array(["" if v is None else str(v).strip() for v in codes], dtype=object)
        change = np.flatnonzero(vals[1:] != vals[:-1]) + 1
    else:
        vals = codes
        change = np.flatnonzero(np.diff(vals) != 0) + 1
    starts = np.r_[0, change]
    ends = np.r_[change, len(vals)]
    rows = []
    for s, e in zip(starts, ends):
        v = vals[s]
        if (isinstance(v, str) and not v) or (not isinstance(v, str) and v == 0):
            continue
        text = v if isinstance(v, str) else f"{v:g}"
        rows.append((t0 + s / fs, (e - s) / fs, f"{col_label}={text}"))
    return rows


def _looks_like_labels(base: str, arr: np.ndarray) -> bool:
    if not (_words(base) & _LABEL_WORDS):
        return False
    if arr.dtype == object:
        return True
    if not np.isfinite(arr).all() or not np.array_equal(arr, np.round(arr)):
        return False
    n_seg = int(np.count_nonzero(np.diff(arr))) + 1
    return n_seg <= _MAX_LABEL_SEGMENTS and len(np.unique(arr[: 200_000])) <= 256


def _unquote_formula(label):
    """A header cell without the ``'`` that CSV exports put before text a spreadsheet would run as a
    formula (``'=x`` → ``=x``; see :mod:`emgviz.csvsafe`); any other cell as it is."""
    from ..csvsafe import FORMULA_STARTS

    if isinstance(label, str) and len(label) > 1 and label[0] == "'" and label[1:].startswith(FORMULA_STARTS):
        return label[1:]
    return label


def build_recording(name: str, labels: list[str], columns: list, *, layout: Layout | None, fs=None,
                    file_fs=None, fs_key=None, fields=None, unit=None, has_header=True,
                    fmt: str = FORMAT, meta_extra=None, ch_units=None) -> Recording:
    """Turn parsed columns into a Recording: time, index and label columns out; units to volts.

    Parameters
    ----------
    labels : list of str
        Column names as in the file (units in brackets are split off).
    columns : list of ndarray
        One array per column (float64 or object).
    fs : float, optional
        Rate from the caller (wins over the file).
    file_fs : float, optional
        Rate stated by the file, ``fs_key`` the header key that stated it.
    unit : str, optional
        Unit for channels whose header states none (caller's option or a header field).
    ch_units : list of str or None, optional
        Units per column from a separate unit row (vendor files).
    """
    fields = dict(fields or {})
    meta: dict = {"format": fmt}
    warnings: list[str] = []
    if layout is not None:
        meta["delimiter"] = {"\t": "tab", "ws": "whitespace", None: "none"}.get(layout.delimiter, layout.delimiter)
        meta["decimal"] = layout.decimal
    if fields:
        meta["header"] = {k: v for k, v in list(fields.items())[:100]}
    n_rows = len(columns[0]) if columns else 0
    if n_rows == 0:
        raise ReadError(name, "the table holds no rows of numbers", "check the export finished")
    bases, units = [], []
    for i, lab in enumerate(labels):
        base, u = _units.split_unit(_unquote_formula(lab))
        if ch_units is not None and ch_units[i]:
            u = u or ch_units[i]
        bases.append(base)
        units.append(u)

    # ragged tail: channels that end early, last rows of empty cells (label columns may end blank)
    filled = [i for i in range(len(columns)) if not (has_header and _words(bases[i]) & _LABEL_WORDS)]
    n_keep, trimmed = trim_ragged_tail(columns, labels, filled)
    if trimmed:
        columns = [head(c, n_keep) if isinstance(c, Column) else c[:n_keep] for c in columns]
        n_rows = n_keep
        warnings.append(trimmed)

    # time / index column
    time_idx = None
    for i, b in enumerate(bases):
        if has_header and _is_time_name(b, units[i]):
            time_idx = i
            break
    drop = set()
    if has_header:
        for i, b in enumerate(bases):
            if i != time_idx and b.lower().strip() in _INDEX_NAMES and columns[i].dtype != object:
                drop.add(i)
    elif len(columns) > 1 and columns[0].dtype != object and n_rows >= 3:
        c0 = _values(columns[0])
        with np.errstate(invalid="ignore"):
            d = np.diff(c0)
        if np.isfinite(c0).all() and (d > 0).all():
            if np.array_equal(c0, np.round(c0)) and (d == 1).all():
                drop.add(0)
                warnings.append("the first column counts samples (steps of exactly 1); it was taken as a "
                                "sample index, not a time")
            else:
                time_idx = 0
                bases[0] = "time"
    if time_idx is not None:
        drop.add(time_idx)

    # label columns
    label_idx = [i for i in range(len(columns)) if i not in drop and has_header
                 and _words(bases[i]) & _LABEL_WORDS and _looks_like_labels(bases[i], _values(columns[i]))]
    drop.update(label_idx)
    sig_idx = [i for i in range(len(columns)) if i not in drop]
    if not sig_idx:
        raise ReadError(name, "the table holds no signal column (only time, index or label columns)",
                        "check the file holds the samples")

    # channels: floats, finite
    for i in sig_idx:
        if columns[i].dtype == object:
            columns[i] = _to_float_or_fail(name, labels[i], columns[i], layout)

    # sampling rate
    t0 = 0.0
    n_gaps = 0
    time_fs = None
    if time_idx is not None:
        t = _values(columns[time_idx])
        if t.dtype == object:
            t = _to_float_or_fail(name, labels[time_idx], t, layout)
        _check_finite(name, labels[time_idx], t, layout)
        scale, tunit = _time_scale(bases[time_idx], units[time_idx], t)
        meta["time_column"] = labels[time_idx]
        meta["time_unit"] = tunit
        if "assumed" in tunit:
            warnings.append(f"the time column {labels[time_idx]!r} holds whole numbers with steps ≥ 0.5 and states "
                            "no unit; it was taken as milliseconds")
        try:
            time_fs, t0, n_gaps, w = fs_from_time(name, labels[time_idx], t * scale, layout)
            warnings += w
            meta["time_gaps"] = n_gaps
        except ReadError:
            if fs is None and file_fs is None:
                raise
            warnings.append(f"the time column {labels[time_idx]!r} was ignored (not increasing)")
            t0 = float(t[0] * scale)
    if fs is not None:
        used, meta["fs_source"] = float(fs), "fs= given by the caller"
        stated = file_fs if file_fs is not None else time_fs
        if stated is not None and abs(stated - used) > 1e-6 * used:
            warnings.append(f"fs={used:g} Hz given by the caller overrides {stated:g} Hz from the file")
    elif file_fs is not None:
        used, meta["fs_source"] = float(file_fs), f"header field {fs_key!r}"
        if time_fs is not None and abs(time_fs - file_fs) > 0.01 * file_fs:
            warnings.append(f"the header states {file_fs:g} Hz but the time column steps give {time_fs:.6g} Hz; "
                            "the header rate is used")
    elif time_fs is not None:
        used, meta["fs_source"] = time_fs, f"time column {labels[time_idx]!r}"
    else:
        raise NeedsSamplingRate(name, f"the file holds {len(sig_idx)} column(s) × {n_rows:,} rows of numbers but "
                                      "states no sampling rate and has no time column")

    # events from label columns
    events = []
    for i in label_idx:
        events += _label_events(bases[i], _values(columns[i]), t0, used)
    if label_idx:
        meta["event_columns"] = [labels[i] for i in label_idx]
        if n_gaps:
            warnings.append("event times follow the sample clock (t0 + i/fs), like the plotted samples")

    # data: one float64 array, scaled in place
    sig_cols = [columns[i] for i in sig_idx]
    for i in sig_idx:
        columns[i] = None
    data = columns_to_array(name, sig_cols, [labels[i] for i in sig_idx], layout)
    sig_units = [units[i] if units[i] else unit for i in sig_idx]
    ch_u = _units.scale_to_volts(data, sig_units)
    no_unit = [r for r, u in enumerate(sig_units) if not u]
    kinds = []
    for i, u, cu in zip(sig_idx, sig_units, ch_u):
        kind = _units.guess_kind(bases[i], u)
        kinds.append("emg" if kind == "other" and cu in ("V", "a.u.") else kind)
    if no_unit:
        peak = max(float(max(data[r].max(), -data[r].min())) for r in no_unit)
        ints = bool(np.array_equal(data[no_unit[0]][:10_000], np.round(data[no_unit[0]][:10_000])))
        looks = (" — they look like raw ADC counts" if ints and peak >= 1 else
                 " — they look like volts" if peak < 0.1 else "")
        meta["unit_note"] = (f"the file states no unit for {len(no_unit)} channel(s); the values are kept as in "
                             f"the file and marked 'a.u.' (largest |x| = {peak:.3g}{looks}); pass unit='V' "
                             "(or 'mV', 'uV') to read_file if you know it")
    names = unique_names([bases[i] for i in sig_idx])
    emg_units = [u for u, k in zip(ch_u, kinds) if k == "emg"] or ch_u
    rec_unit = max(set(emg_units), key=emg_units.count)
    bits = _field(fields, "resolution", "adc resolution", "resolution bits", "bits", "adc bits")
    n_bits = _first_number(bits) if bits is not None else None
    if n_bits is not None:
        if np.isfinite(n_bits) and 1 <= n_bits <= 64 and n_bits == int(n_bits):
            meta["adc_resolution_bits"] = int(n_bits)
        else:  # a nonsense header field does not make the samples unreadable
            warnings.append(f"ignored the header's resolution {bits!r}: not a bit count from 1 to 64")
    if warnings:
        meta["warnings"] = warnings
    if meta_extra:
        meta.update(meta_extra)
    notes = [f"sampling rate {used:.6g} Hz: {meta['fs_source']}"]
    if layout is not None and layout.n_cols > 1:
        notes.append(f"columns separated by {meta['delimiter']!r}, decimal mark {layout.decimal!r}")
    return make_recording(data, fs=used, ch_names=tuple(names), unit=rec_unit, source=name, meta=meta,
                          events=events or None, ch_units=tuple(ch_u), ch_kinds=tuple(kinds), t0=t0, notes=notes,
                          fs_where=meta["fs_source"])
