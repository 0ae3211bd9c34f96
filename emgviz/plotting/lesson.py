"""The Teach lesson's figures: every step in ONE figure, and one step per screen for a projector.

Light for the browser: one Plotly chart instead of one per trace, SVG ``scatter`` (no WebGL
context), time traces min–max decimated to about two points per pixel, filter responses on a
coarse grid made fine only around each notch. The numbers behind a figure (:class:`Panel`) are
computed once per step and channel and reused by both layouts. Never imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from ..pipeline import Step, frequency_response
from ..settings import Settings
from ..spectral import welch_psd
from .decimate import minmax_decimate
from .spectra import power_db
from .style import OKABE_ITO
from .teach import step_caption
from .units import display_scale

__all__ = ["Panel", "step_panels", "lesson_figure", "presenter_figure", "response_grid",
           "PRESENTER_FONT_PX", "LESSON_FONT_PX"]

#: Font sizes in px: the lesson figure (a laptop) and the presenter figure (a projector).
LESSON_FONT_PX, PRESENTER_FONT_PX = 13, 22
_FLOOR_DB = 70.0          # spectra are drawn down to this many dB below their peak
_TRACE_POINTS = 1400      # per time trace: about 2 points per pixel of a 700 px wide trace
_BLUE, _ORANGE = OKABE_ITO["blue"], OKABE_ITO["orange"]


@dataclass(frozen=True, eq=False)
class Panel:
    """What one step shows: its decimated trace, its spectrum, its filter's gain and its caption.

    Attributes
    ----------
    kind : str
        ``"raw"``, ``"dc"``, ``"bandpass"``, ``"notch"``, ``"rectified"``, ``"envelope"``.
    title : str
        The step's label with a capital first letter (``"Band-pass 20–450 Hz"``).
    caption : str
        What the step did and what to look at, with its numbers.
    t, y : ndarray
        The time trace (s, and ``y_unit``), min–max decimated.
    y_unit : str
        Unit of ``y`` (``"mV"`` for volts).
    f, db : ndarray
        Welch spectrum: frequencies (Hz) and power (dB re 1 unit²/Hz), floored 70 dB below the peak.
    response : (ndarray, ndarray) or None
        The gain (0–1) this step applied to the DC-removed signal, on frequencies in Hz.
    response_name : str
        What ``response`` is ("band-pass gain", "band-pass + notch gain").
    f_max : float
        Right end of the spectrum's frequency axis (Hz).
    true_onsets_s, detected_onsets_s : tuple of float
        Onsets marked on the envelope's trace (s); empty on other steps.
    """

    kind: str
    title: str
    caption: str
    t: np.ndarray
    y: np.ndarray
    y_unit: str
    f: np.ndarray
    db: np.ndarray
    response: tuple[np.ndarray, np.ndarray] | None
    response_name: str
    f_max: float
    true_onsets_s: tuple = ()
    detected_onsets_s: tuple = ()


def response_grid(fs: float, notch_freqs: Sequence[float] = (), *, n: int = 500) -> np.ndarray:
    """Frequencies (Hz) to draw a filter's gain on: ``n`` even steps to fs/2, fine around each notch.

    A notch of Q 30 at 50 Hz is 1.7 Hz wide: 41 extra points within ±4 bandwidths of each
    notch frequency show its full depth, where an even grid would need thousands.

    Examples
    --------
    >>> g = response_grid(2000, [50.0])
    >>> bool(np.any(g == 50.0)), bool(np.all(np.diff(g) > 0))
    (True, True)
    """
    parts = [np.linspace(0.0, fs / 2, int(n))]
    for f0 in notch_freqs:
        half = 4 * f0 / 30.0
        parts.append(np.linspace(max(0.0, f0 - half), min(fs / 2, f0 + half), 41))
    return np.unique(np.concatenate(parts))


def _hum_note(kind: str, hum_hz: float | None, notch_hz: float | None, has_notch_step: bool) -> str:
    """The mains-hum sentence of a step's caption: what this step did to the hum, exactly."""
    if kind == "raw" and hum_hz:
        return (f" The narrow peak at {hum_hz:g} Hz (and its harmonics) is mains hum from the power line, "
                f"not muscle.")
    if kind == "bandpass" and hum_hz:
        if has_notch_step:
            return f" The {hum_hz:g} Hz hum lies inside the band, so the band-pass keeps it: the next step removes it."
        return (f" The {hum_hz:g} Hz hum lies inside the band, so it is still there: no notch is applied "
                f"(set the notch under Filters to remove it).")
    if kind == "notch":
        if not hum_hz:
            return " This signal has no hum, so here the notch only takes away EMG."
        if notch_hz and abs(hum_hz - notch_hz) > 1e-9:
            return f" The hum is at {hum_hz:g} Hz, so this notch at {notch_hz:g} Hz misses it."
        return f" The {hum_hz:g} Hz hum is gone from the spectrum; the EMG around it is kept."
    return ""


