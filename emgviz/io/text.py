"""Generic CSV/TXT reader: the entry point over the three steps of a text table.

:mod:`.text_layout` (where the numbers start, delimiter, decimal, header), :mod:`.text_parse`
(rows to columns) and :mod:`.text_build` (columns to a Recording). Vendor layouts reuse the
same steps with hooks (:func:`read_table`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import ReadError
from ..recording import Recording, make_events
from . import units as _units
from ._table import drop_padding_columns
from .text_build import build_recording, fs_from_time
from .text_layout import (_DIGIT, Layout, _field, fs_from_fields, header_fields, is_text, scan_layout,
                          split_fields)
from .text_parse import Column, _values, columns_to_array, head, parse_columns

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "Layout", "scan_layout", "parse_columns",
           "build_recording", "header_fields", "fs_from_fields", "is_text", "read_table", "comment_events",
           "split_fields", "fs_from_time", "columns_to_array", "head", "Column"]

FORMAT = "CSV/TXT"
SUFFIXES = (".csv", ".txt", ".tsv", ".tab", ".asc")


def sniff(head: bytes, name: str) -> bool:
    """Text with at least one digit (the generic reader; checked last)."""
    head = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    return is_text(head[:8192]) and _DIGIT.search(head.decode("latin-1")) is not None


# ---------------------------------------------------------------- entry point -------------------------
def read(content: bytes, name: str, *, fs: float | None = None, unit: str | None = None) -> Recording:
    """Read a delimited text table of samples.

    Parameters
    ----------
    content : bytes
        The whole file.
    name : str
        File name, for messages.
    fs : float, optional
        Sampling rate in Hz; wins over the file's own (noted in ``meta["warnings"]``).
    unit : str, optional
        Unit of channels whose header states none (``"V"``, ``"mV"``, ``"uV"``); without it
        such channels keep their values and the unit ``"a.u."``.

    Returns
    -------
    Recording
        ``meta`` holds ``format``, ``delimiter``, ``decimal``, ``header`` (key/value lines),
        ``fs_source`` and, where they apply, ``time_column``, ``time_unit``, ``time_gaps``,
        ``warnings``, ``unit_note``, ``adc_resolution_bits``, ``event_columns``.
    """
    return read_table(content, name, fs=fs, unit=unit)


def read_table(content: bytes, name: str, *, fs=None, unit=None, fmt: str = FORMAT, meta_extra=None,
               layout: Layout | None = None, end: int | None = None, file_fs=None, fs_key=None,
               labels=None, ch_units=None) -> Recording:
    """The generic reader with hooks for vendor layouts (see :func:`read`)."""
    if unit is not None and not _units.known_unit(unit):
        raise ReadError(name, f"unit={unit!r} is not a unit emgviz knows", "pass 'V', 'mV' or 'uV'")
    layout = layout or scan_layout(content, name)
    fields = header_fields(layout.preamble)
    if file_fs is None:
        file_fs, fs_key = fs_from_fields(fields)
    columns = parse_columns(content, name, layout, end=end)
    has_header = layout.header is not None or labels is not None
    if labels is not None:
        labels = list(labels)
    elif has_header:
        labels = list(layout.header)
    else:
        listed = _field(fields, "labels", "label", "channels", "channel names", "names", "columns")
        width = layout.n_cols - layout.pad
        split = [s for s in re.split(r"[\t,;]+|\s+", listed.strip()) if s] if listed else []
        labels = (split if len(split) == width else [f"ch{i + 1}" for i in range(width)]) + [""] * layout.pad
    file_unit = unit or _field(fields, "unit", "units", "signal unit", "physical unit", "physical dimension")
    if file_unit is not None and not _units.known_unit(file_unit.strip()):
        file_unit = None
    ch_units = list(ch_units) if ch_units is not None else layout.units_row
    labels, columns, ch_units, _ = drop_padding_columns(labels, columns, ch_units)
    rec = build_recording(name, labels, columns, layout=layout, fs=fs, file_fs=file_fs, fs_key=fs_key,
                          fields=fields, unit=file_unit.strip() if file_unit else None, has_header=has_header,
                          fmt=fmt, meta_extra=meta_extra, ch_units=ch_units)
    events = comment_events(layout.preamble)
    if events:
        rec = rec.with_data(rec.data, events=pd.concat([rec.events, make_events(events)], ignore_index=True))
    return rec


_EVENT_LINE = re.compile(r"^\s*#\s*event\s*:\s*(?P<t>[^,]+),\s*(?P<d>[^,]+),\s*(?P<label>.*?)\s*$", re.I)


def comment_events(lines) -> list[tuple[float, float, str]]:
    """Events stated as ``# event: time_s, duration_s, label`` lines (as emgviz's CSV writer puts them)."""
    out = []
    for line in lines:
        m = _EVENT_LINE.match(line)
        if not m:
            continue
        try:
            t, d = float(m.group("t")), float(m.group("d"))
        except ValueError:
            continue
        if np.isfinite(t) and np.isfinite(d):
            out.append((t, d, m.group("label")))
    return out
