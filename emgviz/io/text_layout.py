"""Text tables, step 1: decode the head, find where the numbers start, the delimiter, decimal and header row.

Shared by the generic CSV/TXT reader and every vendor text layout (Delsys, Vicon, DataLOG,
Noraxon, OpenSignals TXT). Padding (rows ending in delimiters) is tolerated here: see
:mod:`._table` for the one place that strips it from parsed columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import ReadError
from . import units as _units
from ._table import strip_padding
from .limits import max_channels
from .text_header import _META_LINE, _field, _first_number, fs_from_fields, header_fields  # noqa: F401

__all__ = ["Layout", "scan_layout", "split_fields", "header_fields", "fs_from_fields", "is_text"]

_HEAD_BYTES = 65536
_MAX_HEAD_BYTES = 4 * 1024 * 1024
_COMMENT = ("#", "%", "//")
_NUM = re.compile(r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|nan|inf|infinity|na|n/a|)$",
                  re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_BREAK = re.compile(rb"\r\n|\n|\r")
# (delimiter, decimal); "ws" = runs of blanks, None = one column
_CANDIDATES = (("\t", "."), ("\t", ","), (";", "."), (";", ","), (",", "."), ("ws", "."), ("ws", ","),
               (None, "."), (None, ","))


# ---------------------------------------------------------------- decoding ----------------------------
def is_text(head: bytes) -> bool:
    """True when ``head`` looks like text: no NUL byte and under 1 % other control characters."""
    if not head or b"\x00" in head:
        return False
    ctrl = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13))
    return ctrl <= 0.01 * len(head)


def _encoding(head: bytes, complete: bool) -> str:
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(head) - 3:  # a character cut at the end of the head
            return "utf-8"
        return "latin-1"


# ---------------------------------------------------------------- layout ------------------------------
@dataclass
class Layout:
    """Where the numbers start and how they are written.

    Attributes
    ----------
    data_line : int
        0-based line index of the first row of numbers.
    data_offset : int
        Byte offset of that line in the content.
    delimiter : str or None
        ``","``, ``";"``, ``"\\t"``, ``"ws"`` (runs of blanks) or ``None`` (one column).
    decimal : str
        ``"."`` or ``","``.
    n_cols : int
        Fields per row of numbers.
    header : list of str or None
        Column names, when the line before the numbers names them.
    preamble : list of str
        The text lines before the numbers (and before the header row).
    encoding : str
    lines : list of str
        The complete lines of the head (for vendor readers).
    units_row : list of str or None
        A row of units under the header row (vendor files).
    pad : int
        Trailing empty fields on every row of numbers (rows ending in delimiters); they are
        counted in ``n_cols`` and dropped as padding columns after parsing.
    """

    data_line: int
    data_offset: int
    delimiter: str | None
    decimal: str
    n_cols: int
    header: list | None
    preamble: list
    encoding: str
    lines: list = field(default_factory=list)
    units_row: list | None = None
    pad: int = 0  #: empty fields that end every row of numbers (padding to the table width)


def split_fields(line: str, delimiter: str | None) -> list[str]:
    """Split one line into stripped fields (``"ws"`` splits on runs of blanks)."""
    if delimiter is None:
        return [line.strip().strip('"').strip()]
    if delimiter == "ws":
        return line.split()
    return [f.strip().strip('"').strip() for f in line.split(delimiter)]


def _numeric_fields(fields: list[str], decimal: str) -> bool:
    if decimal == ",":
        fields = [f.replace(",", ".") for f in fields]
    return all(_NUM.match(f) for f in fields)


def _head_lines(content: bytes, name: str) -> tuple[list[str], list[int], str]:
    start = 3 if content.startswith(b"\xef\xbb\xbf") else 0
    size = _HEAD_BYTES
    while True:
        head = content[start:start + size]
        complete = start + size >= len(content)
        raw_lines, pos = [], 0
        for m in _BREAK.finditer(head):
            raw_lines.append((pos, head[pos:m.end()]))
            pos = m.end()
        if complete and pos < len(head):
            raw_lines.append((pos, head[pos:]))
        if len(raw_lines) >= 8 or complete or size >= _MAX_HEAD_BYTES:
            break
        size *= 4
    if not raw_lines:
        first = head[:size]
        fields = max(first.count(b","), first.count(b";"), first.count(b"\t"))
        if fields >= max_channels():
            raise ReadError(name, f"the first line holds more than {fields:,} fields, above the limit of "
                                  f"{max_channels():,} channels", "split the file or transpose it so "
                                  "channels are columns")
        raise ReadError(name, f"the first line is longer than {size // 1024 // 1024} MB without a line break; "
                              "this is not a table of numbers", "export one sample per line")
    if not is_text(head[:size]):
        bad = next((i for i, b in enumerate(head) if b == 0 or (b < 32 and b not in (9, 10, 12, 13))), 0)
        raise ReadError(name, f"the content is binary, not text (byte 0x{head[bad]:02x} at offset "
                              f"{start + bad})", "check the file type; emgviz reads CSV/TXT as plain text")
    enc = _encoding(head, complete)
    lines = [b.decode(enc, errors="replace").rstrip("\r\n") for _, b in raw_lines]
    offsets = [start + o for o, _ in raw_lines]
    return lines, offsets, enc


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith(_COMMENT)


def scan_layout(content: bytes, name: str, *, min_rows: int = 1) -> Layout:
    """Find the first row of numbers, the delimiter, the decimal mark and the header row.

    Raises
    ------
    ReadError
        When no run of numeric rows is found.
    """
    lines, offsets, enc = _head_lines(content, name)
    cand = [i for i, ln in enumerate(lines) if ln.strip() and not _is_comment(ln) and _DIGIT.search(ln)]
    if not cand:
        raise ReadError(name, f"found no row of numbers in the first {len(lines)} lines",
                        "check the file is a table of samples (one row per sample, one column per channel)")
    probe = cand[-60:]
    best = None
    for order, (delim, dec) in enumerate(_CANDIDATES):
        counts: dict[int, int] = {}
        for i in probe:
            fields = split_fields(lines[i], delim)
            if _numeric_fields(fields, dec):
                counts[len(fields)] = counts.get(len(fields), 0) + 1
        if not counts:
            continue
        n_cols, score = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        key = (score, n_cols, -order)
        if best is None or key > best[0]:
            best = (key, delim, dec, n_cols)
    if best is None:
        first = lines[cand[0]]
        raise ReadError(name, f"no line holds only numbers (line {cand[0] + 1}: {first[:60]!r})",
                        "check the delimiter and that the samples are numbers")
    _, delim, dec, n_cols = best
    if n_cols == 1:
        delim = None
    if n_cols > max_channels():
        raise ReadError(name, f"the rows hold {n_cols:,} fields, above the limit of {max_channels():,} channels",
                        "split the file or raise EMGVIZ_MAX_CHANNELS")

    pad = _padding(lines, cand, delim, dec, n_cols)
    width = n_cols - pad

    def numeric(i: int) -> bool:
        f = split_fields(lines[i], delim)
        if len(f) != n_cols or not _numeric_fields(f, dec) or _DIGIT.search(lines[i]) is None:
            return False
        # a padded line (a rate line "2000,,,,") is no row of samples: most fields must be filled
        return width <= 1 or 2 * sum(1 for x in f[:width] if x) > width

    data_line = None
    for pos, i in enumerate(cand):
        if numeric(i) and (n_cols > 1 or pos + 1 >= len(cand) or numeric(cand[pos + 1])):
            data_line = i
            break
    if data_line is None:
        data_line = next((i for i in cand if numeric(i)), None)
    if data_line is None:
        raise ReadError(name, f"no line holds {n_cols} numbers in a row (line {cand[0] + 1}: "
                              f"{lines[cand[0]][:60]!r})", "check the delimiter and that the samples are numbers")
    _check_no_table_above(name, lines, data_line, delim)
    header = None
    pre_end = data_line
    j = data_line - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    units_row = None
    if j >= 1 and not _is_comment(lines[j]):
        maybe = _fit(split_fields(lines[j], delim), n_cols, pad)
        if maybe is not None and any(maybe) and all(not f or _units.known_unit(f) for f in maybe):
            above = _fit(split_fields(lines[j - 1], delim), n_cols, pad)
            if above is not None and not _numeric_fields(above, dec):
                units_row, j = maybe, j - 1
    if j >= 0 and not _is_comment(lines[j]) and not (n_cols == 1 and _META_LINE.match(lines[j])):
        fields = split_fields(lines[j], delim if delim is not None else "\x1f")
        if delim is None:
            fields = [lines[j].strip()]
        fields = _fit(fields, n_cols, pad) or fields
        if len(fields) == n_cols and not _numeric_fields(fields, dec):
            header, pre_end = fields, j
        elif delim == "ws" and len(fields) != n_cols:
            tabbed = [f.strip() for f in re.split(r"\t|\s{2,}", lines[j].strip())]
            if len(tabbed) == n_cols:
                header, pre_end = tabbed, j
    return Layout(data_line=data_line, data_offset=offsets[data_line], delimiter=delim, decimal=dec,
                  n_cols=n_cols, header=header, preamble=lines[:pre_end], encoding=enc,
                  lines=lines, units_row=units_row if header is not None else None, pad=pad)


def _fit(fields: list[str], n_cols: int, pad: int = 0) -> list[str] | None:
    """A header/unit row as ``n_cols`` fields when it differs from the rows only by padding."""
    fields = strip_padding(fields) if len(fields) > n_cols or pad else fields
    if n_cols - pad <= len(fields) <= n_cols:
        return list(fields) + [""] * (n_cols - len(fields))
    return None


def _padding(lines: list[str], cand: list[int], delim, dec: str, n_cols: int) -> int:
    """Empty fields that end every filled row of numbers of width ``n_cols`` (0 when none)."""
    if delim is None or delim == "ws":
        return 0
    pads = []
    for i in cand:
        f = split_fields(lines[i], delim)
        if len(f) == n_cols and _numeric_fields(f, dec):
            kept = len(strip_padding(f))
            if kept:
                pads.append(n_cols - kept)
    return min(pads) if pads else 0


def _check_no_table_above(name: str, lines: list[str], data_line: int, delim) -> None:
    """Refuse a file whose delimiter changes: rows of numbers above the first row read as data.

    The rows are found with the delimiter of the *last* rows of the head; rows of numbers
    written with another delimiter before them would silently become "header text".
    """
    rows = []
    for i in range(data_line):
        ln = lines[i]
        if not ln.strip() or _is_comment(ln):
            continue
        for other in ("\t", ";", ","):
            if other == delim:
                continue
            f = strip_padding(split_fields(ln, other))
            if len(f) >= 2 and all(f) and (_numeric_fields(f, ".") or _numeric_fields(f, ",")) and _DIGIT.search(ln):
                rows.append(i)
                break
    if len(rows) >= 3:
        shown = {"\t": "tab", "ws": "blanks", None: "none"}.get(delim, delim)
        raise ReadError(name, f"the delimiter changes inside the file: lines {rows[0] + 1}–{rows[-1] + 1} hold "
                              f"numbers separated differently from line {data_line + 1} on (separated by "
                              f"{shown!r}); reading on would drop {len(rows):,}+ rows",
                        "export the file again with one delimiter throughout")
