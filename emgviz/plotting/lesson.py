"""The Teach lesson's figures: every step in ONE figure, and one step per screen for a projector.

Light for the browser: one Plotly chart instead of one per trace, SVG ``scatter`` (no WebGL
context), the steps stacked as rows of shared axes (:mod:`emgviz.plotting.lesson_stack`), time
traces min–max decimated to about two points per pixel, filter responses on a coarse grid made
fine only around each notch (and computed once per filter, not per signal). The numbers behind
a figure (:class:`Panel`) are computed once per step and channel and reused by both layouts.
Never imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from ..pipeline import Step, frequency_response
from ..settings import Settings
from ..spectral import welch_psd
from .decimate import minmax_decimate
from .lesson_stack import PrebuiltFigure, lesson_figure, lesson_spec
from .spectra import power_db
from .style import OKABE_ITO
from .teach import step_caption
from .units import display_scale

__all__ = ["Panel", "step_panels", "lesson_figure", "lesson_spec", "presenter_figure", "presenter_spec",
           "response_grid", "filter_gain", "PrebuiltFigure", "PRESENTER_FONT_PX", "LESSON_FONT_PX"]

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
    db_ref : str
        The reference of ``db`` (``"1 V²/Hz"``: the recording's unit squared per Hz).
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
    db_ref: str = "1 V²/Hz"


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


@lru_cache(maxsize=32)
def filter_gain(settings: Settings, fs: float, notch_freqs: tuple = ()) -> tuple[np.ndarray, np.ndarray]:
    """The gain (0–1) of ``settings``' filters on :func:`response_grid` (Hz), computed once per filter.

    A lesson nudge that changes only the signal (the contraction level, the seed) draws the
    same filters: their gains come from this cache, not from a new design. The arrays are
    read-only (shared by every caller).

    Returns
    -------
    (freqs_hz, gain) : tuple of ndarray
    """
    grid = response_grid(fs, notch_freqs)
    gain = frequency_response(settings, fs, grid)
    grid.flags.writeable = False
    gain.flags.writeable = False
    return grid, gain


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
            response, name = filter_gain(settings.replace(notch_hz=None), fs), "band-pass gain"
        elif kind == "notch":
            response, name = filter_gain(settings, fs, freqs_notch), "band-pass + notch gain"
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
                         true_s, det_s, f"1 {rec.unit}²/Hz"))
        previous = x
    return out


# ---- the presenter's figure: raw | this step -------------------------------------------------------
def _p_axis(size: int, title: str = "", **extra) -> dict:
    return dict(title=dict(text=title, font=dict(size=size), standoff=6), tickfont=dict(size=size), showline=True,
                linecolor="#444444", linewidth=1, ticks="outside", zeroline=False, gridcolor="#e6e6e6",
                automargin=False, ticklabeloverflow="allow", **extra)


def _p_title(text: str, x: float, size: int) -> dict:
    return dict(text=f"<b>{text}</b>", x=x, y=1.0, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                showarrow=False, font=dict(size=size))


def _f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def presenter_spec(raw: Panel, step: Panel, *, number: int, height_px: int = 540,
                   font_px: int = PRESENTER_FONT_PX) -> dict:
    """One step for a projector (dict): raw left, this step right; traces above, spectra below.

    Both spectra share one dB scale (the same reference, ``raw.db_ref``, and the same range:
    from the lower of the two floors to the higher peak), so a step that removes power shows
    as a lower curve, not as a relabelled axis. For the raw step itself: its trace and its
    spectrum side by side, full height.
    """
    traces, layout = [], {}
    width = 2.5
    db_lo = float(min(np.min(raw.db), np.min(step.db)))
    db_hi = float(max(np.max(raw.db), np.max(step.db)))
    db_range = [db_lo - 2.0, db_hi + 3.0]
    db_title = f"dB re {raw.db_ref}"
    cells = ([(raw, "Raw", (0.0, 0.55), (0.70, 0.98), True)] if step is raw
             else [(raw, "Raw", (0.0, 0.44), (0.0, 0.44), False),
                   (step, f"{number}. {step.title}", (0.57, 0.97), (0.57, 0.97), False)])
    notes = []
    for col, (p, label, x_dom, x_dom_spec, side_by_side) in enumerate(cells):
        xt, yt, xs, ys = (f"x{2 * col + 1 if col else ''}", f"y{2 * col + 1 if col else ''}",
                          f"x{2 * col + 2}", f"y{2 * col + 2}")
        t_dom, s_dom = ((0.0, 1.0), (0.0, 1.0)) if side_by_side else ((0.58, 1.0), (0.0, 0.42))
        traces.append(dict(type="scatter", mode="lines", x=_f32(p.t), y=_f32(p.y), xaxis=xt, yaxis=yt, name=p.title,
                           line=dict(color=_BLUE, width=width), meta=dict(unit=p.y_unit),
                           hovertemplate="%{x:.3f} s<br>%{y:.4g} " + p.y_unit + "<extra></extra>"))
        traces.append(dict(type="scatter", mode="lines", x=_f32(p.f), y=_f32(p.db), xaxis=xs, yaxis=ys,
                           name=p.title + " spectrum", line=dict(color=_BLUE, width=width), meta=dict(unit="dB"),
                           hovertemplate="%{x:.0f} Hz<br>%{y:.1f} dB<extra></extra>"))
        layout["xaxis" + xt[1:]] = _p_axis(font_px, "time (s)", domain=list(x_dom), anchor=yt, nticks=6,
                                           **({"matches": "x"} if col else {}))
        layout["yaxis" + yt[1:]] = _p_axis(font_px, p.y_unit, domain=list(t_dom), anchor=xt, nticks=4)
        layout["xaxis" + xs[1:]] = _p_axis(font_px, "frequency (Hz)", domain=list(x_dom_spec), anchor=ys,
                                           range=[0, p.f_max], nticks=4, showgrid=False)
        layout["yaxis" + ys[1:]] = _p_axis(font_px, db_title if col == 0 else "", domain=list(s_dom), anchor=xs,
                                           range=db_range, nticks=5)
        if p.response is not None:
            f, gain = p.response
            yg = f"y{5 + col}"
            traces.append(dict(type="scatter", mode="lines", x=_f32(f), y=_f32(gain), xaxis=xs, yaxis=yg,
                               name=p.response_name, line=dict(color=_ORANGE, width=width + 1),
                               meta=dict(unit=""),
                               hovertemplate="%{x:.0f} Hz<br>gain %{y:.2f}<extra>" + p.response_name + "</extra>"))
            layout["yaxis" + yg[1:]] = dict(overlaying=ys, side="right", anchor=xs, range=[0, 1.05], tickvals=[0, 1],
                                            showgrid=False, zeroline=False, automargin=False, title=dict(text=""),
                                            ticklabeloverflow="allow",
                                            tickfont=dict(size=font_px, color=_ORANGE))
        notes.append(_p_title(label, x_dom[0], font_px))
        if side_by_side:
            notes.append(_p_title("spectrum", x_dom_spec[0], font_px))
        for times, colour, dash in ((p.true_onsets_s, OKABE_ITO["green"], "dash"),
                                    (p.detected_onsets_s, OKABE_ITO["vermillion"], "dot")):
            if times:
                traces.append(dict(type="scatter", mode="lines", x=[v for t in times for v in (t, t, None)],
                                   y=[v for _ in times for v in (0, 1, None)], xaxis=xt, yaxis=f"y{7 + col}",
                                   line=dict(color=colour, dash=dash, width=width), hoverinfo="skip",
                                   name="true onsets" if dash == "dash" else "detected onsets"))
                layout[f"yaxis{7 + col}"] = dict(overlaying=yt, range=[0, 1], visible=False, fixedrange=True)
    if len(cells) == 2:
        layout["yaxis4"]["matches"] = "y2"          # one dB scale for raw and this step
        if raw.f_max == step.f_max:                 # the same frequency range: zoom one spectrum, both follow
            layout["xaxis4"]["matches"] = "x2"
    layout.update(template="none", height=height_px, paper_bgcolor="white", plot_bgcolor="white",
                  font=dict(size=font_px, color="#111111"),
                  margin=dict(l=110, r=50, t=44, b=78, autoexpand=False), showlegend=False, annotations=notes,
                  hovermode="closest")
    return {"data": traces, "layout": layout}


def presenter_figure(raw: Panel, step: Panel, *, number: int, **kw) -> go.Figure:
    """:func:`presenter_spec` as a validated ``go.Figure`` (the app sends the dict)."""
    return go.Figure(presenter_spec(raw, step, number=number, **kw))
