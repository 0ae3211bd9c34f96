"""Generic CSV/TXT reader: delimiter and decimal sniffing, header metadata, time and label columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import NeedsSamplingRate, ReadError
from ..recording import Recording, make_events
from . import units as _units
from ._names import unique_names
from .limits import check_size, max_channels

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "Layout", "scan_layout", "parse_columns",
           "build_recording", "header_fields", "fs_from_fields", "is_text"]

FORMAT = "CSV/TXT"
SUFFIXES = (".csv", ".txt", ".tsv", ".tab", ".asc")

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
_TIME_NAMES = {"time", "t", "times", "timestamp", "time stamp", "timestamps", "elapsed time", "seconds",
               "sec", "time s", "time ms", "time_s", "time_ms", "ms", "msec", "x", "time us"}
_INDEX_NAMES = {"sample", "samples", "index", "idx", "n", "nr", "no", "#", "sample number", "sample nr",
                "count", "counter", "nseq", "seq", "sample index", "frame", "frames", "sub frame"}
_LABEL_WORDS = {"class", "label", "labels", "marker", "markers", "event", "events", "trigger", "stim",
                "stimulus", "gesture", "condition", "phase", "annotation", "annotations", "tag", "status",
                "state", "task", "movement", "trial", "target"}
_MAX_LABEL_SEGMENTS = 10_000


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


def sniff(head: bytes, name: str) -> bool:
    """Text with at least one digit (the generic reader; checked last)."""
    head = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    return is_text(head[:8192]) and _DIGIT.search(head.decode("latin-1")) is not None


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

    def numeric(i: int) -> bool:
        f = split_fields(lines[i], delim)
        return len(f) == n_cols and _numeric_fields(f, dec) and _DIGIT.search(lines[i]) is not None

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
    header = None
    pre_end = data_line
    j = data_line - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    units_row = None
    if j >= 1 and not _is_comment(lines[j]):
        maybe = _fit(split_fields(lines[j], delim), n_cols)
        if maybe is not None and any(maybe) and all(not f or _units.known_unit(f) for f in maybe):
            above = _fit(split_fields(lines[j - 1], delim), n_cols)
            if above is not None and not _numeric_fields(above, dec):
                units_row, j = maybe, j - 1
    if j >= 0 and not _is_comment(lines[j]) and not (n_cols == 1 and _META_LINE.match(lines[j])):
        fields = split_fields(lines[j], delim if delim is not None else "\x1f")
        if delim is None:
            fields = [lines[j].strip()]
        if len(fields) == n_cols + 1 and fields[-1] == "":
            fields = fields[:-1]
        if len(fields) == n_cols and not _numeric_fields(fields, dec):
            header, pre_end = fields, j
        elif delim == "ws" and len(fields) != n_cols:
            tabbed = [f.strip() for f in re.split(r"\t|\s{2,}", lines[j].strip())]
            if len(tabbed) == n_cols:
                header, pre_end = tabbed, j
    return Layout(data_line=data_line, data_offset=offsets[data_line], delimiter=delim, decimal=dec,
                  n_cols=n_cols, header=header, preamble=lines[:pre_end], encoding=enc,
                  lines=lines, units_row=units_row if header is not None else None)


def _fit(fields: list[str], n_cols: int) -> list[str] | None:
    if len(fields) == n_cols + 1 and fields[-1] == "":
        fields = fields[:-1]
    return fields if len(fields) == n_cols else None


# ---------------------------------------------------------------- header metadata ---------------------
_META_LINE = re.compile(r"^\s*(?:#|%|//)?\s*(?P<key>[^\d\s:=#][^:=]{0,60}?)\s*(?::=|:|=)\s*(?P<value>.*?)\s*$")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def header_fields(lines) -> dict[str, str]:
    """``key: value`` / ``key:= value`` / ``key=value`` pairs of the text before the numbers."""
    out: dict[str, str] = {}
    for line in lines:
        text = line.strip()
        if text.startswith("#") and text[1:].lstrip().startswith("{"):
            continue  # JSON headers belong to dedicated readers
        pairs = [text]
        if text.count("=") > 1 and ":=" not in text:
            pairs = [p for p in re.split(r"[,;]\s*", text.lstrip("#%/ ")) if "=" in p]
        for p in pairs:
            m = _META_LINE.match(p)
            if m and m.group("value") and len(out) < 200:
                out.setdefault(m.group("key").strip(), m.group("value"))
    return out


def _norm_key(key: str) -> str:
    return re.sub(r"[^a-z]+", " ", key.lower()).strip()


def _first_number(text: str) -> float | None:
    m = _NUMBER.search(text)
    if not m:
        return None
    try:
        return float(m.group().replace(",", "."))
    except ValueError:
        return None


def fs_from_fields(fields: dict[str, str]) -> tuple[float | None, str | None]:
    """The sampling rate in Hz stated by header fields, and the key that stated it."""
    exact = {"fs", "sr", "srate", "rate", "frequency", "sampling", "hz", "sample rate", "sampling rate",
             "samplerate", "sampling frequency", "sample frequency", "acquisition rate", "sampling rate hz",
             "sample rate hz", "sampling frequency hz", "frequency hz", "rate hz", "fs hz"}
    for key, value in fields.items():
        k = _norm_key(key)
        if k in exact or ("sampl" in k and ("rate" in k or "freq" in k)):
            v = _first_number(value)
            if v is None or not np.isfinite(v) or v <= 0:
                continue
            if "khz" in value.lower() or "khz" in key.lower():
                v *= 1000.0
            return v, key
    return None, None


def _field(fields: dict[str, str], *words: str) -> str | None:
    for key, value in fields.items():
        if _norm_key(key) in words:
            return value
    return None


# ---------------------------------------------------------------- parsing -----------------------------
def _line_of(layout: Layout, row: int) -> int:
    return layout.data_line + row + 1


def parse_columns(content: bytes, name: str, layout: Layout, *, end: int | None = None) -> list:
    """Parse the numbers from ``layout.data_offset`` on into one array per column.

    Returns
    -------
    list of ndarray
        float64 arrays, or object arrays for columns holding text (the caller decides).
    """
    n_cols = layout.n_cols
    end = len(content) if end is None else end
    remaining = end - layout.data_offset
    data_lines = [ln for ln in layout.lines[layout.data_line:layout.data_line + 200] if ln.strip()]
    mean_len = max(1.0, sum(len(ln) + 1 for ln in data_lines) / max(1, len(data_lines)))
    check_size(name, n_cols, int(remaining / mean_len * 0.9))
    names = [f"c{i}" for i in range(n_cols)]
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow ships with pandas' recommended set
        pa = None
    if layout.delimiter == "ws" or pa is None:
        return _parse_pandas(memoryview(content)[:end], name, layout, names)
    delim = layout.delimiter if layout.delimiter is not None else "\x1f"
    buf = pa.py_buffer(content)[layout.data_offset:end]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(buf),
            read_options=pacsv.ReadOptions(column_names=names, encoding=layout.encoding),
            parse_options=pacsv.ParseOptions(delimiter=delim, quote_char='"', newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(decimal_point=layout.decimal, strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        raise _arrow_error(name, layout, str(exc)) from None
    out = []
    for col in table.columns:
        t = col.type
        if pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_null(t) or pa.types.is_boolean(t):
            out.append(Column(col))
        else:
            out.append(np.asarray(col.to_pylist(), dtype=object))
    return out


class Column:
    """A parsed numeric column, kept in pyarrow's chunks until copied once into the data array."""

    dtype = np.dtype(np.float64)

    def __init__(self, chunked):
        self._chunked = chunked
        self._array = None

    def __len__(self) -> int:
        return len(self._chunked)

    def fill(self, out: np.ndarray) -> None:
        """Copy the values into ``out`` (float64, same length); nulls become NaN."""
        pos = 0
        for chunk in self._chunked.chunks:
            n = len(chunk)
            if chunk.null_count == n:
                out[pos:pos + n] = np.nan
            else:
                out[pos:pos + n] = chunk.to_numpy(zero_copy_only=False)
            pos += n

    def array(self) -> np.ndarray:
        """The values as one float64 array (made once, on demand)."""
        if self._array is None:
            arr = np.empty(len(self), dtype=np.float64)
            self.fill(arr)
            self._array = arr
        return self._array

    def head(self, n: int) -> "Column":
        """The first ``n`` values, still in pyarrow's chunks (no copy)."""
        return self if n >= len(self) else Column(self._chunked.slice(0, n))


