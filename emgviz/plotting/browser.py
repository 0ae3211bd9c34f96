"""The clinical signal browser: stacked channels on a fixed time base, amplitude in units per division.

Pure figure builders (no Streamlit). Traces are min–max decimated to about two points
per horizontal pixel, so a page of a one-hour, 16-channel recording stays small.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..recording import Recording
from .decimate import minmax_decimate
from .scales import _resolve_scales, auto_scale, auto_scales, format_scale, nice_scale, scale_choices
from .style import ENVELOPE_COLOR, TRACE_COLOR
from .page_marks import BURST_FILL, _burst_shapes, _line_marks  # noqa: F401  (BURST_FILL re-exported)
from .templates import lean_template

__all__ = ["stacked_figure", "overview_figure", "overview_envelope", "auto_scale", "auto_scales",
           "nice_scale", "format_scale", "scale_choices", "page_slice", "MAX_FIGURE_POINTS",
           "TRACE_COLOR", "ENVELOPE_COLOR", "DRAWN_WIDTH_PX", "trace_points"]

#: Colours: calm, print-friendly (thin dark traces on white; TRACE_COLOR and ENVELOPE_COLOR from .style).
EVENT_COLOR = "#6a3d9a"
MARKER_COLOR = "#c51b7d"
GRID_COLOR = "#e3e3e3"
BASELINE_COLOR = "#c8c8c8"
PAGE_FILL = "rgba(255, 140, 0, 0.25)"

#: The width a stacked figure is drawn at in the app's wide layout on a 1440 px screen (its plot area
#: about 900 px, two points per pixel); wider screens get about 1.5 points per pixel, which a min–max
#: trace draws alike. Each point more costs renderer time on every new figure (measured: half the
#: points of the Overview, 0.6–0.8 s less renderer CPU; benchmarks/bench_browser_floor.py).
DRAWN_WIDTH_PX = 1100
#: Left margin (channel names) and left + right margins (with the scale labels) of the stacked figure, px.
_MARGIN_L, _MARGIN_X = 110, 205

#: Hard cap on the points of all traces of one figure, whatever the file: a page of 16
#: channels with their envelopes at two points per pixel (89,600 points) fits; a file of
#: thousands of channels gets fewer points per trace, so no figure passes ~2 MB of JSON.
MAX_FIGURE_POINTS = 100_000


# ---------------------------------------------------------------------------- slicing
def page_slice(rec: Recording, t_start_s: float, t_window_s: float, *, pad: int = 1) -> slice:
    """Sample indices of ``rec`` covering ``[t_start_s, t_start_s + t_window_s]``.

    With ``pad=1`` one extra sample each side is included so a line reaches both
    edges; ``pad=0`` gives exactly the samples with ``t_start <= t < t_end``.
    """
    a = (t_start_s - rec.t0) * rec.fs
    b = (t_start_s + t_window_s - rec.t0) * rec.fs
    i0 = int(math.ceil(round(a, 9))) - pad
    i1 = int(math.ceil(round(b, 9))) + pad
    return slice(min(max(i0, 0), rec.n_samples), min(max(i1, 0), rec.n_samples))


def _check_window(t_start_s, t_window_s) -> tuple[float, float]:
    try:
        t0, w = float(t_start_s), float(t_window_s)
    except (TypeError, ValueError):
        raise ValueError(f"t_start_s and t_window_s must be numbers of seconds, got {t_start_s!r}, "
                         f"{t_window_s!r}") from None
    if not math.isfinite(t0) or not math.isfinite(w) or w <= 0:
        raise ValueError(f"the page needs a finite start and a window above 0 s, got start={t_start_s!r}, "
                         f"window={t_window_s!r}")
    return t0, w


def _pick_names(rec: Recording, channels) -> list[str]:
    if channels is None:
        return list(rec.ch_names)
    if isinstance(channels, str):
        channels = [channels]
    names = [rec.ch_names[c] if isinstance(c, (int, np.integer)) else str(c) for c in channels]
    for n in names:
        rec.channel_index(n)  # KeyError listing the channels
    if not names:
        raise ValueError("pick at least one channel to show")
    return names


# ---------------------------------------------------------------------------- main figure
def stacked_figure(rec: Recording, *, t_start_s: float, t_window_s: float, channels=None,
                   scale=None, divisions_per_channel: float = 4, overlay: Recording | None = None,
                   bursts: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
                   markers: pd.DataFrame | None = None, width_px: int = DRAWN_WIDTH_PX,
                   height_px: int | None = None, gl: bool = False, decimated=None) -> go.Figure:
    """Channels stacked on one time axis, like a clinical EMG machine or EDFbrowser.

    Each channel owns a band of ``divisions_per_channel`` divisions (the faint
    horizontal gridlines); its baseline is the band's middle; one division is
    ``scale`` stored units (e.g. 100 µV). Traces may cross into a neighbour's band,
    as on paper. The x-axis spans exactly the page.

    Parameters
    ----------
    rec : Recording
        What to draw (raw or filtered).
    t_start_s, t_window_s : float
        Page start and length in s (on the clock of ``rec.times``).
    channels : sequence of str or int, default=None
        Channels top to bottom; ``None`` = all, in file order.
    scale : None, float or dict, default=None
        Units per division (V/div when ``rec.unit == "V"``): ``None`` = automatic per
        channel (:func:`auto_scale`), a number for all, or a dict name -> number or
        ``None`` (automatic).
    divisions_per_channel : float, default=4
        Height of each channel's band in divisions.
    overlay : Recording, default=None
        Drawn over the traces with the same scale and baseline (an envelope); matched
        by channel name.
    bursts : DataFrame, default=None
        Columns ``channel``, ``onset_s``, ``offset_s``: shaded spans in that channel's band.
    events : DataFrame, default=None
        Columns ``time_s``, ``label`` (``duration_s`` optional): labelled vertical lines.
    markers : DataFrame, default=None
        Columns ``time_s``, ``note``: the user's markers, drawn as labelled lines.
    width_px : int, default=DRAWN_WIDTH_PX
        Figure width in px (Streamlit's ``width="stretch"`` fits it to the page); each trace
        keeps at most two points per pixel of the plot area (``2 * (width_px - 205)``: the
        margins hold the names and scales), and all traces
        together at most :data:`MAX_FIGURE_POINTS`. Times are sent as float32 when that is
        exact to a twentieth of a pixel.
    height_px : int, default=None
        Figure height; ``None`` picks one from the number of channels.
    gl : bool, default=False
        Draw traces with WebGL (``Scattergl``). SVG is the default: at two points per
        pixel it draws fast enough and works in every export.
    decimated : tuple (signal, overlay), default=None
        The traces already decimated (see :func:`emgviz.plotting.overview_stack.decimate_stack`):
        ``signal`` one ``(t, y)`` pair per channel of ``channels``, ``overlay`` the same for the
        overlay or None. Drawn as they are instead of decimating ``rec`` and ``overlay`` again.

    Returns
    -------
    plotly.graph_objects.Figure
        ``layout.meta`` holds ``{"t_start_s", "t_window_s", "scales", "channels"}``.

    Examples
    --------
    >>> rec = Recording(np.random.default_rng(0).normal(0, 50e-6, (2, 20_000)), fs=2000,
    ...                 ch_names=["biceps", "triceps"])
    >>> fig = stacked_figure(rec, t_start_s=2, t_window_s=5, scale=100e-6)
    >>> fig.layout.xaxis.range, fig.layout.annotations[0].text
    ((2.0, 7.0), '100 µV/div')
    """
    t_start, window = _check_window(t_start_s, t_window_s)
    if int(width_px) != width_px or width_px < 100:
        raise ValueError(f"width_px must be a whole number of pixels >= 100, got {width_px!r}")
    if not divisions_per_channel > 0:
        raise ValueError(f"divisions_per_channel must be above 0, got {divisions_per_channel!r}")
    names = _pick_names(rec, channels)
    scales = _resolve_scales(rec, names, scale, divisions_per_channel)
    n_ch = len(names)
    div = float(divisions_per_channel)
    centers = {n: (n_ch - 1 - k) * div + div / 2 for k, n in enumerate(names)}
    t_end = t_start + window
    plot_px = max(100, int(width_px) - _MARGIN_X)  # the plot area: the axis labels take the rest
    n_out = trace_points(n_ch, overlay is not None, width_px)
    kind = "scattergl" if gl else "scatter"

    def Trace(**kw):  # plain dicts: validating 30 traces would cost more than building them
        return dict(type=kind, **kw)

    traces = []
    sl = page_slice(rec, t_start, window)
    idx = [rec.channel_index(n) for n in names]
    t_page = rec.t0 + np.arange(sl.start, sl.stop) / rec.fs if decimated is None else np.empty(0)
    if decimated is not None:
        td, yd = [_compact_x(p[0], t_start, window, plot_px) for p in decimated[0]], [p[1] for p in decimated[0]]
    elif t_page.size:  # channel by channel on views of the page: no copy of the samples
        pairs = [minmax_decimate(t_page, rec.data[i, sl], n_out=n_out) for i in idx]
        td, yd = [_compact_x(p[0], t_start, window, plot_px) for p in pairs], [p[1] for p in pairs]
    else:
        td = yd = np.empty((n_ch, 0))
    for k, n in enumerate(names):
        traces.append(Trace(x=td[k], y=(yd[k] / scales[n] + centers[n]).astype(np.float32),
                            name=n, mode="lines", line=dict(color=TRACE_COLOR, width=0.9),
                            hovertemplate="%{x:.4f} s<extra>" + n + "</extra>", showlegend=False))
    pairs, o_names = None, []
    if decimated is not None:
        pairs, o_names = decimated[1], (names if decimated[1] is not None else [])
    elif overlay is not None:
        osl = page_slice(overlay, t_start, window)
        o_names = [n for n in names if n in overlay.ch_names] if osl.stop > osl.start else []
        ot = overlay.t0 + np.arange(osl.start, osl.stop) / overlay.fs
        pairs = [minmax_decimate(ot, overlay.data[overlay.channel_index(n), osl], n_out=n_out) for n in o_names]
    for n, (ox, oy) in zip(o_names, pairs or ()):
        traces.append(Trace(x=_compact_x(ox, t_start, window, plot_px), y=(oy / scales[n] + centers[n]).astype(np.float32), name=f"{n} envelope",
                            mode="lines", line=dict(color=ENVELOPE_COLOR, width=1.4),
                            hovertemplate="%{x:.4f} s<extra>" + n + " envelope</extra>", showlegend=False))

    shapes, annotations = [], []
    unit = rec.unit
    for n in names:
        annotations.append(dict(x=1.0, xref="paper", xanchor="left", xshift=6, y=centers[n], yref="y",
                                text=format_scale(scales[n], unit), showarrow=False,
                                font=dict(size=11, color="#555555")))
    shapes += _burst_shapes(bursts, centers, div, t_start, t_end)
    s, a = _line_marks(events, "label", t_start, t_end, EVENT_COLOR, "dot", durations=True)
    shapes += s
    annotations += a
    s, a = _line_marks(markers, "note", t_start, t_end, MARKER_COLOR, "solid", prefix="▼ ")
    shapes += s
    annotations += a

    height = height_px or int(70 + n_ch * max(40, min(120, 640 / n_ch)))
    layout = dict(
        template=_template(), width=int(width_px), height=height, showlegend=False,
        margin=dict(l=_MARGIN_L, r=_MARGIN_X - _MARGIN_L, t=30, b=45), plot_bgcolor="white", paper_bgcolor="white",
        hovermode="closest", dragmode="zoom", uirevision=f"{t_start:.6f}/{window:g}",
        xaxis=dict(range=[t_start, t_end], autorange=False, title=dict(text="Time (s)"),
                   # Plotly picks round ticks (about ten) and labels them itself, so every label
                   # sits on its tick at every zoom; a fixed window/10 step with rounded labels
                   # put "1, 3, 4" up to half a second off their ticks and lost them on zoom.
                   tickmode="auto", nticks=12,
                   showgrid=True, gridcolor=GRID_COLOR, gridwidth=1, zeroline=False,
                   showline=True, linecolor="#888888", mirror=True, ticks="outside"),
        yaxis=dict(range=[0, n_ch * div], autorange=False, fixedrange=True,
                   tickmode="array", tickvals=[centers[n] for n in names], ticktext=names,
                   showgrid=True, gridcolor=BASELINE_COLOR, zeroline=False, showline=True,
                   linecolor="#888888", mirror=True, ticks="",
                   minor=dict(tickmode="linear", tick0=0, dtick=1, showgrid=True, gridcolor=GRID_COLOR,
                              ticks="")),
        shapes=shapes, annotations=annotations,
        meta=dict(t_start_s=t_start, t_window_s=window, channels=names, unit=unit,
                  scales={n: scales[n] for n in names}),
    )
    return go.Figure(data=traces, layout=layout, _validate=False)


def trace_points(n_channels: int, overlay: bool, width_px: int = DRAWN_WIDTH_PX) -> int:
    """Most points per trace of :func:`stacked_figure`: two per pixel of the plot area, all traces ≤ the cap.

    ``n_channels`` traces, doubled with an overlay per channel; at most :data:`MAX_FIGURE_POINTS`
    together.
    """
    n_traces = n_channels * (2 if overlay else 1)
    plot_px = max(100, int(width_px) - _MARGIN_X)
    return max(2, min(2 * plot_px, MAX_FIGURE_POINTS // n_traces // 2 * 2))


def _compact_x(x: np.ndarray, t_start: float, window: float, plot_px: int) -> np.ndarray:
    """Trace times in float32 when that is exact to a twentieth of a pixel (a third fewer bytes per point).

    A page far from the recording's clock origin (float32 would round it visibly) keeps float64.
    """
    t_max = max(abs(t_start), abs(t_start + window))
    if t_max * 2.0 ** -23 >= window / (20 * plot_px):
        return x
    return x.astype(np.float32)


def _template():
    """``simple_white`` with only the defaults of the scatter traces drawn here (see :mod:`.templates`)."""
    return lean_template("simple_white", ("scatter", "scattergl"))


# ---------------------------------------------------------------------------- overview
def overview_envelope(rec: Recording, *, n_points: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min and max of every channel in ``n_points`` equal buckets over the whole recording.

    Parameters
    ----------
    rec : Recording
        Any recording (a one-hour, 16-channel one takes about a second).
    n_points : int, default=2000
        Number of buckets (at most the number of samples).

    Returns
    -------
    t : ndarray, shape (m,)
        Bucket centres in s, equally spaced (``size / fs`` apart).
    lo, hi : ndarray, shape (n_channels, m)
        Minimum and maximum per bucket, stored units.
    """
    if int(n_points) != n_points or n_points < 2:
        raise ValueError(f"n_points must be a whole number >= 2, got {n_points!r}")
    n = rec.n_samples
    size = max(1, -(-n // int(n_points)))
    m = -(-n // size)
    pad = m * size - n
    data = rec.data
    lo = np.empty((rec.n_channels, m))
    hi = np.empty((rec.n_channels, m))
    full = (n // size) * size
    for c in range(rec.n_channels):       # per channel: never copies the whole recording
        blocks = data[c, :full].reshape(-1, size)
        lo[c, :blocks.shape[0]] = blocks.min(axis=1)
        hi[c, :blocks.shape[0]] = blocks.max(axis=1)
        if pad:
            lo[c, -1] = data[c, full:].min()
            hi[c, -1] = data[c, full:].max()
    t = rec.t0 + (np.arange(m) * size + (size - 1) / 2) / rec.fs   # regular: centres of full buckets
    return t, lo, hi


def _merge_buckets(t, lo, hi, m_max: int):
    """Min–max buckets merged ``k`` at a time so at most ``m_max`` remain (min of mins, max of maxes)."""
    m = lo.shape[1]
    if m <= m_max:
        return t, lo, hi
    k = -(-m // m_max)
    full = (m // k) * k
    parts_lo, parts_hi, parts_t = [lo[:, :full].reshape(lo.shape[0], -1, k).min(axis=2)], \
        [hi[:, :full].reshape(hi.shape[0], -1, k).max(axis=2)], [t[:full].reshape(-1, k).mean(axis=1)]
    if full < m:
        parts_lo.append(lo[:, full:].min(axis=1, keepdims=True))
        parts_hi.append(hi[:, full:].max(axis=1, keepdims=True))
        parts_t.append(t[full:][:1] + (t[1] - t[0]) * (k - 1) / 2)  # on the regular grid
    return np.concatenate(parts_t), np.concatenate(parts_lo, axis=1), np.concatenate(parts_hi, axis=1)


def overview_figure(rec: Recording, *, t_start_s: float, t_window_s: float, n_points: int = 2000,
                    envelope=None, channels=None, width_px: int = 1400, height_px: int = 120) -> go.Figure:
    """The whole recording in a short strip, with the current page shaded.

    Each channel is a filled min–max band (scaled to its own robust range, stacked as
    in :func:`stacked_figure`), so bursts and artefacts show where they are. Buckets
    are equally spaced, so traces carry ``x0``/``dx`` instead of an x array.

    Parameters
    ----------
    rec : Recording
        The recording being browsed.
    t_start_s, t_window_s : float
        The current page in s: drawn as a shaded rectangle.
    n_points : int, default=2000
        Buckets over the whole recording (fewer when the channels' two traces each would pass
        :data:`MAX_FIGURE_POINTS` together: neighbouring buckets are then merged).
    envelope : tuple (t, lo, hi), default=None
        A precomputed :func:`overview_envelope` of all of ``rec``'s channels (to cache
        it between pages).
    channels : sequence of str or int, default=None
        Channels to show, top to bottom; ``None`` = all.
    width_px, height_px : int
        Figure size in px.

    Returns
    -------
    plotly.graph_objects.Figure
        The page rectangle is ``layout.shapes[0]``.
    """
    t_start, window = _check_window(t_start_s, t_window_s)
    t, lo, hi = overview_envelope(rec, n_points=n_points) if envelope is None else envelope
    if lo.shape[0] != rec.n_channels:
        raise ValueError(f"envelope has {lo.shape[0]} channels, the recording {rec.n_channels}")
    names = _pick_names(rec, channels)
    idx = [rec.channel_index(n) for n in names]
    lo, hi = lo[idx], hi[idx]
    n_ch = len(names)
    t, lo, hi = _merge_buckets(t, lo, hi, max(1, MAX_FIGURE_POINTS // (2 * n_ch)))
    traces = []
    for c in range(n_ch):
        mid = np.median((lo[c] + hi[c]) / 2)
        span = np.median(hi[c] - lo[c]) or (hi[c].max() - lo[c].min()) or 1.0
        k = 0.3 / span                     # a typical bucket fills 30% of the slot: bursts stand out
        y_hi = np.clip((hi[c] - mid) * k, -0.5, 0.5) + (n_ch - 1 - c) + 0.5
        y_lo = np.clip((lo[c] - mid) * k, -0.5, 0.5) + (n_ch - 1 - c) + 0.5
        name = names[c]
        # two traces per channel on a regular x (x0 + k·dx, no x array sent): max, then min filled up to it
        x_axis = dict(x0=float(t[0]), dx=float(t[1] - t[0]) if t.size > 1 else 1.0)
        line = dict(color="rgba(31, 42, 54, 0.8)", width=0.5)
        traces.append(dict(type="scatter", y=y_hi.astype(np.float32), mode="lines", line=line, name=name,
                                 hovertemplate="%{x:.1f} s<extra>" + name + "</extra>", showlegend=False,
                                 **x_axis))
        traces.append(dict(type="scatter", y=y_lo.astype(np.float32), mode="lines", line=line, name=name,
                                 fill="tonexty", fillcolor="rgba(31, 42, 54, 0.55)",
                                 hovertemplate="%{x:.1f} s<extra>" + name + "</extra>", showlegend=False,
                                 **x_axis))
    t_lo = rec.t0
    t_hi = rec.t0 + rec.duration_s
    page = dict(type="rect", xref="x", yref="paper", x0=t_start, x1=min(t_start + window, t_hi), y0=0, y1=1,
                fillcolor=PAGE_FILL, line=dict(color="#e6550d", width=1.5))
    layout = dict(
        template=_template(), width=int(width_px), height=int(height_px), showlegend=False,
        margin=dict(l=110, r=95, t=8, b=28), plot_bgcolor="white", paper_bgcolor="white",
        hovermode="closest", dragmode=False,
        xaxis=dict(range=[t_lo, t_hi], autorange=False, fixedrange=True, showgrid=False,
                   ticks="outside", ticksuffix=" s", showline=True, linecolor="#888888", mirror=True),
        yaxis=dict(range=[0, n_ch], autorange=False, fixedrange=True, showticklabels=False,
                   ticks="", showgrid=False, showline=True, linecolor="#888888", mirror=True),
        shapes=[page],
        meta=dict(t_start_s=t_start, t_window_s=window),
    )
    return go.Figure(data=traces, layout=layout, _validate=False)
