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

__all__ = ["live_traces_figure", "rms_bars_figure", "live_sweeps_figure", "live_traces_payload", "rms_bars_payload",
           "live_sweeps_payload", "BAND_COLOURS", "LIVE_POINTS",
           "SWEEP_POINTS", "sweeps_title"]

#: Most points drawn per channel trace.
LIVE_POINTS = 400
#: Most points drawn per triggered sweep (min–max decimated beyond).
SWEEP_POINTS = 1000
#: Bar colour by position relative to the target band.
BAND_COLOURS = {"below": OKABE_ITO["sky"], "in": OKABE_ITO["green"], "above": OKABE_ITO["vermillion"],
               "none": "#999999"}


# Names come from files and from the network (LSL metadata): plain_text, as Plotly renders tags in text.


def _stacked(data, times, ch_names, units, n_points):
    """What the scrolling traces draw: per channel (t, y + offset), the offsets, the spacing, the unit shown."""
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
    lines = []
    for i in range(n_ch):
        tx, yx = minmax_decimate(rel, y[i], n_out=n_points) if y.shape[1] > n_points else (rel, y[i])
        if len(tx) and tx[-1] != rel[-1]:  # the trace always reaches the newest sample
            tx, yx = np.append(tx, rel[-1]), np.append(yx, y[i, -1])
        lines.append((tx.astype(np.float32), (yx + offsets[i]).astype(np.float32)))
    return t_last, lines, offsets, spacing, shown