def _values(col) -> np.ndarray:
    return col.array() if isinstance(col, Column) else col


def head(col, n: int):
    """The first ``n`` values of a parsed column, without copying them."""
    return col.head(n) if isinstance(col, Column) else col[:n]


def columns_to_array(name: str, columns: list, labels, layout: Layout | None) -> np.ndarray:
    """Copy parsed columns once into one float64 (n_columns, n_rows) array, checking every value.

    Parameters
    ----------
    columns : list
        Parsed columns (:class:`Column`, float or object arrays) of one length; each entry is
        set to None once copied, so the parsed data can be freed as the array fills.
    labels : sequence of str
        The column names, for messages.

    Raises
    ------
    ReadError
        A column holds text, an empty cell, NaN or an infinite value (the message names the line).
    """
    n_rows = len(columns[0]) if columns else 0
    check_size(name, len(columns), n_rows)
    data = np.empty((len(columns), n_rows), dtype=np.float64)
    for r, col in enumerate(columns):
        if isinstance(col, Column):
            col.fill(data[r])
        elif col.dtype == object:
            data[r] = _to_float_or_fail(name, labels[r], col, layout)
        else:
            data[r] = col
        columns[r] = None  # let go of the parsed column
        _check_finite(name, labels[r], data[r], layout)
    return data


