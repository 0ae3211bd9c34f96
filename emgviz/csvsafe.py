"""CSV cells that a spreadsheet would run as a formula, made plain text (OWASP "CSV injection").

A channel named ``=cmd|' /C calc'!A0`` written as-is into a CSV becomes a live formula
when the file is opened in Excel, LibreOffice or Google Sheets. The common defence
(OWASP, "CSV Injection") is to prefix every text cell that begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return with a single quote, which spreadsheets show as text.
Numbers stay numbers: numeric columns are never touched, and a text cell that is a plain
number (``-1.5``, ``+3``) is left as it is.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["neutralise", "neutralise_cell", "FORMULA_STARTS"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def neutralise_cell(value):
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    Examples
    --------
    >>> neutralise_cell("=SUM(A1:A9)"), neutralise_cell("-1.5"), neutralise_cell(-2.0), neutralise_cell("biceps")
    ("'=SUM(A1:A9)", '-1.5', -2.0, 'biceps')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names cannot act as spreadsheet formulas.

    Parameters
    ----------
    df : DataFrame
        Any table about to be written as CSV.

    Returns
    -------
    DataFrame
        Same shape, dtypes and index; numeric columns unchanged.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        out[col] = s.map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out
