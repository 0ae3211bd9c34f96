"""Figures of the Needle EMG lesson (Plotly, no Streamlit): the trace at a clinical sweep, the
triggered sweep of one motor unit, and the lesson's stages.

Fonts are ≥ 20 px so a hall can read them; traces are drawn negative-up as on an EMG machine
(the clinical convention), with a scale bar in µV and ms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from .decimate import minmax_decimate

__all__ = ["STAGES", "Stage", "trace_figure", "sweep_figure", "FONT_PX"]

#: Smallest font in the lesson's figures and captions, px (legible from the back of a hall).
FONT_PX = 20

_TRACE = "#1f4e9e"
_TRUTH = "#d55e00"
_FOUND = "#009e73"


@dataclass(frozen=True)
class Stage:
    """One step of the needle examination as the lesson shows it."""

    key: str
    title: str
    force: float
    duration_s: float
    window_s: float        # how much of the trace is drawn
    ms_per_div: float      # the sweep speed named in the caption
    caption: str


STAGES = (
    Stage("insertion", "1 · Insertion", 0.0, 3.0, 1.0, 100.0,
          "Moving the needle injures fibres: a brief burst of spikes (insertional activity), "
          "normally over within 300 ms. Listen for the crackle, then silence."),
    Stage("rest", "2 · Rest", 0.0, 6.0, 2.0, 200.0,
          "A relaxed healthy muscle is electrically silent. Fibrillations (brief, regular, 'rain on a "
          "tin roof'), positive sharp waves (dull thuds) and fasciculations (a whole unit, irregular) "
          "mean denervation or muscle-fibre injury."),
    Stage("minimal", "3 · Minimal contraction", 0.1, 6.0, 0.2, 20.0,
          "A slight effort recruits the first units: each MUP is a crisp 'tick' when the needle is "
          "close. Trigger on one unit to measure its amplitude, duration and phases."),
    Stage("strong", "4 · Stronger contraction", 0.6, 3.0, 0.5, 50.0,
          "More force recruits more units and speeds them up until single MUPs merge into an "
          "interference pattern. Few fast units = reduced recruitment (neurogenic); many small "
          "units at low force = early recruitment (myopathic)."),
)


def _layout(fig, *, title, height, x_title, y_title):
    fig.update_layout(
        title={"text": title, "font": {"size": FONT_PX + 4}},
        height=height, margin={"l": 90, "r": 20, "t": 60, "b": 120},
        font={"size": FONT_PX}, plot_bgcolor="white", showlegend=True,
        legend={"orientation": "h", "y": -0.38, "yanchor": "top", "font": {"size": FONT_PX}})
    fig.update_xaxes(title={"text": x_title, "font": {"size": FONT_PX}}, tickfont={"size": FONT_PX},
                     gridcolor="#dddddd", zeroline=False)
    fig.update_yaxes(title={"text": y_title, "font": {"size": FONT_PX}}, tickfont={"size": FONT_PX},
                     gridcolor="#dddddd", autorange="reversed", zeroline=False)
    return fig


def trace_figure(x_uv, fs: float, *, start_s: float = 0.0, window_s: float = 1.0, title: str = "",
                 truth_s=(), found_s=(), ms_per_div: float | None = None, height: int = 420,
                 max_points: int = 4000) -> go.Figure:
    """The needle trace (µV, negative up) over ``window_s`` from ``start_s``, with event marks.

    Parameters
    ----------
    x_uv : array_like
        The whole signal in µV.
    fs : float
        Sampling rate in Hz.
    start_s, window_s : float
        The span drawn, s.
    title : str
    truth_s, found_s : sequence of float
        Times (s) of true and detected events, drawn as markers above the trace.
    height : int
        Figure height in px.
    ms_per_div : float, optional
        Sweep speed: one vertical grid line per division, as on an EMG screen.
    max_points : int
        Min–max decimation target (every spike stays visible).

    Examples
    --------
    >>> fig = trace_figure(np.sin(np.arange(20_000) / 10) * 100, 20_000, window_s=0.5, truth_s=[0.1])
    >>> fig.layout.font.size >= FONT_PX, fig.layout.yaxis.autorange
    (True, 'reversed')
    """
    x = np.asarray(x_uv, float)
    a = max(int(start_s * fs), 0)
    b = min(a + int(window_s * fs), x.size)
    t_ms = (np.arange(a, b) / fs - start_s) * 1e3
    seg = x[a:b]
    tt, yy = minmax_decimate(t_ms, seg, n_out=max_points) if seg.size > max_points else (t_ms, seg)
    fig = go.Figure(go.Scatter(x=tt, y=yy, mode="lines", line={"color": _TRACE, "width": 1.6},
                               name="needle (µV)", hoverinfo="skip"))
    span = float(np.max(np.abs(seg))) if seg.size else 1.0
    span = max(span, 50.0)
    for times, color, label, level in ((truth_s, _TRUTH, "true event", -1.15), (found_s, _FOUND, "found", -1.3)):
        tsel = [(t - start_s) * 1e3 for t in times if start_s <= t < start_s + window_s]
        if tsel:
            fig.add_trace(go.Scatter(x=tsel, y=[level * span] * len(tsel), mode="markers", name=label,
                                     marker={"symbol": "triangle-up" if label == "found" else "triangle-down",
                                             "size": 16, "color": color}))
    fig.update_yaxes(range=[1.1 * span, -1.4 * span])
    fig = _layout(fig, title=title, height=height, x_title="time (ms)" if ms_per_div is None
                  else f"time (ms) · {ms_per_div:g} ms/div", y_title="µV (negative up)")
    if ms_per_div:
        fig.update_xaxes(dtick=ms_per_div, range=[0, window_s * 1e3])
    return fig


def sweep_figure(t_ms, snippets_uv, template_uv, *, onset_ms=None, end_ms=None, title: str = "",
                 height: int = 420) -> go.Figure:
    """Triggered sweeps of one motor unit superimposed, with their average and duration markers.

    Parameters
    ----------
    t_ms : array_like
        Time of each sample relative to the trigger (main peak), ms.
    snippets_uv : array_like, shape (n_discharges, n_t)
        The discharges, µV.
    template_uv : array_like, shape (n_t,)
        Their average (the MUP template), µV.
    onset_ms, end_ms : float, optional
        The measured start and end of the MUP (its duration), ms.

    Examples
    --------
    >>> t = np.linspace(-10, 10, 201); s = np.exp(-t ** 2)[None, :] * [[100], [110]]
    >>> len(sweep_figure(t, s, s.mean(0), onset_ms=-2, end_ms=2).data)
    3
    """
    fig = go.Figure()
    snippets = np.atleast_2d(np.asarray(snippets_uv, float))
    xs = np.concatenate([np.append(np.asarray(t_ms, float), np.nan)] * len(snippets))
    ys = np.concatenate([np.append(s, np.nan) for s in snippets])
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#9db4d8", "width": 1},
                             name=f"{len(snippets)} discharges", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=t_ms, y=template_uv, mode="lines", line={"color": _TRACE, "width": 3.5},
                             name="average (template)"))
    if onset_ms is not None and end_ms is not None:
        amp = float(np.max(np.abs(template_uv))) or 1.0
        fig.add_trace(go.Scatter(x=[onset_ms, onset_ms, None, end_ms, end_ms],
                                 y=[-amp, amp, None, -amp, amp], mode="lines", name="duration",
                                 line={"color": _TRUTH, "width": 3, "dash": "dash"}))
    return _layout(fig, title=title, height=height, x_title="ms from the trigger", y_title="µV (negative up)")