def live_traces_figure(data: np.ndarray, times: np.ndarray, ch_names: Sequence[str], units: Sequence[str], *,
                       window_s: float, n_points: int = LIVE_POINTS, height_px: int | None = None) -> go.Figure:
    """Scrolling traces stacked on one axis, first channel on top; the newest sample at t = 0 s.

    One x and one y axis for all channels (far cheaper for the browser to redraw five times a
    second than one subplot per channel). Each channel is drawn about its own mean, offset by
    a common spacing (the largest peak-to-peak in the window, so traces never overlap); the
    y ticks name the channels and the y title gives the spacing. :func:`live_traces_payload`
    gives the same lines for the canvas the Live view draws while streaming.

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
    t_last, lines, offsets, spacing, shown = _stacked(data, times, ch_names, units, n_points)
    traces = [go.Scatter(x=tx, y=yx, mode="lines", name=plain_text(name), line={"width": 1, "color": TRACE_COLOUR},
                         hoverinfo="skip", showlegend=False) for (tx, yx), name in zip(lines, ch_names)]
    # One constructor call with plain dicts (add_trace/update_layout validate again on every call).
    return go.Figure(data=traces, layout={
        "height": height_px or 90 + 60 * n_ch, "margin": {"l": 110, "r": 10, "t": 10, "b": 45}, "uirevision": "live",
        "plot_bgcolor": "white", "meta": {"t_last": t_last}, "showlegend": False,
        "xaxis": {"range": [-float(window_s), 0.0], "title": {"text": "time (s, 0 = newest sample)"},
                  "gridcolor": "#eeeeee", "zeroline": False},
        "yaxis": {"tickvals": offsets, "ticktext": [plain_text(n) for n in ch_names], "zeroline": False,
                  "range": [-spacing * 0.6, offsets[0] + spacing * 0.6] if n_ch else None, "showgrid": False,
                  "title": {"text": f"spacing {spacing:g} {shown}"}}})


def live_traces_payload(data: np.ndarray, times: np.ndarray, ch_names: Sequence[str], units: Sequence[str], *,
                        window_s: float, n_points: int = LIVE_POINTS) -> dict:
    """The scrolling traces of :func:`live_traces_figure` as plain data for the Live view's canvas.

    Same lines (mean removed, stacked by the common spacing, min–max decimated, newest sample at
    0 s), rounded to float32 and as lists, so they travel as compact JSON five times a second.

    Returns
    -------
    dict
        ``t_last`` (newest time stamp, s), ``window_s``, ``spacing`` and ``unit`` (the y title reads
        "spacing {spacing} {unit}"), ``names``, ``offsets`` (each channel's baseline, top first),
        ``y_range`` and per channel ``x`` and ``y`` (lists; y includes the offset).
    """
    t_last, lines, offsets, spacing, shown = _stacked(data, times, ch_names, units, n_points)
    return {"t_last": t_last, "window_s": float(window_s), "spacing": spacing, "unit": shown,
            "names": [str(n) for n in ch_names], "offsets": offsets,
            "y_range": [-spacing * 0.6, (offsets[0] if offsets else 0.0) + spacing * 0.6],
            "x": [_round(tx) for tx, _ in lines], "y": [_round(yx) for _, yx in lines]}


def _round(a: np.ndarray) -> list:
    """float32 values as short Python floats (JSON without float64 noise digits)."""
    return [float(f"{v:.6g}") for v in a.tolist()]


def rms_bars_payload(values: np.ndarray, ch_names: Sequence[str], *, unit_label: str, target: tuple[float, float],
                     states: Sequence[str], y_max: float) -> dict:
    """The biofeedback bars of :func:`rms_bars_figure` as plain data for the Live view's canvas.

    Returns ``values`` (NaN → 0), ``names``, ``colours`` (by band state, :data:`BAND_COLOURS`),
    ``target`` (low, high), ``y_max``, ``unit_label``, ``band_colour`` and ``note`` ("2 of 3
    muscles in the target band").
    """
    vals = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
    n_in, n = list(states).count("in"), len(states)
    return {"values": [float(v) for v in vals], "names": [str(n) for n in ch_names],
            "note": f"{n_in} of {n} muscle{'s' if n != 1 else ''} in the target band",
            "colours": [BAND_COLOURS[s] for s in states], "target": [float(target[0]), float(target[1])],
            "y_max": float(y_max), "unit_label": str(unit_label), "band_colour": OKABE_ITO["green"]}


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


def live_sweeps_figure(rows: np.ndarray, fs: float, *, pre_ms: float, ms_per_div: float, uv_per_div: float,
                       level: float, unit: str = "µV", found: int | None = None, n_points: int = SWEEP_POINTS,
                       height_px: int = 460) -> go.Figure:
    """The last triggered sweeps of a live needle stream, superimposed: older ones faint, the newest bold.

    The same display as the triggered overlay of the clinical sweep
    (:func:`emgviz.plotting.sweep.triggered_figure`: 10 divisions of ``ms_per_div``, ±4 divisions of
    ``uv_per_div``, the trigger level dashed, the delay line dotted at 0 ms, samples beyond the screen
    drawn at its edge and marked red), built for five redraws a second: all older sweeps are one
    trace (separated by gaps), the clip marks one more, the lines are layout shapes, no hover, and
    sweeps longer than ``n_points`` are min–max decimated (every peak kept).

    Parameters
    ----------
    rows : ndarray, shape (k, sweep_n)
        Sweeps in ``unit``, oldest first (:class:`emgviz.live.trigger.SweepCapture` ``.rows``); k may be 0.
    fs : float
        Sampling rate, Hz.
    pre_ms : float
        Delay line: the trigger is ``pre_ms`` after each row's first sample (x = 0 ms).
    ms_per_div, uv_per_div : float
        Time base (ms/div) and sensitivity (``unit``/div), as on a clinical EMG machine.
    level : float
        Trigger level, ``unit`` (its sign: rising/falling).
    found : int, optional
        Triggers found since the capture began (shown in the title).

    Returns
    -------
    go.Figure
        Trace 0: the older sweeps; trace 1: the newest; trace 2: clip marks (when any).
        ``layout.meta``: ``{"sweeps": k, "clipped": n}``.
    """
    from .sweep import CLIP_COLOUR, H_DIVISIONS

    ov = _overlay(rows, fs, pre_ms=pre_ms, ms_per_div=ms_per_div, uv_per_div=uv_per_div, level=level, unit=unit,
                  found=found, n_points=n_points)
    k, n_clip, limit, title = ov["k"], ov["n_clip"], ov["limit"], ov["title"]
    data = [go.Scatter(x=ov["old_x"], y=ov["old_y"], mode="lines", name="older sweeps",
                       line={"width": 1, "color": "#555555"}, opacity=0.3, hoverinfo="skip", showlegend=False),
            go.Scatter(x=ov["new_x"], y=ov["new_y"], mode="lines",
                       name="newest sweep", line={"width": 1.6, "color": TRACE_COLOUR}, hoverinfo="skip",
                       showlegend=False)]
    if n_clip:
        data.append(go.Scatter(x=ov["clip_x"], y=ov["clip_y"], mode="markers",
                               name="clipped", marker={"color": CLIP_COLOUR, "size": 5, "symbol": "line-ew-open"},
                               hoverinfo="skip", showlegend=False))
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": level, "y1": level,
               "line": {"color": "#CC79A7", "width": 1, "dash": "dash"}},
              {"type": "line", "yref": "paper", "x0": 0.0, "x1": 0.0, "y0": 0, "y1": 1,
               "line": {"color": "#CC79A7", "width": 1.5, "dash": "dot"}}]
    return go.Figure(data=data, layout={
        "height": height_px, "margin": {"l": 30, "r": 10, "t": 40, "b": 40}, "plot_bgcolor": "white",
        "uirevision": "live-sweeps", "showlegend": False, "shapes": shapes, "meta": {"sweeps": k, "clipped": n_clip},
        "title": {"text": title, "font": {"size": 14}},
        "xaxis": {"range": [-pre_ms, -pre_ms + H_DIVISIONS * ms_per_div], "dtick": ms_per_div, "tick0": -pre_ms,
                  "showgrid": True, "gridcolor": "#d9d9d9", "zeroline": False,
                  "title": {"text": "ms from trigger"}},
        "yaxis": {"range": [-limit * 1.02, limit * 1.02], "dtick": uv_per_div, "tick0": 0, "showgrid": True,
                  "gridcolor": "#d9d9d9", "zeroline": True, "zerolinecolor": "#999", "showticklabels": False}})


def sweeps_title(k: int, *, found: int | None, level: float, unit: str, pre_ms: float, ms_per_div: float,
                 uv_per_div: float, n_clip: int = 0) -> str:
    """The live sweeps' one-line title, short enough for a 720 px canvas (a 1024 px wide screen).

    E.g. ``"Last 10 of 25 sweeps · trigger -1000 µV falling · delay 20 ms · 10 ms/div · 500 µV/div ·
    40 clipped"`` (about 100 characters at most; the canvas also shrinks its font if needed).
    """
    from .sweep import format_sensitivity

    shown = f"Last {k} of {found} sweeps" if found is not None else f"Last {k} sweeps"
    sign = "rising" if level > 0 else "falling"
    clip_note = f" · {n_clip} clipped" if n_clip else ""
    return (f"{shown} · trigger {level:+g} {unit} {sign} · delay {pre_ms:g} ms · {ms_per_div:g} ms/div · "
            f"{format_sensitivity(uv_per_div, unit)}{clip_note}")


def _overlay(rows, fs, *, pre_ms, ms_per_div, uv_per_div, level, unit, found, n_points) -> dict:
    """What the sweep overlay draws (shared by the Plotly figure and the canvas payload)."""
    from .sweep import CLIP_DIVISIONS, clip_trace

    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2:
        raise ValueError(f"rows must be shaped (k sweeps, samples per sweep), got {rows.shape}")
    k, n = rows.shape
    t = np.arange(n) * 1000.0 / fs - pre_ms
    limit = CLIP_DIVISIONS * uv_per_div
    clipped, mask = clip_trace(rows, limit) if rows.size else (rows, np.zeros(rows.shape, bool))
    if n > n_points:
        td, yd = minmax_decimate(t, clipped, n_out=n_points)
        td, yd = np.atleast_2d(td), np.atleast_2d(yd)
    else:
        td, yd = np.broadcast_to(t, clipped.shape), clipped
    gap = np.full((max(k - 1, 0), 1), np.nan)
    old_x = np.hstack([td[:-1], gap]).ravel() if k > 1 else np.empty(0)
    old_y = np.hstack([yd[:-1], gap]).ravel() if k > 1 else np.empty(0)
    new_x, new_y = (td[-1], yd[-1]) if k else (np.empty(0), np.empty(0))
    n_clip = int(mask.sum())
    title = sweeps_title(k, found=found, level=level, unit=unit, pre_ms=pre_ms, ms_per_div=ms_per_div,
                         uv_per_div=uv_per_div, n_clip=n_clip)
    f32 = np.float32
    return {"k": k, "n_clip": n_clip, "limit": limit, "title": title,
            "old_x": old_x.astype(f32), "old_y": old_y.astype(f32),
            "new_x": np.asarray(new_x, f32), "new_y": np.asarray(new_y, f32),
            "clip_x": np.broadcast_to(t, rows.shape)[mask].astype(f32), "clip_y": clipped[mask].astype(f32)}


def live_sweeps_payload(rows: np.ndarray, fs: float, *, pre_ms: float, ms_per_div: float, uv_per_div: float,
                        level: float, unit: str = "µV", found: int | None = None,
                        n_points: int = SWEEP_POINTS) -> dict:
    """The overlay of :func:`live_sweeps_figure` as plain data for the Live view's canvas.

    Returns ``older`` (one list of [x, y] lines, one per older sweep), ``newest`` ([x, y]),
    ``clip`` ([x, y] of clipped samples, drawn at the edge), ``x_range`` (ms: −delay to
    −delay + 10 div), ``y_limit`` (±4 div), ``ms_per_div``, ``uv_per_div``, ``level``, ``title``,
    ``sweeps`` and ``found``.
    """
    from .sweep import H_DIVISIONS

    ov = _overlay(rows, fs, pre_ms=pre_ms, ms_per_div=ms_per_div, uv_per_div=uv_per_div, level=level, unit=unit,
                  found=found, n_points=n_points)
    ox, oy = ov["old_x"], ov["old_y"]
    cuts = np.flatnonzero(np.isnan(oy))
    older, start = [], 0
    for c in cuts:
        older.append([_round(ox[start:c]), _round(oy[start:c])])
        start = c + 1
    return {"older": older, "newest": [_round(ov["new_x"]), _round(ov["new_y"])],
            "clip": [_round(ov["clip_x"]), _round(ov["clip_y"])],
            "x_range": [-float(pre_ms), -float(pre_ms) + H_DIVISIONS * float(ms_per_div)],
            "y_limit": float(ov["limit"]), "ms_per_div": float(ms_per_div), "uv_per_div": float(uv_per_div),
            "level": float(level), "title": ov["title"], "sweeps": ov["k"], "found": found}
