"""Live figures: scrolling traces per channel and biofeedback RMS bars. Never imports streamlit.

Both are rebuilt several times a second, so they are kept light: one axis for all channels,
min–max decimated to a few hundred float32 points per channel, SVG traces, no hover, fixed
axes (``uirevision`` keeps the browser's layout between redraws).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from .decimate import minmax_decimate
from .safe import plain_text
from .style import OKABE_ITO, TRACE_COLOUR
from .units import display_scale

__all__ = ["live_traces_figure", "rms_bars_figure", "BAND_COLOURS", "LIVE_POINTS"]

#: Most points drawn per channel trace.
LIVE_POINTS = 400
#: Bar colour by position relative to the target band.
BAND_COLOURS = {"below": OKABE_ITO["sky"], "in": OKABE_ITO["green"], "above": OKABE_ITO["vermillion"],
               "none": "#999999"}


# Names come from files and from the network (LSL metadata): plain_text, as Plotly renders tags in text.


def live_traces_figure(data: np.ndarray, times: np.ndarray, ch_names: Sequence[str], units: Sequence[str], *,
                       window_s: float, n_points: int = LIVE_POINTS, height_px: int | None = None) -> go.Figure:
    """Scrolling traces stacked on one axis, first channel on top; the newest sample at t = 0 s.

    One x and one y axis for all channels (far cheaper for the browser to redraw five times a
    second than one subplot per channel). Each channel is drawn about its own mean, offset by
    a common spacing (the largest peak-to-peak in the window, so traces never overlap); the
    y ticks name the channels and the y title gives the spacing.

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
    n_points : int, default=400
        Most points per trace, plus the newest sample (min–max decimation keeps every peak); sent
        as float32.
    height_px : int, optional
        Default 60 px per channel + 90.

    Returns
    -------
    go.Figure
        One ``Scatter`` per channel named after it; ``layout.meta`` holds the newest time stamp
        (``{"t_last": float}``) for tests and latency measurement.
    """
    n_ch = len(ch_names)
    t_last = float(times[-1]) if len(times) else 0.0
    rel = np.asarray(times, dtype=np.float64) - t_last
    scale, shown = display_scale(units[0] if len(units) else "V")
    y = np.asarray(data, dtype=np.float64) * scale
    if y.shape[1]:
        y = y - y.mean(axis=1, keepdims=True)
        ptp = float(np.max(y.max(axis=1) - y.min(axis=1)))
    else:
        ptp = 0.0
    spacing = _nice(ptp * 1.1) if ptp > 0 else 1.0
    offsets = [(n_ch - 1 - i) * spacing for i in range(n_ch)]
    traces = []
    for i, name in enumerate(ch_names):
        tx, yx = minmax_decimate(rel, y[i], n_out=n_points) if y.shape[1] > n_points else (rel, y[i])
        if len(tx) and tx[-1] != rel[-1]:  # the trace always reaches the newest sample
            tx, yx = np.append(tx, rel[-1]), np.append(yx, y[i, -1])
        traces.append(go.Scatter(x=tx.astype(np.float32), y=(yx + offsets[i]).astype(np.float32), mode="lines",
                                 name=plain_text(name), line={"width": 1, "color": TRACE_COLOUR},
                                 hoverinfo="skip", showlegend=False))
    # One constructor call with plain dicts (add_trace/update_layout validate again on every call).
    return go.Figure(data=traces, layout={
        "height": height_px or 90 + 60 * n_ch, "margin": {"l": 110, "r": 10, "t": 10, "b": 45}, "uirevision": "live",
        "plot_bgcolor": "white", "meta": {"t_last": t_last}, "showlegend": False,
        "xaxis": {"range": [-float(window_s), 0.0], "title": {"text": "time (s, 0 = newest sample)"},
                  "gridcolor": "#eeeeee", "zeroline": False},
        "yaxis": {"tickvals": offsets, "ticktext": [plain_text(n) for n in ch_names], "zeroline": False,
                  "range": [-spacing * 0.6, offsets[0] + spacing * 0.6] if n_ch else None, "showgrid": False,
                  "title": {"text": f"spacing {spacing:g} {shown}"}}})


def _nice(x: float) -> float:
    """The next 1-2-5 step at or above ``x``."""
    e = 10.0 ** np.floor(np.log10(x))
    for m in (1, 2, 5, 10):
        if m * e >= x:
            return float(m * e)
    return float(10 * e)


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
    lo, hi = target
    green = OKABE_ITO["green"]
    band = [{"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": lo, "y1": hi, "fillcolor": green,
             "opacity": 0.15, "line": {"width": 0}, "layer": "below"}]
    band += [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y,
              "line": {"color": green, "dash": "dot", "width": 1}} for y in (lo, hi)]
    # One constructor call with plain dicts: add_hrect/add_hline validate far more slowly, five times a second.
    return go.Figure(
        data=[go.Bar(x=[plain_text(n) for n in ch_names], y=vals, marker={"color": [BAND_COLOURS[s] for s in states]},
                     text=[f"{v:.3g}" for v in vals], textposition="outside", hoverinfo="skip")],
        layout={"height": height_px, "margin": {"l": 60, "r": 10, "t": 10, "b": 40}, "uirevision": "bars",
                "plot_bgcolor": "white", "shapes": band,
                "yaxis": {"range": [0, y_max], "title": {"text": unit_label}, "gridcolor": "#eeeeee"}})
