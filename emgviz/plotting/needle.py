"""Needle EMG figures: MUP templates with their discharges, recordings side by side, interference cloud."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import OKABE_ITO, SESSION_PALETTE, TRACE_COLOR

__all__ = ["mup_grid_figure", "templates_overlay_figure", "side_by_side_figure", "interference_figure"]

_ONSET, _END, _SAT = OKABE_ITO["green"], OKABE_ITO["vermillion"], OKABE_ITO["orange"]
_SNIP = "rgba(120,120,120,0.35)"


def _window(analysis, k, view_ms):
    t = analysis.t_ms
    keep = (t >= view_ms[0]) & (t <= view_ms[1])
    return t, keep


def mup_grid_figure(analysis, *, rejected=(), cols: int = 4, view_ms=(-12.0, 22.0), max_snippets: int = 20,
                    title: str = "") -> go.Figure:
    """One panel per MUP: superimposed discharges (grey), the template (dark), onset (green) and end
    (red) markers, satellites shaded orange. Rejected MUPs are drawn faded with "rejected" in the title.
    Every panel shares one amplitude scale (the largest template), as on a clinical screen.
    """
    n = len(analysis.templates)
    if n == 0:
        fig = go.Figure()
        fig.add_annotation(text="No MUPs found", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
        return fig.update_layout(height=200, title=title)
    rows = math.ceil(n / cols)
    tab = analysis.table
    titles = []
    for k in range(n):
        r = tab.iloc[k]
        state = " · rejected" if int(r["MUP"]) in set(rejected) else ""
        titles.append(f"MUP {int(r['MUP'])}: {r['Amplitude (µV)']:.0f} µV, {r['Duration (ms)']:.1f} ms, "
                      f"{int(r['Phases'])} ph{state}")
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, shared_yaxes=True,
                        horizontal_spacing=0.02, vertical_spacing=0.12 if rows > 1 else 0.2)
    lim = 1.15 * max(float(np.abs(t).max()) for t in analysis.templates)
    for k in range(n):
        row, col = k // cols + 1, k % cols + 1
        t, keep = _window(analysis, k, view_ms)
        mup = int(tab.iloc[k]["MUP"])
        faded = mup in set(rejected)
        snips = analysis.snippets[k][:max_snippets]
        if len(snips):
            xs = np.concatenate([np.append(t[keep], np.nan) for _ in snips])
            ys = np.concatenate([np.append(s[keep], np.nan) for s in snips])
            fig.add_trace(go.Scattergl(x=xs, y=ys, mode="lines", line=dict(color=_SNIP, width=0.7),
                                       hoverinfo="skip", showlegend=False), row=row, col=col)
        fig.add_trace(go.Scatter(x=t[keep], y=analysis.templates[k][keep], mode="lines",
                                 line=dict(color="#bbbbbb" if faded else TRACE_COLOR, width=2),
                                 name=f"MUP {mup}", showlegend=False,
                                 hovertemplate="%{x:.2f} ms<br>%{y:.0f} µV<extra>MUP " + str(mup) + "</extra>"),
                      row=row, col=col)
        m = analysis.measures[k]
        for idx, colour, label in ((m.onset, _ONSET, "onset"), (m.end, _END, "end")):
            fig.add_vline(x=float(t[idx]), line=dict(color=colour, width=1.5, dash="dot"), row=row, col=col)
        for a, b in m.satellites:
            fig.add_vrect(x0=float(t[a]), x1=float(t[b]), fillcolor=_SAT, opacity=0.25, line_width=0,
                          row=row, col=col)
    fig.update_yaxes(range=[-lim, lim], title_text="", ticksuffix=" µV", tickfont=dict(size=10))
    fig.update_xaxes(range=list(view_ms), ticksuffix=" ms", tickfont=dict(size=10))
    fig.update_annotations(font_size=12)
    fig.update_layout(height=230 * rows + 60, margin=dict(l=60, r=10, t=60, b=30), title=title,
                      plot_bgcolor="white")
    fig.update_xaxes(showgrid=True, gridcolor="#eeeeee")
    fig.update_yaxes(showgrid=True, gridcolor="#eeeeee", zeroline=True, zerolinecolor="#cccccc")
    return fig


def templates_overlay_figure(analyses: dict, *, rejected: dict | None = None, view_ms=(-12.0, 22.0),
                             gain_uv: float | None = None) -> go.Figure:
    """The MUP templates of two or three recordings, one column each, at one locked gain and sweep."""
    names = list(analyses)
    rejected = rejected or {}
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, shared_yaxes=True,
                        horizontal_spacing=0.03)
    lim = gain_uv or 1.1 * max([float(np.abs(t).max()) for a in analyses.values() for t in a.templates] or [100.0])
    for j, name in enumerate(names):
        a = analyses[name]
        colour = SESSION_PALETTE[j % len(SESSION_PALETTE)]
        for k, tm in enumerate(a.templates):
            mup = int(a.table.iloc[k]["MUP"])
            if mup in set(rejected.get(name, ())):
                continue
            keep = (a.t_ms >= view_ms[0]) & (a.t_ms <= view_ms[1])
            fig.add_trace(go.Scatter(x=a.t_ms[keep], y=tm[keep], mode="lines", line=dict(color=colour, width=1.3),
                                     opacity=0.8, showlegend=False,
                                     hovertemplate="%{x:.2f} ms<br>%{y:.0f} µV<extra>" + f"{name} MUP {mup}</extra>"),
                          row=1, col=j + 1)
    fig.update_yaxes(range=[-lim, lim], ticksuffix=" µV", showgrid=True, gridcolor="#eeeeee")
    fig.update_xaxes(range=list(view_ms), ticksuffix=" ms", showgrid=True, gridcolor="#eeeeee")
    fig.update_layout(height=380, margin=dict(l=60, r=10, t=50, b=30), plot_bgcolor="white",
                      title="MUP templates overlaid (locked gain and sweep)")
    return fig


def side_by_side_figure(traces: dict, fs: dict, *, start_s: float, sweep_ms_per_div: float,
                        gain_uv_per_div: float, divisions: int = 10) -> go.Figure:
    """Needle-filtered traces of several recordings, one row each, at one sweep (ms/div) and gain (µV/div).

    ``traces`` maps a name to µV samples; ``fs`` maps the name to its rate. Each row spans ±4 divisions;
    samples beyond are clipped to the edge and the clipped stretches marked red, as a clinical screen does.
    Every row carries its own scales, as a clinical screen's grid does: a time tick (ms from the
    sweep's start) at every division and an amplitude tick (µV) at every division, labelled every
    second one, with the division sizes in the axis titles ("ms · 10 ms/div", "µV · 200 µV/div").
    """
    names = list(traces)
    fig = make_subplots(rows=len(names), cols=1, subplot_titles=names, shared_xaxes=True, vertical_spacing=0.09)
    span_ms = sweep_ms_per_div * divisions
    lim = 4 * gain_uv_per_div
    x_ticks = [k * sweep_ms_per_div for k in range(divisions + 1)]
    y_ticks = [k * gain_uv_per_div for k in range(-4, 5)]
    y_text = [f"{v:,.0f}" if k % 2 == 0 else "" for k, v in zip(range(-4, 5), y_ticks)]
    for j, name in enumerate(names):
        x, f = traces[name], fs[name]
        a = max(0, int(round(start_s * f)))
        b = min(x.size, a + int(round(span_ms / 1000 * f)))
        t_ms = np.arange(b - a) / f * 1000
        seg = x[a:b]
        clipped = np.abs(seg) > lim
        fig.add_trace(go.Scattergl(x=t_ms, y=np.clip(seg, -lim, lim), mode="lines",
                                   line=dict(color=TRACE_COLOR, width=1), showlegend=False,
                                   hovertemplate="%{x:.1f} ms<br>%{y:.0f} µV<extra>" + name + "</extra>"),
                      row=j + 1, col=1)
        if clipped.any():
            fig.add_trace(go.Scattergl(x=t_ms[clipped], y=np.clip(seg, -lim, lim)[clipped], mode="markers",
                                       marker=dict(color=OKABE_ITO["vermillion"], size=5), name="clipped",
                                       showlegend=False, hoverinfo="skip"), row=j + 1, col=1)
        fig.update_yaxes(range=[-lim, lim], tickmode="array", tickvals=y_ticks, ticktext=y_text,
                         showticklabels=True, tickfont=dict(size=10), showgrid=True, gridcolor="#e6e6e6",
                         zeroline=False, title=dict(text=f"µV · {gain_uv_per_div:g} µV/div", font=dict(size=11)),
                         row=j + 1, col=1)
        fig.update_xaxes(range=[0, span_ms], tickmode="array", tickvals=x_ticks,
                         ticktext=[f"{v:g}" for v in x_ticks], showticklabels=True, tickfont=dict(size=10),
                         showgrid=True, gridcolor="#e6e6e6",
                         title=dict(text=f"ms · {sweep_ms_per_div:g} ms/div", font=dict(size=11)) if j == len(names) - 1 else None,
                         row=j + 1, col=1)
    fig.update_layout(height=max(300, 210 * len(names) + 90), margin=dict(l=70, r=10, t=60, b=50),
                      plot_bgcolor="white",
                      title=f"{sweep_ms_per_div:g} ms/div · {gain_uv_per_div:g} µV/div (locked for all rows) · "
                            f"from {start_s:.3f} s")
    return fig


def interference_figure(ips: dict, *, band: dict | None = None, cloud_label: str = "") -> go.Figure:
    """Turns/s against mean amplitude (log-log), one colour per recording, with the cloud band."""
    fig = go.Figure()
    xs_all = []
    for j, (name, ip) in enumerate(ips.items()):
        xs_all.extend(ip["Turns/s"].tolist())
        fig.add_trace(go.Scatter(x=ip["Turns/s"], y=ip["Mean amplitude (µV)"], mode="markers", name=name,
                                 marker=dict(color=SESSION_PALETTE[j % len(SESSION_PALETTE)], size=8),
                                 hovertemplate="%{x:.0f} turns/s<br>%{y:.0f} µV<extra>" + name + "</extra>"))
    if band and xs_all:
        lx = np.linspace(np.log10(max(10.0, min(xs_all) * 0.7)), np.log10(max(xs_all) * 1.4), 50)
        mid = band["slope"] * lx + band["intercept"]
        fig.add_trace(go.Scatter(x=np.concatenate([10 ** lx, 10 ** lx[::-1]]),
                                 y=np.concatenate([10 ** (mid + band["high"]), 10 ** (mid + band["low"])[::-1]]),
                                 fill="toself", fillcolor="rgba(0,114,178,0.12)", line=dict(width=0),
                                 name=cloud_label or "cloud", hoverinfo="skip"))
    # whole numbers on the log axes: Plotly's default minor labels ("2", "5" for 200, 500) mislead
    ticks = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
    fig.update_xaxes(type="log", title_text="Turns per second", tickvals=ticks, ticktext=[f"{t:,}" for t in ticks])
    fig.update_yaxes(type="log", title_text="Mean amplitude between turns (µV)", tickvals=ticks,
                     ticktext=[f"{t:,}" for t in ticks])
    fig.update_layout(height=420, margin=dict(l=60, r=10, t=40, b=50), plot_bgcolor="white",
                      title="Interference pattern: turns/amplitude per 0.5 s epoch")
    return fig
