"""Vendor text exports: Delsys EMGworks/Trigno CSV, Vicon Nexus Devices CSV, Biometrics DataLOG, Noraxon."""

from __future__ import annotations

import re

import numpy as np

from ..errors import NeedsChoice, ReadError
from ..recording import Recording
from . import text as _text
from . import units as _units
from ._groups import group_key, match_group

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "which_vendor", "FORMATS"]

FORMAT = "Vendor text export"
SUFFIXES = ()
#: Human names of the layouts this module reads.
FORMATS = {"delsys": "Delsys EMGworks CSV", "vicon": "Vicon Nexus CSV",
           "biometrics": "Biometrics DataLOG text", "noraxon": "Noraxon CSV"}

_DELSYS_LABEL = re.compile(r"Label:\s*(?P<label>.+?)\s+Sampling frequency:\s*(?P<fs>[\d.eE+-]+)"
                           r"(?:.*?Unit:\s*(?P<unit>[^\s,]+))?", re.IGNORECASE)
_X_COL = re.compile(r"^\s*X\s*\[\s*s\s*\]\s*$|^\s*X\s*\(\s*s\s*\)\s*$", re.IGNORECASE)


def which_vendor(head: bytes) -> str | None:
    """``"delsys"``, ``"vicon"``, ``"biometrics"``, ``"noraxon"`` or ``None`` from the first bytes."""
    if not _text.is_text(head[:8192]):
        return None
    text = head[:16384].decode("latin-1")
    first = text.lstrip("\ufeff\xef\xbb\xbf").lstrip().split("\n", 1)[0].strip().strip(",").strip()
    if first.lower() == "devices":
        return "vicon"
    if re.search(r"Label:.*Sampling frequency:", text, re.IGNORECASE) or \
            re.search(r"(^|[,\t])\s*X\s*\[s\]\s*[,\t].*(^|[,\t])\s*X\s*\[s\]", text, re.IGNORECASE | re.MULTILINE):
        return "delsys"
    if re.search(r"biometrics|datalog", text, re.IGNORECASE):
        return "biometrics"
    if re.search(r"noraxon|myomuscle|\bMR3\b", text, re.IGNORECASE) or \
            re.match(r'^"?time[^\n]*\b(RT|LT)[ _.]', text, re.IGNORECASE):
        return "noraxon"
    return None


def sniff(head: bytes, name: str) -> bool:
    """True for the text exports of Delsys, Vicon Nexus, Biometrics DataLOG and Noraxon."""
    return which_vendor(head) is not None


def read(content: bytes, name: str, *, fs: float | None = None, group: str | float | None = None,
         unit: str | None = None) -> Recording:
    """Read a vendor text export.

    Parameters
    ----------
    content : bytes
        The whole file.
    name : str
        File name, for messages.
    fs : float, optional
        Sampling rate in Hz; wins over the file's.
    group : str or float, optional
        Delsys files with several sampling rates: which rate group to read (one of
        ``meta["groups"]``, e.g. ``"148.148 Hz"``, or the rate as a number, ``1000.0``, or a
        channel of the group). Default: the group holding EMG channels.
    unit : str, optional
        Unit of channels whose header states none.

    Returns
    -------
    Recording
        ``meta["format"]`` names the vendor layout (see :data:`FORMATS`).
    """
    vendor = which_vendor(content[:65536])
    if vendor == "delsys":
        return _read_delsys(content, name, fs=fs, group=group, unit=unit)
    if group is not None:
        raise ReadError(name, "group= applies to Delsys files with several sampling rates", "remove group=")
    if vendor == "vicon":
        return _read_vicon(content, name, fs=fs, unit=unit)
    fmt = FORMATS.get(vendor or "", _text.FORMAT)
    return _text.read_table(content, name, fs=fs, unit=unit, fmt=fmt)


# ---------------------------------------------------------------- Delsys -------------------------------
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
                                 unit=unit, has_header=True, fmt=FORMATS["delsys"], meta_extra=meta_extra,
                                 ch_units=ch_units)


def _delsys_unit(u: str | None) -> str | None:
    if not u:
        return None
    low = u.strip().lower()
    return {"volts": "V", "volt": "V", "millivolts": "mV", "microvolts": "uV"}.get(low, u)


# ---------------------------------------------------------------- Vicon --------------------------------
def _read_vicon(content, name, *, fs, unit) -> Recording:
    layout = _text.scan_layout(content, name)
    lines = layout.lines
    rate = None
    for ln in lines[1:layout.data_line]:
        f = [x for x in _text.split_fields(ln, ",") if x]
        if len(f) == 1 and re.fullmatch(r"\d+(\.\d+)?", f[0]):
            rate = float(f[0])
            break
    if rate is None and fs is None:
        raise ReadError(name, "the Vicon 'Devices' section has no rate line (a number on line 2)",
                        "pass fs= (Hz)")
    # the Devices section ends at the first blank line after the numbers
    end = None
    m = re.compile(rb"\r?\n[ ,\t]*\r?\n").search(content, layout.data_offset)
    if m:
        end = m.start() + 1
    header = layout.header
    if header is None:
        raise ReadError(name, "the Vicon export has no 'Frame,Sub Frame,...' row above the numbers",
                        "export again from Nexus with column names")
    dev_line = lines[layout.data_line - (3 if layout.units_row else 2)] if layout.data_line >= 3 else ""
    devices = _text.split_fields(dev_line, ",")
    meta_extra = {"vicon_devices": [d for d in devices if d], "vicon_rate_hz": rate}
    return _text.read_table(content, name, fs=fs, unit=unit, fmt=FORMATS["vicon"], meta_extra=meta_extra,
                            layout=layout, end=end, file_fs=rate, fs_key="Devices rate line")
