"""Session-comparison figures: envelopes, spectra, feature bars, effect sizes, fatigue slopes, cycles."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .decimate import minmax_decimate
from .style import SESSION_PALETTE
from .units import display_scale

__all__ = ["session_colors", "envelope_overlay", "spectra_overlay", "comparison_bars", "effect_size_plot",
           "fatigue_slopes", "cycle_bands", "SESSION_PALETTE"]

_FONT = dict(size=15)
_TITLE = dict(size=18)


def session_colors(labels: Sequence[str]) -> dict[str, str]:
    """A fixed colour per session label, by order (the same in every comparison figure)."""
    return {lab: SESSION_PALETTE[i % len(SESSION_PALETTE)] for i, lab in enumerate(labels)}


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _scale(unit: str, display=None) -> tuple[str, float]:
    """Shown unit and factor for values stored in ``unit`` (the comparison's DisplayUnit when given)."""
    if display is not None and unit == display.stored:
        return display.shown, display.factor
    factor, shown = display_scale(unit)
    return shown, factor


def _layout(fig: go.Figure, title: str, *, height: int) -> go.Figure:
    fig.update_layout(title=dict(text=title, font=_TITLE), font=_FONT, template="plotly_white", height=height,
                      margin=dict(l=80, r=30, t=70, b=60), legend=dict(title="session"))
    return fig


def envelope_overlay(envelopes: Mapping[str, object], matches: pd.DataFrame, *, normalise_time: bool = False,
                     n_points: int = 3000, title: str = "Envelopes by session", unit=None) -> go.Figure:
    """Envelopes of each matched muscle overlaid, one row per muscle, one colour per session.

    Parameters
    ----------
    envelopes : dict of {session_label: Recording}
        Envelope recordings (``preprocess(...).envelope``), in session order.
    matches : DataFrame
        :func:`emgviz.compare.match_channels` output; only fully matched muscles are drawn.
    normalise_time : bool, default=False
        False: time since each recording's first sample in s (shared axis). True: 0–100 % of each
        recording's duration.
    n_points : int, default=3000
        Most points per trace (min–max decimation, display only).
    unit : emgviz.units.DisplayUnit, optional
        The comparison's display unit (µV for volts when not given).
    """
    labels = list(envelopes)
    colours = session_colors(labels)
    rows = matches[matches["matched"]] if "matched" in matches else matches
    muscles = list(rows["muscle"])
    fig = make_subplots(rows=max(len(muscles), 1), cols=1, shared_xaxes=True, subplot_titles=muscles,
                        vertical_spacing=min(0.08, 0.3 / max(len(muscles), 1)))
    for i, (_, m) in enumerate(rows.iterrows()):
        for lab in labels:
            env = envelopes[lab]
            ch = m[lab]
            y = np.asarray(env.channel(ch))
            shown, factor = _scale(env.ch_units[env.channel_index(ch)], unit)
            t = np.arange(y.size) / env.fs
            if normalise_time:
                t = 100.0 * t / max(t[-1], 1e-12)
            td, yd = minmax_decimate(t, y * factor, n_out=n_points)
            fig.add_trace(go.Scattergl(x=td, y=yd, mode="lines", name=lab, legendgroup=lab,
                                       showlegend=i == 0, line=dict(color=colours[lab], width=1.6),
                                       hovertemplate=f"{lab} {ch}: %{{y:.3g}} {shown}<extra></extra>"),
                          row=i + 1, col=1)
            fig.update_yaxes(title_text=shown, row=i + 1, col=1)
    fig.update_xaxes(title_text="time (% of recording)" if normalise_time else "time since start (s)",
                     row=max(len(muscles), 1), col=1)
    return _layout(fig, title, height=max(320, 70 + 200 * len(muscles)))


def spectra_overlay(spectra: Mapping[str, Mapping[str, tuple]], *, labels: Sequence[str] | None = None,
                    log_y: bool = True, title: str = "Power spectra by session (Welch)", unit=None) -> go.Figure:
    """Welch spectra per muscle (one row each), one colour per session.

    Parameters
    ----------
    spectra : dict of {muscle: {session_label: (f_hz, psd)}}
        :func:`emgviz.compare.compare_spectra` output.
    labels : sequence of str, optional
        Session order for the colours; default the order found.
    log_y : bool, default=True
        Logarithmic power axis.
    unit : emgviz.units.DisplayUnit, optional
        The sessions' display unit: the PSD is shown in its square per Hz (µV²/Hz for the
        default µV), never in raw V²/Hz (a 1e-12 axis).
    """
    from ..units import display_unit

    unit = unit or display_unit("V")
    psd_factor, psd_label = unit.scale(2), f"PSD ({unit.shown}²/Hz)"
    muscles = list(spectra)
    if labels is None:
        labels = list(dict.fromkeys(lab for m in muscles for lab in spectra[m]))
    colours = session_colors(labels)
    fig = make_subplots(rows=max(len(muscles), 1), cols=1, shared_xaxes=True, subplot_titles=muscles,
                        vertical_spacing=min(0.08, 0.3 / max(len(muscles), 1)))
    for i, m in enumerate(muscles):
        for lab in labels:
            if lab not in spectra[m]:
                continue
            f, p = spectra[m][lab]
            fig.add_trace(go.Scatter(x=np.asarray(f), y=np.asarray(p) * psd_factor, mode="lines", name=lab, legendgroup=lab,
                                     showlegend=i == 0, line=dict(color=colours[lab], width=1.8),
                                     hovertemplate=f"{lab}: %{{x:.0f}} Hz, %{{y:.3g}} {unit.shown}²/Hz<extra></extra>"),
                          row=i + 1, col=1)
        fig.update_yaxes(title_text=psd_label, type="log" if log_y else "linear", row=i + 1, col=1)
    fig.update_xaxes(title_text="frequency (Hz)", row=max(len(muscles), 1), col=1)
    return _layout(fig, title, height=max(320, 70 + 220 * len(muscles)))


def comparison_bars(comparison: pd.DataFrame, feature: str, *, title: str | None = None) -> go.Figure:
    """Grouped bars: the feature per muscle, one bar per session, error bars = SD over windows.

    Parameters
    ----------
    comparison : DataFrame
        :func:`emgviz.compare.compare_features` output.
    feature : str
        A value of its ``feature`` column, e.g. ``"RMS (V)"``; volts are shown in µV.
    """
    rows = comparison[comparison["feature"] == feature]
    if rows.empty:
        raise ValueError(f"no feature {feature!r}; features are {sorted(set(comparison['feature']))}")
    labels = list(dict.fromkeys(rows["session"]))
    colours = session_colors(labels)
    name, _, unit = feature.rpartition(" (")
    unit = unit.rstrip(")") if name else ""
    name = name or feature
    shown_unit, factor = _scale(unit)
    fig = go.Figure()
    for lab in labels:
        r = rows[rows["session"] == lab]
        change = ["" if lab == r["reference"].iloc[0] else f"{c:+.1f} %" for c in r["change_pct"]]
        fig.add_trace(go.Bar(
            x=list(r["muscle"]), y=r["value"].to_numpy() * factor, name=lab, marker_color=colours[lab],
            error_y=dict(type="data", array=r["window_sd"].fillna(0).to_numpy() * factor, visible=True),
            text=change, textposition="outside",
            hovertemplate=f"{lab} %{{x}}: %{{y:.3g}} {shown_unit}<extra></extra>"))
    fig.update_layout(barmode="group", xaxis_title="muscle",
                      yaxis_title=f"{name} ({shown_unit})" if shown_unit else name)
    return _layout(fig, title or f"{name} by session (bars: mean over windows ± SD)",
                   height=440)


def effect_size_plot(comparison: pd.DataFrame, feature: str, *, title: str | None = None) -> go.Figure:
    """Forest plot of Hedges' g with 95 % CI per muscle, one marker colour per compared session."""
    rows = comparison[(comparison["feature"] == feature) & comparison["hedges_g"].notna()]
    labels = list(dict.fromkeys(comparison["session"]))
    colours = session_colors(labels)
    fig = go.Figure()
    for lab in labels:
        r = rows[rows["session"] == lab]
        if r.empty:
            continue
        fig.add_trace(go.Scatter(
            x=r["hedges_g"], y=r["muscle"], mode="markers", name=f"{lab} vs {r['reference'].iloc[0]}",
            marker=dict(color=colours[lab], size=11),
            error_x=dict(type="data", symmetric=False, array=r["g_ci_high"] - r["hedges_g"],
                         arrayminus=r["hedges_g"] - r["g_ci_low"]),
            hovertemplate="%{y}: g = %{x:.2f}<extra></extra>"))
    fig.add_vline(x=0, line=dict(color="#555", dash="dash"))
    fig.update_layout(xaxis_title="Hedges' g (95 % CI)", yaxis_title="muscle", showlegend=True)
    n = max(len(set(rows["muscle"])), 1)
    return _layout(fig, title or f"Effect size of the change in {feature}", height=max(300, 120 + 45 * n))


def fatigue_slopes(slopes: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Fatigue slopes per muscle side by side, one bar per session, error bars = 95 % CI.

    Parameters
    ----------
    slopes : DataFrame
        :func:`emgviz.compare.compare_fatigue` output (``muscle``, ``session``, ``feature``,
        ``unit``, ``slope_per_s``, ``ci_low``, ``ci_high``).
    """
    labels = list(dict.fromkeys(slopes["session"]))
    colours = session_colors(labels)
    feature = str(slopes["feature"].iloc[0]) if len(slopes) else ""
    unit, factor = _scale(str(slopes["unit"].iloc[0]) if len(slopes) else "")
    fig = go.Figure()
    for lab in labels:
        t = slopes[slopes["session"] == lab]
        y = t["slope_per_s"].to_numpy(float) * factor
        err = dict(type="data", symmetric=False, array=t["ci_high"].to_numpy(float) * factor - y,
                   arrayminus=y - t["ci_low"].to_numpy(float) * factor)
        fig.add_trace(go.Bar(x=list(t["muscle"]), y=y, name=lab, marker_color=colours[lab], error_y=err,
                             hovertemplate=f"{lab} %{{x}}: %{{y:.3g}} {unit}/s<extra></extra>"))
    fig.add_hline(y=0, line=dict(color="#555", width=1))
    fig.update_layout(barmode="group", xaxis_title="muscle", yaxis_title=f"{feature} slope ({unit}/s)")
    return _layout(fig, title or f"{feature} fatigue slope by session (error bars: 95 % CI)", height=420)


def cycle_bands(averages: Mapping[str, tuple], matches: pd.DataFrame, *, unit: str = "",
                title: str = "Cycle averages (mean ± SD)") -> go.Figure:
    """Cycle averages per muscle: each session's mean line with a ± SD band over 0–100 % of the cycle.

    Parameters
    ----------
    averages : dict of {session_label: (mean, sd, ...)}
        :func:`emgviz.cycles.cycle_average` output per session (columns = that session's channels).
    matches : DataFrame
        :func:`emgviz.compare.match_channels` output, to line channels up by muscle.
    unit : str, default=""
        Unit of the averaged signal; ``"V"`` is shown in µV.
    """
    labels = list(averages)
    colours = session_colors(labels)
    rows = matches[matches["matched"]] if "matched" in matches else matches
    muscles = list(rows["muscle"])
    shown_unit, factor = _scale(unit)
    fig = make_subplots(rows=max(len(muscles), 1), cols=1, shared_xaxes=True, subplot_titles=muscles,
                        vertical_spacing=min(0.08, 0.3 / max(len(muscles), 1)))
    for i, (_, m) in enumerate(rows.iterrows()):
        for lab in labels:
            mean, sd = averages[lab][0], averages[lab][1]
            ch = m[lab]
            if ch not in mean.columns:
                continue
            x = mean.index.to_numpy(float)
            y = mean[ch].to_numpy(float) * factor
            s = np.nan_to_num(sd[ch].to_numpy(float)) * factor
            fig.add_trace(go.Scatter(x=np.r_[x, x[::-1]], y=np.r_[y + s, (y - s)[::-1]], fill="toself",
                                     fillcolor=_rgba(colours[lab], 0.18), line=dict(width=0), hoverinfo="skip",
                                     showlegend=False, legendgroup=lab), row=i + 1, col=1)
            fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=lab, legendgroup=lab, showlegend=i == 0,
                                     line=dict(color=colours[lab], width=2.2),
                                     hovertemplate=f"{lab}: %{{x:.0f}} %: %{{y:.3g}} {shown_unit}<extra></extra>"),
                          row=i + 1, col=1)
        fig.update_yaxes(title_text=shown_unit, row=i + 1, col=1)
    fig.update_xaxes(title_text="cycle (%)", range=[0, 100], row=max(len(muscles), 1), col=1)
    return _layout(fig, title, height=max(320, 70 + 200 * len(muscles)))


#: The British spelling, the house rule for public names; ``session_colors`` stays as an alias.
session_colours = session_colors