def _arrow_error(name: str, layout: Layout, msg: str) -> ReadError:
    m = re.search(r"Expected (\d+) columns, got (\d+): (.*)", msg)
    if m:
        return ReadError(name, f"a row holds {m.group(2)} fields where the first rows hold {m.group(1)} "
                               f"(row text: {m.group(3)[:60]!r})",
                         "make every row hold the same number of columns, or remove the stray lines")
    return ReadError(name, f"the table could not be parsed: {msg[:200]}",
                     "check the file is a table of numbers with one delimiter")


def _parse_pandas(content: bytes, name: str, layout: Layout, names: list[str]) -> list:
    import io

    import pandas as pd

    sep = r"\s+" if layout.delimiter == "ws" else (layout.delimiter or "\x1f")
    try:
        frame = pd.read_csv(io.BytesIO(memoryview(content)[layout.data_offset:]), sep=sep, header=None,
                            names=names, decimal=layout.decimal, engine="c", encoding=layout.encoding,
                            skip_blank_lines=True, low_memory=False)
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise ReadError(name, f"line {layout.data_line + int(m.group(2))} holds {m.group(3)} fields where "
                                  f"the first rows hold {m.group(1)}",
                            "make every row hold the same number of columns") from None
        raise ReadError(name, f"the table could not be parsed: {str(exc)[:200]}",
                        "check the file is a table of numbers") from None
    out = []
    for c in names:
        s = frame[c]
        if s.dtype.kind in "fiub":
            out.append(s.to_numpy(dtype=np.float64))
        else:
            out.append(s.to_numpy(dtype=object))
    return out


def _to_float_or_fail(name: str, label: str, values: np.ndarray, layout: Layout) -> np.ndarray:
    """Convert an object column to float, or raise naming the first bad value."""
    import pandas as pd

    conv = pd.to_numeric(pd.Series(values, dtype=object).astype(str).str.replace(",", ".")
                         if layout.decimal == "," else pd.Series(values, dtype=object), errors="coerce")
    bad = conv.isna().to_numpy() & pd.notna(pd.Series(values, dtype=object)).to_numpy()
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise ReadError(name, f"column {label!r} holds text {str(values[r])[:40]!r} at line "
                              f"{_line_of(layout, r)} (data row {r + 1})",
                        "remove the text or export numbers only")
    return conv.to_numpy(dtype=np.float64)


def _check_finite(name: str, label: str, arr: np.ndarray, layout: Layout) -> None:
    if not np.isfinite(arr).all():
        r = int(np.flatnonzero(~np.isfinite(arr))[0])
        what = "an empty or NaN value" if np.isnan(arr[r]) else f"the value {arr[r]}"
        n_bad = int((~np.isfinite(arr)).sum())
        raise ReadError(name, f"column {label!r} holds {what} at line {_line_of(layout, r)} (data row {r + 1}; "
                              f"{n_bad:,} such values in the column)",
                        "fill or cut the gaps before loading (emgviz never invents samples)")


# ---------------------------------------------------------------- columns -> recording ----------------
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
        base, u = _units.split_unit(lab)
        if ch_units is not None and ch_units[i]:
            u = u or ch_units[i]
        bases.append(base)
        units.append(u)

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
    return Recording._trusted(data, fs=used, ch_names=tuple(names), unit=rec_unit, source=name, meta=meta,
                              events=events or None, ch_units=tuple(ch_u), ch_kinds=tuple(kinds), t0=t0)


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
        split = [s for s in re.split(r"[\t,;]+|\s+", listed.strip()) if s] if listed else []
        labels = split if len(split) == layout.n_cols else (
            [f"ch{i + 1}" for i in range(layout.n_cols)] if layout.n_cols > 1 else ["ch1"])
    file_unit = unit or _field(fields, "unit", "units", "signal unit", "physical unit", "physical dimension")
    if file_unit is not None and not _units.known_unit(file_unit.strip()):
        file_unit = None
    # drop all-empty unnamed trailing columns (rows ending with a delimiter)
    ch_units = list(ch_units) if ch_units is not None else layout.units_row
    keep = [i for i in range(len(columns))
            if not (labels[i].strip() == "" and columns[i].dtype != object and np.isnan(_values(columns[i])).all())]
    labels = [labels[i] for i in keep]
    columns = [columns[i] for i in keep]
    if ch_units is not None:
        ch_units = [ch_units[i] for i in keep]
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