def step_panels(steps: Sequence[Step], *, settings: Settings, channel: int = 0,
                hum_hz: float | None = None, true_onsets_s=None, detected_onsets_s=None,
                n_points: int = _TRACE_POINTS) -> list[Panel]:
    """The numbers each step's figure shows (decimated trace, spectrum, gain, caption), for one channel.

    Parameters
    ----------
    steps : sequence of Step
        As :func:`emgviz.pipeline.steps` returns them (their ``kind`` and ``params`` are read).
    settings : Settings
        The settings the steps were made with (the filter gains are drawn from them).
    channel : int, default=0
        Which channel.
    hum_hz : float, default=None
        The mains hum in the signal (Hz), None when there is none: the raw, band-pass and
        notch captions say what happened to it.
    true_onsets_s, detected_onsets_s : sequence of float, default=None
        Onsets to mark on the envelope (s); the envelope's caption says how they are drawn.
    n_points : int, default=1400
        Points per time trace (min–max decimation keeps every peak).

    Returns
    -------
    list of Panel
    """
    if not steps:
        raise ValueError("steps is empty; pass emgviz.pipeline.steps(rec, settings)")
    fs = steps[0].recording.fs
    kinds = [s.kind for s in steps]
    has_notch = "notch" in kinds
    freqs_notch = next((tuple(s.params.get("freqs_hz", ())) for s in steps if s.kind == "notch"), ())
    bandpassed = next((s.recording.data[int(channel)] for s in steps if s.kind == "bandpass"), None)
    out: list[Panel] = []
    previous = None
    for step in steps:
        kind, label, rec = step.kind, step.label, step.recording
        if not -rec.n_channels <= int(channel) < rec.n_channels:
            raise ValueError(f"channel {channel} out of range: the recording has {rec.n_channels} channels")
        x = rec.data[int(channel)]
        title = label[:1].upper() + label[1:]
        scale, shown = display_scale(rec.unit, prefix="m")
        t, y = minmax_decimate(rec.times, x * scale, n_out=n_points)
        f, p = welch_psd(x, fs)
        response, name, f_max = None, "", fs / 2
        if kind == "bandpass":
            grid = response_grid(fs)
            response, name = (grid, frequency_response(settings.replace(notch_hz=None), fs, grid)), "band-pass gain"
        elif kind == "notch":
            grid = response_grid(fs, freqs_notch)
            response, name = (grid, frequency_response(settings, fs, grid)), "band-pass + notch gain"
        elif kind == "envelope":
            f_max = min(50.0, fs / 2)
        before = bandpassed if kind == "notch" and bandpassed is not None else previous
        caption = step_caption(kind, label, x, before, fs=fs, settings=settings, unit=rec.unit, psd=(f, p),
                               params=step.params)
        caption += _hum_note(kind, hum_hz, step.params.get("freqs_hz", (None,))[0] if kind == "notch" else None,
                             has_notch)
        true_s, det_s = (), ()
        if kind == "envelope":
            notes = []
            if true_onsets_s is not None:
                true_s = tuple(float(v) for v in true_onsets_s)
                notes.append("green dashed lines: true onsets")
            if detected_onsets_s is not None:
                det_s = tuple(float(v) for v in detected_onsets_s)
                notes.append("vermillion dotted lines: detected onsets")
            if notes:
                caption += " On the trace, " + "; ".join(notes) + "."
        keep = f <= f_max
        out.append(Panel(kind, title, caption, t, y, shown, f[keep],
                         power_db(p[keep], floor_db=_FLOOR_DB, zero_floor=None), response, name, float(f_max),
                         true_s, det_s))
        previous = x
    return out


