"""Live figures: scrolling traces per channel and biofeedback RMS bars. Never imports streamlit.

Both are rebuilt several times a second, so they are kept light: min–max decimated to a
few hundred points per channel, SVG traces, no hover, fixed axes (``uirevision`` keeps the
browser's layout between redraws).
"""

from __future__ import annotations

import html
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from .decimate import minmax_decimate
from .style import OKABE_ITO, TRACE_COLOR
from .units import display_scale

__all__ = ["live_traces_figure", "rms_bars_figure", "BAND_COLORS", "LIVE_POINTS"]

#: Most points drawn per channel trace.
LIVE_POINTS = 800
#: Bar colour by position relative to the target band.
BAND_COLORS = {"below": OKABE_ITO["sky"], "in": OKABE_ITO["green"], "above": OKABE_ITO["vermillion"],
               "none": "#999999"}


# Names come from files and from the network (LSL metadata): escaped, as Plotly renders tags in text.


def live_traces_figure(data: np.ndarray, times: np.ndarray, ch_names: Sequence[str], units: Sequence[str], *,
                       window_s: float, n_points: int = LIVE_POINTS, height_px: int | None = None) -> go.Figure:
    """Scrolling traces, one row per channel; the newest sample at t = 0 s on the right.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n)
        The newest samples (volts are shown in µV, other units as they are).
    times : ndarray, shape (n,)
        Their time stamps, s (any clock: shown relative to the newest).
    ch_names, units : sequence of str
        One per channel.
    window_s : float
        Width of the x axis, s (from ``-window_s`` to 0).
    n_points : int, default=800
        Most points per trace (min–max decimation keeps every peak).
    height_px : int, optional
        Default 110 px per channel + 60.

    Returns
    -------
    go.Figure
        One ``Scatter`` per channel named after it; ``layout.meta`` holds the newest time stamp
        (``{"t_last": float}``) for tests and latency measurement.
    """
    n_ch = len(ch_names)
    fig = go.Figure()
    t_last = float(times[-1]) if len(times) else 0.0
    rel = np.asarray(times, dtype=np.float64) - t_last
    step = 1.0 / max(n_ch, 1)
    for i, (name, unit) in enumerate(zip(ch_names, units)):
        scale, shown = display_scale(unit)
        y = np.asarray(data[i], dtype=np.float64) * scale
        tx, yx = minmax_decimate(rel, y, n_out=n_points) if len(y) > n_points else (rel, y)
        axis = "" if i == 0 else str(i + 1)
        fig.add_trace(go.Scatter(x=tx, y=yx, mode="lines", name=name, line={"width": 1, "color": TRACE_COLOR},
                                 hoverinfo="skip", showlegend=False, xaxis=f"x{axis}", yaxis=f"y{axis}"))
        top = 1.0 - i * step
        fig.layout[f"yaxis{axis}"] = {"domain": [max(0.0, top - step + 0.02), top], "title": {"text": shown},
                                      "zeroline": False}
        fig.layout[f"xaxis{axis}"] = {"range": [-float(window_s), 0.0], "anchor": f"y{axis}",
                                      "showticklabels": i == n_ch - 1, "matches": "x" if i else None}
        fig.add_annotation(text=html.escape(name), xref="paper", yref="paper", x=0.0, y=top, xanchor="left", yanchor="top",
                           showarrow=False, font={"size": 12}, bgcolor="rgba(255,255,255,0.7)")
    fig.layout["xaxis" + ("" if n_ch == 1 else str(n_ch))]["title"] = {"text": "time (s, 0 = newest sample)"}
    fig.update_layout(height=height_px or 60 + 110 * n_ch, margin={"l": 60, "r": 10, "t": 10, "b": 40},
                      uirevision="live", plot_bgcolor="white", meta={"t_last": t_last})
    fig.update_yaxes(gridcolor="#eeeeee")
    return fig


def rms_bars_figure(values: np.ndarray, ch_names: Sequence[str], *, unit_label: str, target: tuple[float, float],
                    states: Sequence[str], y_max: float, height_px: int = 320) -> go.Figure:
    """Biofeedback bars: the live RMS per muscle, the target band shaded.

    Parameters
    ----------
    values : ndarray, shape (n_channels,)
        RMS per channel, already in the shown unit (µV or %MVC).
    unit_label : str
        The y-axis title, e.g. ``"RMS (µV)"`` or ``"RMS (%MVC)"``.
    target : (low, high)
        The target band, same unit.
    states : sequence of str
        ``"below"``, ``"in"``, ``"above"`` or ``"none"`` per channel (see
        :func:`emgviz.live.meters.band_state`); sets the bar colours.
    y_max : float
        Top of the y axis (fixed, so the bars do not rescale as the signal changes).
    """
    vals = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
    fig = go.Figure(go.Bar(x=[html.escape(n) for n in ch_names], y=vals, marker={"color": [BAND_COLORS[s] for s in states]},
                           text=[f"{v:.3g}" for v in vals], textposition="outside", hoverinfo="skip"))
    lo, hi = target
    fig.add_hrect(y0=lo, y1=hi, fillcolor=OKABE_ITO["green"], opacity=0.15, line_width=0)
    fig.add_hline(y=lo, line={"color": OKABE_ITO["green"], "dash": "dot", "width": 1})
    fig.add_hline(y=hi, line={"color": OKABE_ITO["green"], "dash": "dot", "width": 1})
    fig.update_layout(height=height_px, margin={"l": 60, "r": 10, "t": 10, "b": 40}, uirevision="bars",
                      plot_bgcolor="white", yaxis={"range": [0, y_max], "title": {"text": unit_label},
                                                   "gridcolor": "#eeeeee"})
    return fig
