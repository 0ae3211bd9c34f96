"""User markers on a recording: a small table of (time_s, note), saved and loaded as CSV."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

__all__ = ["MARKER_COLUMNS", "empty_markers", "add_marker", "delete_marker",
           "markers_to_csv", "markers_from_csv"]

#: Columns of a marker table, in this order.
MARKER_COLUMNS = ("time_s", "note")


def empty_markers() -> pd.DataFrame:
    """A marker table with no rows: columns ``time_s`` (float, s) and ``note`` (str)."""
    return pd.DataFrame({"time_s": pd.Series(dtype="float64"), "note": pd.Series(dtype="object")})


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    out = df[list(MARKER_COLUMNS)].astype({"time_s": "float64"})
    out["note"] = out["note"].fillna("").astype(str).astype("object")
    return out.sort_values("time_s", kind="stable").reset_index(drop=True)


def add_marker(markers: pd.DataFrame | None, time_s: float, note: str = "") -> pd.DataFrame:
    """A new table with one more marker, sorted by time (the input is not changed).

    Parameters
    ----------
    markers : DataFrame or None
        The current markers (``None`` = none yet).
    time_s : float
        Time of the marker in s, on the recording's clock (:attr:`Recording.times`).
    note : str, default=""
        What the user saw there.

    Returns
    -------
    DataFrame
        Columns ``time_s``, ``note``; sorted by time, fresh index.

    Examples
    --------
    >>> m = add_marker(None, 12.5, "fasciculation?")
    >>> add_marker(m, 3.0, "start")["note"].tolist()
    ['start', 'fasciculation?']
    """
    try:
        t = float(time_s)
    except (TypeError, ValueError):
        raise ValueError(f"a marker time must be a number of seconds, got {time_s!r}") from None
    if not math.isfinite(t):
        raise ValueError(f"a marker time must be a finite number of seconds, got {time_s!r}")
    base = empty_markers() if markers is None else markers
    row = pd.DataFrame({"time_s": [t], "note": [str(note or "")]})
    frames = [f for f in (base[list(MARKER_COLUMNS)], row) if len(f)]
    return _normalise(pd.concat(frames, ignore_index=True))


def delete_marker(markers: pd.DataFrame, index: int) -> pd.DataFrame:
    """A new table without the marker at row ``index`` (0-based position in ``markers``)."""
    if not 0 <= int(index) < len(markers):
        raise IndexError(f"no marker number {index}; there are {len(markers)} markers (0–{len(markers) - 1})")
    return _normalise(markers.drop(markers.index[int(index)]))


def markers_to_csv(markers: pd.DataFrame) -> str:
    """The markers as CSV text with a header ``time_s,note`` (times to the microsecond).

    Notes that a spreadsheet would run as a formula get a leading ``'`` (see :mod:`emgviz.csvsafe`).
    """
    from .csvsafe import neutralise

    return neutralise(_normalise(markers)).to_csv(index=False, float_format="%.6f", lineterminator="\n")


def markers_from_csv(text: str | bytes) -> pd.DataFrame:
    """Read markers from CSV text written by :func:`markers_to_csv` (or by hand).

    Parameters
    ----------
    text : str or bytes
        CSV with a header holding ``time_s`` (s) and optionally ``note``; other
        columns are ignored.

    Returns
    -------
    DataFrame
        Columns ``time_s``, ``note``, sorted by time.

    Raises
    ------
    ValueError
        When the text is not CSV, lacks a ``time_s`` column, or a time is not a number.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("the marker file is not UTF-8 text; save it as CSV (UTF-8)") from None
    if not text.strip():
        return empty_markers()
    try:
        df = pd.read_csv(io.StringIO(text), dtype={"note": str}, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"the marker file is not readable CSV: {exc}") from None
    df.columns = [str(c).strip() for c in df.columns]
    if "time_s" not in df.columns:
        raise ValueError(f"the marker CSV needs a 'time_s' column (seconds) and optionally 'note'; "
                         f"found columns {list(df.columns)}")
    times = pd.to_numeric(df["time_s"].astype(str).str.strip(), errors="coerce")
    bad = times.isna() | ~np.isfinite(times.fillna(0))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"time_s must be a number of seconds; row {row + 1} holds {df['time_s'].iloc[row]!r}")
    note = df["note"] if "note" in df.columns else pd.Series([""] * len(df))
    from .csvsafe import FORMULA_STARTS

    # undo markers_to_csv's formula guard: "'=x" was written for a note "=x"
    note = note.astype(str).map(lambda t: t[1:] if t[:1] == "'" and t[1:2] and t[1] in "".join(FORMULA_STARTS) else t)
    return _normalise(pd.DataFrame({"time_s": times.to_numpy(dtype=float), "note": note.to_numpy()}))