# ---- layout helpers ---------------------------------------------------------------------------------
def _axis(size: int, *, title: str = "", domain=None, anchor: str | None = None, **extra) -> dict:
    out = dict(title=dict(text=title, font=dict(size=size), standoff=4), tickfont=dict(size=size),
               showline=True, linecolor="#444444", linewidth=1, ticks="outside", zeroline=False,
               gridcolor="#e6e6e6", automargin=True, **extra)
    if domain is not None:
        out["domain"] = [max(0.0, domain[0]), min(1.0, domain[1])]
    if anchor:
        out["anchor"] = anchor
    return out


def _ax(n: int) -> str:
    return "" if n == 1 else str(n)


def _add_panel(traces, layout, shapes, p: Panel, *, n_time: int, n_spec: int, n_gain: int,
               x_dom, x_dom_spec, y_dom, size: int, width: float, time_match: str | None,
               show_x_titles: bool, spec_y_title: str = "dB") -> None:
    """Put one panel's time trace on axes ``n_time`` and its spectrum on ``n_spec`` (gain on ``n_gain``)."""
    xt, yt, xs, ys = f"x{_ax(n_time)}", f"y{_ax(n_time)}", f"x{_ax(n_spec)}", f"y{_ax(n_spec)}"
    traces.append(dict(type="scatter", x=p.t, y=p.y, mode="lines", xaxis=xt, yaxis=yt, showlegend=False,
                       name=p.title, line=dict(color=_BLUE, width=width),
                       hovertemplate="%{x:.3f} s<br>%{y:.4g} " + p.y_unit + "<extra></extra>"))
    traces.append(dict(type="scatter", x=p.f, y=p.db, mode="lines", xaxis=xs, yaxis=ys, showlegend=False,
                       name=p.title + " spectrum", line=dict(color=_BLUE, width=width),
                       hovertemplate="%{x:.0f} Hz<br>%{y:.1f} dB<extra></extra>"))
    match = {"matches": time_match} if time_match else {}
    layout[f"xaxis{_ax(n_time)}"] = _axis(size, title="time (s)" if show_x_titles else "", domain=x_dom,
                                          anchor=yt, nticks=6, showticklabels=show_x_titles,
                                          **match)
    layout[f"yaxis{_ax(n_time)}"] = _axis(size, title=p.y_unit, domain=y_dom, anchor=xt, nticks=4)
    layout[f"xaxis{_ax(n_spec)}"] = _axis(size, title="frequency (Hz)" if show_x_titles else "",
                                          domain=x_dom_spec, anchor=ys, range=[0, p.f_max], nticks=4,
                                          showgrid=False)
    layout[f"yaxis{_ax(n_spec)}"] = _axis(size, title=spec_y_title, domain=y_dom, anchor=xs, nticks=4)
    if p.response is not None:
        f, gain = p.response
        yg = f"y{_ax(n_gain)}"
        traces.append(dict(type="scatter", x=f, y=gain, mode="lines", xaxis=xs, yaxis=yg, showlegend=False,
                           name=p.response_name, line=dict(color=_ORANGE, width=width + 1),
                           hovertemplate="%{x:.0f} Hz<br>gain %{y:.2f}<extra>" + p.response_name + "</extra>"))
        layout[f"yaxis{_ax(n_gain)}"] = dict(overlaying=ys, side="right", anchor=xs, range=[0, 1.05],
                                             tickvals=[0, 1], showgrid=False, zeroline=False,
                                             tickfont=dict(size=size, color=_ORANGE), title=dict(text=""))
    for times, color, dash in ((p.true_onsets_s, OKABE_ITO["green"], "dash"),
                               (p.detected_onsets_s, OKABE_ITO["vermillion"], "dot")):
        shapes.extend(dict(type="line", xref=xt, yref=f"{yt} domain", x0=v, x1=v, y0=0, y1=1,
                           line=dict(color=color, dash=dash, width=max(1.5, width))) for v in times)


def _title(text: str, x: float, y: float, size: int, *, bold: bool = True) -> dict:
    return dict(text=f"<b>{text}</b>" if bold else text, x=x, y=y, xref="paper", yref="paper",
                xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=size))


