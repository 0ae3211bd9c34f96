"""Vicon Nexus CSV: the ``Devices`` section (rate line, device row, names, units, then the samples)."""

from __future__ import annotations

import re

from ..errors import ReadError
from ..recording import Recording
from . import text as _text
from ._table import strip_padding

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read"]

FORMAT = "Vicon Nexus CSV"
SUFFIXES = ()


def sniff(head: bytes, name: str) -> bool:
    """The first line is ``Devices`` (padding commas allowed)."""
    if not _text.is_text(head[:8192]):
        return False
    text = head[:4096].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf").lstrip()
    first = text.split("\n", 1)[0].strip()
    return [f.strip() for f in strip_padding(first.split(","))] == ["Devices"]


def read(content: bytes, name: str, *, fs: float | None = None, unit: str | None = None) -> Recording:
    """Read the Devices section of a Vicon Nexus CSV export (``fs`` wins over the rate line)."""
    return _read_vicon(content, name, fs=fs, unit=unit)


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
    return _text.read_table(content, name, fs=fs, unit=unit, fmt=FORMAT, meta_extra=meta_extra,
                            layout=layout, end=end, file_fs=rate, fs_key="Devices rate line")
