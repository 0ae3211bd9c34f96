"""Text tables, step 2: parse the rows of numbers into columns (pyarrow, pandas for blank-separated text)."""

from __future__ import annotations

import re

import numpy as np

from ..errors import ReadError
from .limits import check_size
from .text_layout import Layout

__all__ = ["parse_columns", "Column", "columns_to_array", "head"]


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
    if remaining >= STREAM_FROM_BYTES:
        rows = _stream_numeric(content, layout, names, delim, end)
        if rows is not None:
            return rows
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


#: Text of at least this many bytes is parsed block by block straight into one float64 array
#: (:func:`_stream_numeric`): parsed blocks are freed as they are copied, so the extra memory
#: is about the data itself, not the data twice (pyarrow's whole table, then the array).
STREAM_FROM_BYTES = 8 * 1024 ** 2


def _stream_numeric(content: bytes, layout: Layout, names: list[str], delim: str, end: int):
    """All columns as rows of one float64 (n_columns, n_rows) array, parsed in blocks; None to fall back.

    Every column is read as float64 (an empty or ``NA`` cell becomes NaN, as in the whole-table
    parse); a cell that is not a number (a text or label column, a stray word) gives None, and
    the caller parses the whole table instead, which names the bad cell. The rows are
    allocated once from the number of line ends (an upper bound of the data rows); unused room
    is given back by moving the rows together in place.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    n_cols = len(names)
    n_max = content.count(b"\n", layout.data_offset, end) + 1
    flat = np.empty(n_cols * n_max, dtype=np.float64)
    block = flat.reshape(n_cols, n_max)
    pos = 0
    try:
        reader = pacsv.open_csv(
            pa.BufferReader(pa.py_buffer(content)[layout.data_offset:end]),
            read_options=pacsv.ReadOptions(column_names=names, encoding=layout.encoding, block_size=4 * 1024 ** 2),
            parse_options=pacsv.ParseOptions(delimiter=delim, quote_char='"', newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(decimal_point=layout.decimal, strings_can_be_null=True,
                                                 column_types={n: pa.float64() for n in names}))
        for batch in reader:
            n = batch.num_rows
            if pos + n > n_max:
                return None
            for c in range(n_cols):
                col = batch.column(c)
                block[c, pos:pos + n] = col.to_numpy(zero_copy_only=False) if col.null_count < n else np.nan
            pos += n
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, ValueError):
        return None
    if pos == 0:
        return None
    if pos < n_max:  # close the gaps: row c moves from c·n_max to c·pos (never past its old place)
        for c in range(1, n_cols):
            flat[c * pos:(c + 1) * pos] = flat[c * n_max:c * n_max + pos]
        block = flat[:n_cols * pos].reshape(n_cols, pos)
    return list(block)


def _rows_of_one_array(columns) -> np.ndarray | None:
    """The columns as one (n, m) array without a copy, when they are consecutive rows of one array."""
    if not columns or not all(isinstance(c, np.ndarray) and c.dtype == np.float64 and c.ndim == 1
                              and c.flags.c_contiguous for c in columns):
        return None
    m = len(columns[0])
    owner = columns[0].base
    if m == 0 or not isinstance(owner, np.ndarray) or not owner.flags.c_contiguous or not owner.flags.writeable:
        return None
    p0 = columns[0].__array_interface__["data"][0]
    if any(len(c) != m or c.base is not owner or c.__array_interface__["data"][0] != p0 + k * m * 8
           for k, c in enumerate(columns)):
        return None
    offset = p0 - owner.__array_interface__["data"][0]
    if offset < 0 or offset + len(columns) * m * 8 > owner.nbytes:
        return None
    return np.ndarray((len(columns), m), dtype=np.float64, buffer=owner, offset=offset)


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

    def filled_end(self) -> int:
        """Index after the last non-empty cell (0 when all are empty), scanning chunks from the end."""
        pos = len(self)
        for chunk in reversed(self._chunked.chunks):
            n = len(chunk)
            if chunk.null_count < n:
                valid = np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
                return pos - n + int(np.flatnonzero(valid)[-1]) + 1
            pos -= n
        return 0

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
    data = _rows_of_one_array(columns)  # parsed block by block into one array: used as it is
    if data is not None:
        for r in range(len(columns)):
            columns[r] = None
            _check_finite(name, labels[r], data[r], layout)
        return data
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
        n_bad = int((~np.isfinite(arr)).sum())
        if np.isnan(arr[r]):
            raise ReadError(name, f"column {label!r} holds an empty or NaN value at line {_line_of(layout, r)} "
                                  f"(data row {r + 1}; {n_bad:,} such values in the column)",
                            "fill or cut the gaps before loading (emgviz never invents samples)")
        raise ReadError(name, f"column {label!r} holds the value {arr[r]} at line {_line_of(layout, r)} (data row "
                              f"{r + 1}; {n_bad:,} such values in the column): the number written there is "
                              "infinite or beyond the float64 range (about ±1.8e308)",
                        "correct that value in the file (an overflow or a unit error in the export)")
