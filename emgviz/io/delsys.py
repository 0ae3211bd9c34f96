"""Delsys EMGworks / Trigno CSV: one ``X[s]`` time column per signal, signals grouped by sampling rate."""

from __future__ import annotations

import re

import numpy as np

from ..errors import NeedsChoice, ReadError
from ..recording import Recording
from . import text as _text
from . import units as _units
from ._groups import group_key, match_group

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read"]

FORMAT = "Delsys EMGworks CSV"
SUFFIXES = ()

_DELSYS_LABEL = re.compile(r"Label:\s*(?P<label>.+?)\s+Sampling frequency:\s*(?P<fs>[\d.eE+-]+)"
                           r"(?:.*?Unit:\s*(?P<unit>[^\s,]+))?", re.IGNORECASE)
_X_COL = re.compile(r"^\s*X\s*\[\s*s\s*\]\s*$|^\s*X\s*\(\s*s\s*\)\s*$", re.IGNORECASE)
_X_PAIR = re.compile(r"(^|[,\t])\s*X\s*\[s\]\s*[,\t].*(^|[,\t])\s*X\s*\[s\]", re.IGNORECASE | re.MULTILINE)


def sniff(head: bytes, name: str) -> bool:
    """``Label: … Sampling frequency:`` lines, or two ``X[s]`` columns in one row."""
    if not _text.is_text(head[:8192]):
        return False
    text = head[:16384].decode("latin-1")
    return bool(re.search(r"Label:.*Sampling frequency:", text, re.IGNORECASE) or _X_PAIR.search(text))


def read(content: bytes, name: str, *, fs: float | None = None, group: str | float | None = None,
         unit: str | None = None) -> Recording:
    """Read a Delsys export.

    Parameters
    ----------
    fs : float, optional
        Sampling rate in Hz; wins over the file's.
    group : str or float, optional
        Which rate group to read (one of ``meta["groups"]``, e.g. ``"148.148 Hz"``, the rate as
        a number, or a channel of the group). Default: the group holding EMG channels.
    unit : str, optional
        Unit of channels whose header states none.
    """
    return _read_delsys(content, name, fs=fs, group=group, unit=unit)


def _read_delsys(content, name, *, fs, group, unit) -> Recording:
    layout = _text.scan_layout(content, name)
    if layout.header is None:
        raise ReadError(name, "the Delsys export has no column row (X[s], EMG 1, ...) above the numbers",
                        "export again with column headers")
    label_info = {}
    for line in layout.preamble:
        m = _DELSYS_LABEL.search(line)
        if m:
            label_info[m.group("label").strip()] = (float(m.group("fs")), m.group("unit"))
    columns = _text.parse_columns(content, name, layout)
    header = layout.header
    # each signal column belongs to the X[s] column left of it
    groups: dict[str, dict] = {}
    current_x = None
    for i, lab in enumerate(header):
        if _X_COL.match(lab):
            current_x = i
            continue
        if not lab.strip():
            continue
        if current_x is None:
            raise ReadError(name, f"column {lab!r} (column {i + 1}) has no X[s] time column to its left",
                            "export with one time column per signal")
        base, _ = _units.split_unit(lab)
        info = label_info.get(base) or label_info.get(lab.strip()) or next(
            (v for k, v in label_info.items() if k in lab or lab in k), None)
        t = _text._values(columns[current_x])
        n = int(np.count_nonzero(~np.isnan(t)))
        col_fs = info[0] if info else None
        if col_fs is None:
            if n < 2:
                raise ReadError(name, f"column {lab!r} has fewer than 2 time stamps and no 'Sampling frequency'",
                                "pass fs=")
            try:
                col_fs = _text.fs_from_time(name, header[current_x], t[:n], layout)[0]
            except ReadError:
                if fs is None:
                    raise
                col_fs = float(fs)
        key = group_key(col_fs)
        g = groups.setdefault(key, {"fs": col_fs, "x": current_x, "n": n, "cols": [], "units": []})
        g["cols"].append(i)
        g["units"].append(info[1] if info and info[1] else None)
        g["n"] = min(g["n"], n)
    if not groups:
        raise ReadError(name, "the Delsys export holds no signal columns", "check the export")
    listing = {k: [header[i] for i in g["cols"]] for k, g in groups.items()}
    if group is None:
        with_emg = [k for k, g in groups.items()
                    if any(_units.guess_kind(_units.split_unit(header[i])[0], None) == "emg" for i in g["cols"])]
        chosen = with_emg[0] if with_emg else next(iter(groups))
    else:
        chosen = match_group(groups, group)
        if chosen is None and isinstance(group, str):  # a channel of the group
            chosen = next((k for k in groups if group.strip() in listing[k]), None)
        if chosen is None:
            raise NeedsChoice(name, f"no rate group {group!r} in this Delsys export", "group", list(groups))
    g = groups[chosen]
    n = g["n"]
    cols = [_text.head(columns[i], n) for i in g["cols"]]  # copied once, by build_recording
    t = _text._values(columns[g["x"]])[:n]
    labels = ["X[s]"] + [header[i] for i in g["cols"]]
    ch_units = [None] + [_delsys_unit(u) for u in g["units"]]
    meta_extra = {"groups": {k: listing[k] for k in groups}, "group": chosen}
    if len(groups) > 1:
        meta_extra["group_note"] = (f"this export holds {len(groups)} sampling rates; {chosen} is shown, the others "
                                    "are listed in meta['groups'] and read with group=... (never resampled)")
    return _text.build_recording(name, labels, [t] + cols, layout=layout, fs=fs, file_fs=g["fs"],
                                 fs_key="Sampling frequency", fields=_text.header_fields(layout.preamble),
                                 unit=unit, has_header=True, fmt=FORMAT, meta_extra=meta_extra,
                                 ch_units=ch_units)


def _delsys_unit(u: str | None) -> str | None:
    if not u:
        return None
    low = u.strip().lower()
    return {"volts": "V", "volt": "V", "millivolts": "mV", "microvolts": "uV"}.get(low, u)