def lesson_figure(panels: Sequence[Panel], *, row_px: int = 150, gap_px: int = 50,
                  font_px: int = LESSON_FONT_PX) -> go.Figure:
    """Every step in one figure: a row per step, its time trace left and its spectrum right.

    The time axes are linked (zoom one, all follow). Each row's title is the step's number
    and label; a filter step's spectrum carries its gain in orange on a right-hand 0–1 axis.
    """
    n = len(panels)
    top, bottom = 30, 50
    height = n * row_px + (n - 1) * gap_px + top + bottom
    plot_h = height - top - bottom
    traces, shapes, notes = [], [], []
    layout: dict = {}
    for i, p in enumerate(panels):
        y1 = 1 - i * (row_px + gap_px) / plot_h
        y0 = y1 - row_px / plot_h
        _add_panel(traces, layout, shapes, p, n_time=2 * i + 1, n_spec=2 * i + 2, n_gain=2 * n + 1 + i,
                   x_dom=(0.0, 0.57), x_dom_spec=(0.69, 0.97), y_dom=(y0, y1), size=font_px, width=1.0,
                   time_match="x" if i else None, show_x_titles=(i == n - 1), spec_y_title="")
        notes.append(_title(f"{i + 1}. {p.title}", 0.0, y1 + 4 / plot_h, font_px + 2))
        notes.append(_title("spectrum (dB)" + (" · <span style='color:%s'>%s</span>" % (_ORANGE, p.response_name)
                                          if p.response is not None else ""), 0.69, y1 + 4 / plot_h, font_px,
                            bold=False))
    layout.update(template="none", height=height, paper_bgcolor="white", plot_bgcolor="white",
                  font=dict(size=font_px, color="#111111"), margin=dict(l=60, r=40, t=top, b=bottom),
                  showlegend=False, annotations=notes, shapes=shapes, hovermode="closest")
    return go.Figure(data=traces, layout=layout)


def presenter_figure(raw: Panel, step: Panel, *, number: int, height_px: int = 540,
                     font_px: int = PRESENTER_FONT_PX) -> go.Figure:
    """One step for a projector: raw on the left, this step on the right; traces above, spectra below.

    For the raw step itself: its trace and its spectrum side by side, full height.
    """
    traces, shapes, notes, layout = [], [], [], {}
    top, bottom = 44, 70
    width = 2.5
    if step is raw:
        _add_panel(traces, layout, shapes, raw, n_time=1, n_spec=2, n_gain=3, x_dom=(0.0, 0.55),
                   x_dom_spec=(0.64, 0.98), y_dom=(0.0, 1.0), size=font_px, width=width, time_match=None,
                   show_x_titles=True)
        notes += [_title(f"{number}. {raw.title}", 0.0, 1.01, font_px), _title("spectrum", 0.64, 1.01, font_px,
                                                                              bold=False)]
    else:
        gap = 0.16
        for col, (p, label) in enumerate(((raw, "Raw"), (step, f"{number}. {step.title}"))):
            x_dom = (0.0, 0.44) if col == 0 else (0.57, 0.97)
            n_time, n_spec = 2 * col + 1, 2 * col + 2
            # rows: the time trace on top, the spectrum below (an _add_panel lays them side by side,
            # so place the two cells with their own domains here)
            _add_panel(traces, layout, shapes, p, n_time=n_time, n_spec=n_spec, n_gain=5 + col, x_dom=x_dom,
                       x_dom_spec=x_dom, y_dom=(0.5 + gap / 2, 1.0), size=font_px, width=width,
                       time_match="x" if col else None, show_x_titles=True)
            layout[f"yaxis{_ax(n_spec)}"]["domain"] = [0.0, 0.5 - gap / 2]
            if f"yaxis{_ax(5 + col)}" in layout:
                layout[f"yaxis{_ax(5 + col)}"]["domain"] = [0.0, 0.5 - gap / 2]
            notes.append(_title(label, x_dom[0], 1.01, font_px))
        if raw.f_max == step.f_max:  # the same frequency range: zoom one spectrum, both follow
            layout["xaxis4"]["matches"] = "x2"
    layout.update(template="none", height=height_px, paper_bgcolor="white", plot_bgcolor="white",
                  font=dict(size=font_px, color="#111111"), margin=dict(l=80, r=50, t=top, b=bottom),
                  showlegend=False, annotations=notes, shapes=shapes, hovermode="closest")
    return go.Figure(data=traces, layout=layout)
