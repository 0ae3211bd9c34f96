"""The comparison table as CSV: display units, no empty "None" cells, and the provenance lines."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from .effect_size import EFFECT_SIZE_METHOD
from .settings import Settings

__all__ = ["comparison_csv", "comparison_in_units", "VALUE_COLUMNS"]

#: Columns in the feature's unit (scaled with it); change_pct, Hedges' g and its CI have none.
VALUE_COLUMNS = ("value", "window_sd", "change")


def comparison_in_units(table: pd.DataFrame, unit) -> pd.DataFrame:
    """The :func:`emgviz.compare.compare_features` table with amplitudes in ``unit``.

    ``feature`` names get the shown unit (``"RMS (V)"`` → ``"RMS (µV)"``) and ``value``,
    ``window_sd`` and ``change`` are scaled by the feature's factor (V² features by its
    square). Missing values are NaN (an empty CSV cell), never the text ``None``.

    Parameters
    ----------
    table : DataFrame
        ``compare_features`` output (long: one row per muscle × feature × session).
    unit : emgviz.units.DisplayUnit
        The display unit (see :func:`emgviz.units.display_unit`).
    """
    from .units import column_display

    out = table.copy()
    out.attrs = {}
    names, factors = {}, {}
    for feat in dict.fromkeys(out["feature"]):
        names[feat], factors[feat] = column_display(feat, unit)
    factor = out["feature"].map(factors).astype(float)
    for col in VALUE_COLUMNS:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce") * factor
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: v is None).any():
            numeric = pd.to_numeric(out[col], errors="coerce")
            out[col] = numeric if numeric.notna().any() or col not in ("channel", "reference") else out[col]
    out["feature"] = out["feature"].map(names)
    return out


def comparison_csv(table: pd.DataFrame, settings: Settings, *, sessions: Sequence[str] = (),
                   window_s: float | None = None, step_s: float | None = None, sources=(), unit=None) -> str:
    """The comparison table as CSV led by the provenance lines of :func:`emgviz.export.provenance_lines`.

    Parameters
    ----------
    table : DataFrame
        :func:`emgviz.compare.compare_features` output.
    settings : Settings
    sessions : sequence of str
        Session labels (written when ``sources`` is empty).
    window_s, step_s : float, optional
        The windows the values were computed over.
    sources : sequence of emgviz.export.Source
        Each session's file with its SHA-256, reader options and label.
    unit : emgviz.units.DisplayUnit, optional
        Amplitudes in this unit (default: stored SI values).

    Read it back with ``pd.read_csv(path, comment="#")``.
    """
    from .export import provenance_lines

    extra: dict[str, object] = {}
    if sessions and not sources:
        extra["sessions"] = ", ".join(sessions)
    if window_s is not None:
        extra["windows"] = f"{window_s:g} s, step {step_s:g} s"
    extra["effect size"] = EFFECT_SIZE_METHOD
    for i, w in enumerate(table.attrs.get("warnings", []) or []):
        extra[f"warning {i + 1}"] = w
    body = comparison_in_units(table, unit) if unit is not None else table
    lines = provenance_lines(settings=settings, sources=sources, what="session comparison", extra=extra,
                             units=unit.describe() if unit is not None else "as stored (SI)")
    from .csvsafe import neutralise

    return "\n".join(lines) + "\n" + neutralise(body).to_csv(index=False, lineterminator="\n")
