"""The one place where text tables lose their padding and their ragged tails.

Real exports pad lines with delimiters (a Vicon Nexus rate line ``2000,,,,,,``, OpenSignals rows
ending in a tab) and end with short rows (channels that stop early, a last line of tabs only).
Every text layout (generic CSV/TXT, Delsys, Vicon, DataLOG, Noraxon, OpenSignals) goes through
these helpers, so padding is accepted on every kind of line and tails are trimmed one way, with
a note, never NaN-padded and never counted as samples.
"""

from __future__ import annotations

import numpy as np

__all__ = ["strip_padding", "fit_fields", "drop_padding_columns", "trim_ragged_tail"]


def strip_padding(fields: list[str]) -> list[str]:
    """The fields without the empty ones at the end of the line (``"2000,,,"`` → ``["2000"]``).

    >>> strip_padding(["2000", "", "", ""]), strip_padding(["", "1"]), strip_padding(["", ""])
    (['2000'], ['', '1'], [])
    """
    end = len(fields)
    while end and not str(fields[end - 1]).strip():
        end -= 1
    return list(fields[:end])


def fit_fields(fields: list[str], n_cols: int) -> list[str] | None:
    """``fields`` as exactly ``n_cols`` fields when only padding differs, else None.

    Extra fields must all be empty (padding to the table width); a shorter line is padded
    with empty fields only when it holds at least one field (a header row of a padded table).

    >>> fit_fields(["Frame", "EMG", "", ""], 2), fit_fields(["a", "b", "c"], 2)
    (['Frame', 'EMG'], None)
    """
    if len(fields) == n_cols:
        return list(fields)
    if len(fields) > n_cols:
        return list(fields[:n_cols]) if not any(f.strip() for f in fields[n_cols:]) else None
    return None


def _is_empty(col) -> bool:
    if col.dtype == object:
        return all(v is None or not str(v).strip() for v in col)
    return bool(np.isnan(col).all())


def drop_padding_columns(labels: list[str], columns: list, *others):
    """Drop the unnamed all-empty columns that padding (rows ending in a delimiter) makes.

    Parameters
    ----------
    labels : list of str
        Column names ("" where the header names none).
    columns : list of ndarray
        The parsed columns (float or object arrays; float NaN = empty cell).
    *others : list or None
        Further per-column lists (units, ...) to keep in step; None passes through.

    Returns
    -------
    tuple
        ``(labels, columns, *others)`` without the padding columns, and the number dropped
        as the last element.
    """
    keep = [i for i in range(len(columns)) if str(labels[i]).strip() or not _is_empty(values_of(columns[i]))]
    out = [[labels[i] for i in keep], [columns[i] for i in keep]]
    out += [None if o is None else [o[i] for i in keep] for o in others]
    return (*out, len(columns) - len(keep))


def values_of(col) -> np.ndarray:
    """A parsed column as an ndarray (pyarrow-backed columns are copied once, on demand)."""
    return col.array() if hasattr(col, "array") and not isinstance(col, np.ndarray) else col


def _finite_prefix_end(col) -> int:
    """Index after the last non-empty value of a column (0 when all are empty)."""
    if hasattr(col, "filled_end"):  # a pyarrow-backed column: no copy of the values
        return col.filled_end()
    arr = values_of(col)
    if arr.dtype == object:
        filled = np.array([v is not None and bool(str(v).strip()) for v in arr], dtype=bool)
    else:
        filled = ~np.isnan(arr)
    hits = np.flatnonzero(filled)
    return int(hits[-1]) + 1 if len(hits) else 0


def trim_ragged_tail(columns: list, labels: list[str], signal: list[int]) -> tuple[int, str | None]:
    """The common length of the signal columns, and a note when rows at the end were trimmed.

    A column "ends" after its last non-empty value; the table is cut to the shortest signal
    column, so channels that end early and last rows of empty cells (``"\\t\\t\\t\\t"``) are
    dropped instead of NaN-padded or refused. Empty cells *before* that length are not touched
    here (the caller reports them as gaps).

    Parameters
    ----------
    columns : list
        The parsed columns, all of one length.
    labels : list of str
        Column names, for the note.
    signal : list of int
        Indices of the signal columns (time and label columns follow their length).

    Returns
    -------
    n : int
        Rows to keep.
    note : str or None
        What was trimmed, e.g. ``"trimmed 1 trailing row(s) with empty cells (38,972 rows → 38,971)"``.

    Examples
    --------
    >>> a, b = np.array([1., 2., 3.]), np.array([1., 2., np.nan])
    >>> trim_ragged_tail([a, b], ["a", "b"], [0, 1])
    (2, "trimmed 1 trailing row(s) where channel 'b' had ended (3 rows → 2)")
    """
    n_rows = len(columns[0]) if columns else 0
    if not n_rows or not signal:
        return n_rows, None
    ends = {i: _finite_prefix_end(columns[i]) for i in signal}
    n = min(ends.values())
    if n >= n_rows or n == 0:
        return n_rows, None
    early = [labels[i] for i, e in ends.items() if e == n and e < n_rows]
    if all(e == n for e in ends.values()):
        what = "with empty cells"
    else:
        what = "where " + ("channel " if len(early) == 1 else "channels ") + ", ".join(
            repr(str(x)) for x in early[:5]) + (" had ended" if len(early) == 1 else " had ended")
    return n, f"trimmed {n_rows - n:,} trailing row(s) {what} ({n_rows:,} rows → {n:,})"
