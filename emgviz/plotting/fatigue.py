"""Fatigue over time: a feature per window with its fitted line and the 95 % CI of the slope."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

__all__ = ["fatigue_over_time", "fatigue_table"]

_POINT = "#1f77b4"
_LINE = "#d62728"


def _factor(unit: str, display) -> tuple[float, str]:
    if display is not None and unit == display.stored:
        return display.factor, display.shown
    return 1.0, unit


def fatigue_table(result, *, display=None) -> pd.DataFrame:
    """The slopes as papers report them: unit/s and %/min side by side, with the 95 % CI.

    Parameters
    ----------
    result : emgviz.FatigueResult
        :func:`emgviz.fatigue_trend` output.
    display : emgviz.units.DisplayUnit, optional
        Amplitude slopes (RMS) in this unit per s (µV/s); Hz/s stay Hz/s.

    Returns
    -------
    DataFrame
        ``channel``, ``feature``, ``slope (unit/s)``, ``95 % CI low``, ``95 % CI high``,
        ``change (%/min)``, ``r²``, ``p``, ``n windows``.
    """
    rows = []
    for r in result.table.itertuples(index=False):
        factor, shown = _factor(r.unit, display)
        rows.append({"channel": r.channel, "feature": r.feature, "unit": f"{shown}/s",
                     "slope per s": r.slope_per_s * factor, "95 % CI low": r.ci_low * factor,
                     "95 % CI high": r.ci_high * factor, "change (%/min)": r.change_pct_per_min,
                     "r²": r.r2, "p": r.p_value, "n windows": int(r.n_windows)})
    return pd.DataFrame(rows)


def fatigue_over_time(result, feature: str, *, display=None, title: str | None = None) -> go.Figure:
    """One panel per channel: the feature per window (dots), the fitted line, the slope's 95 % CI.

    The CI band is the family of lines through the centroid of the points with slopes from
    ``ci_low`` to ``ci_high`` (the uncertainty of the trend, not of single windows). The
    legend gives the slope in unit/s and in %/min.

    Parameters
    ----------
    result : emgviz.FatigueResult
        :func:`emgviz.fatigue_trend` output.
    feature : str
        ``"MDF"``, ``"MNF"`` or ``"RMS"`` (a feature the result holds).
    display : emgviz.units.DisplayUnit, optional
        Amplitudes in this unit (µV); frequencies stay in Hz.
    """
    table = result.table[result.table["feature"] == feature]
    if table.empty:
        raise ValueError(f"no feature {feature!r} in this fatigue result; it has "
                         f"{sorted(set(result.table['feature']))}")
    channels = list(table["channel"])
    fig = make_subplots(rows=len(channels), cols=1, shared_xaxes=True, subplot_titles=channels,
                        vertical_spacing=min(0.08, 0.3 / max(len(channels), 1)))
    for i, row in enumerate(table.itertuples(index=False)):
        pts = result.windows[(result.windows["channel"] == row.channel) & (result.windows["feature"] == feature)]
        factor, shown = _factor(row.unit, display)
        t = pts["time_s"].to_numpy(float)
        y = pts["value"].to_numpy(float) * factor
        first = i == 0
        fig.add_trace(go.Scatter(x=t, y=y, mode="markers", name=f"{feature} per window", showlegend=first,
                                 marker=dict(color=_POINT, size=6), legendgroup="pts",
                                 hovertemplate=f"%{{x:.2f}} s: %{{y:.4g}} {shown}<extra></extra>"), row=i + 1, col=1)
        if np.isfinite(row.slope_per_s) and t.size >= 2:
            tt = np.array([t.min(), t.max()])
            ok = np.isfinite(y)
            tc, yc = t[ok].mean(), y[ok].mean()
            lo, hi = (yc + s * factor * (tt - tc) for s in (row.ci_low, row.ci_high))
            fig.add_trace(go.Scatter(x=np.r_[tt, tt[::-1]], y=np.r_[lo, hi[::-1]], fill="toself", mode="lines",
                                     line=dict(width=0), fillcolor="rgba(214,39,40,0.15)", hoverinfo="skip",
                                     name="95 % CI of the slope", showlegend=first, legendgroup="ci"),
                          row=i + 1, col=1)
            fit = yc + row.slope_per_s * factor * (tt - tc)  # the least-squares line passes through the centroid
            fig.add_trace(go.Scatter(
                x=tt, y=fit, mode="lines", line=dict(color=_LINE, width=2), showlegend=True,
                name=f"{row.channel}: {row.slope_per_s * factor:+.3g} {shown}/s ({row.change_pct_per_min:+.2f} %/min)"),
                row=i + 1, col=1)
        fig.update_yaxes(title_text=f"{feature} ({shown})", row=i + 1, col=1)
    fig.update_xaxes(title_text="time (s)", row=len(channels), col=1)
    fig.update_layout(title=title or f"{feature} over time: fitted line and 95 % CI of the slope",
                      template="plotly_white", height=max(320, 90 + 200 * len(channels)),
                      margin=dict(l=80, r=30, t=70, b=50), font=dict(size=14))
    return fig
