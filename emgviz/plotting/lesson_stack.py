"""The Teach lesson's figure: every step in one light figure, its rows stacked on shared axes.

A browser's Plotly spends a redraw mostly per subplot (axes, ticks, labels, margins), not per
point: the six steps as twelve subplots and six gain axes cost ~250 ms of the browser's CPU
per draw, the same rows stacked on three subplots ~80 ms. So each step is a *row*: a band of
one shared y axis (its time trace, left) and of one shared spectrum axis (right). A row's
trace is scaled into its band and the axis' tick labels give that row's own values and unit
("0.5 mV", "−100 dB"), so every row still reads in its own units; the time axis is one axis,
so zooming in time zooms every step. Rows whose spectra end at another frequency (the
envelope, drawn to 50 Hz) get a spectrum axis of their own.

The figure is built as a plain dict (no per-property validation); :class:`PrebuiltFigure`
hands it to Streamlit as it is. Never imports streamlit.
"""

from __future__ import annotations

import base64
import math
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from .style import OKABE_ITO

__all__ = ["lesson_spec", "lesson_figure", "nice_ticks", "PrebuiltFigure", "row_layout", "encode_arrays"]

_BLUE, _ORANGE = OKABE_ITO["blue"], OKABE_ITO["orange"]
_GRID = "#e3e3e3"
#: Horizontal split of the figure (paper fractions): time traces | spectra.
TIME_DOMAIN, SPECTRUM_DOMAIN = (0.0, 0.565), (0.665, 0.965)


#: NumPy dtypes plotly.js reads as typed arrays (``{"dtype", "bdata"}``), by their NumPy kind and size.
_TYPED = {"f4", "f8", "i1", "u1", "i2", "u2", "i4", "u4"}


def encode_arrays(obj):
    """``obj`` with every 1-D numeric NumPy array as plotly.js' typed-array form (base64 bytes).

    The form Plotly itself sends (``{"dtype": "f4", "bdata": "..."}``): a float32 array costs
    4 bytes a value (×4/3 for base64) instead of ~19 characters of decimal text, and the
    browser reads it without parsing numbers. Other values are returned as they are.

    Examples
    --------
    >>> encode_arrays({"y": np.array([1.0, 2.0], dtype=np.float32)})
    {'y': {'dtype': 'f4', 'bdata': 'AACAPwAAAEA='}}
    """
    if isinstance(obj, dict):
        return {k: encode_arrays(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [encode_arrays(v) for v in obj]
    if isinstance(obj, np.ndarray) and obj.ndim == 1:
        code = obj.dtype.str.lstrip("<|=")
        if code in _TYPED and obj.dtype.byteorder in "<|=":
            return {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(obj).tobytes()).decode("ascii")}
        return obj.tolist()
    return obj


class PrebuiltFigure(go.Figure):
    """A Plotly figure whose dict is already built: ``to_dict()`` returns it as it is.

    ``st.plotly_chart`` takes a Figure's ``to_dict()`` as valid; building the same figure
    through ``go.Figure(dict)`` validates and copies every property (~0.1 s for the lesson).
    The arrays are encoded once, here (:func:`encode_arrays`). The dict is shared, never
    copied: treat it as read-only.
    """

    def __init__(self, spec: dict):
        super().__init__()
        self._prebuilt = encode_arrays(spec)

    def to_dict(self) -> dict:  # noqa: D102 - see the class
        return self._prebuilt

    def to_plotly_json(self) -> dict:  # noqa: D102
        return self._prebuilt

    @property
    def spec(self) -> dict:
        """The figure's dict (``{"data": [...], "layout": {...}}``)."""
        return self._prebuilt


def nice_ticks(lo: float, hi: float, n: int = 3) -> np.ndarray:
    """About ``n`` round tick values (1, 2 or 5 × 10^k apart) from ``lo`` to ``hi``, at least one.

    Examples
    --------
    >>> nice_ticks(-1.04, 0.93).tolist()
    [-1.0, -0.5, 0.0, 0.5]
    >>> nice_ticks(-131.0, -92.0).tolist()
    [-130.0, -120.0, -110.0, -100.0]
    """
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return np.array([lo if math.isfinite(lo) else 0.0])
    best = None
    mag = 10.0 ** math.floor(math.log10((hi - lo) / max(n, 1)))
    for m in (0.5, 1, 2, 5, 10, 20):
        step = m * mag
        first = math.ceil(lo / step - 1e-9) * step
        ticks = np.arange(first, hi + step * 1e-9, step)
        score = abs(ticks.size - n) + (10 if ticks.size < 2 else 0)
        if best is None or score < best[0]:
            best = (score, ticks)
    ticks = np.round(best[1], 12) + 0.0  # no "-0"
    return ticks


def _label(v: float, unit: str = "") -> str:
    text = f"{v:.3g}".replace("-", "−")
    return f"{text} {unit}" if unit else text


def row_layout(kinds_fmax: Sequence[float], *, row_px: int, title_px: int, run_gap_px: int):
    """Where each row's band lies, in px from the plot area's bottom, and the spectrum runs.

    Rows follow each other from the top: a title strip of ``title_px`` then a band of
    ``row_px``; a row whose spectrum ends at another frequency than the row above it starts a
    new *run* (its own spectrum axis), with ``run_gap_px`` more space for the run above's
    frequency labels.

    Returns
    -------
    bands : list of (y0, y1)
        Each row's band (px), top row first.
    runs : list of list of int
        Row indices of each run of equal spectrum range, top first.
    height : float
        The plot area's height in px.
    """
    runs: list[list[int]] = []
    tops, y = [], 0.0
    for i, f_max in enumerate(kinds_fmax):
        if i and f_max != kinds_fmax[i - 1]:
            y += run_gap_px
            runs.append([i])
        elif i:
            runs[-1].append(i)
        else:
            runs.append([0])
        y += title_px
        tops.append(y)
        y += row_px
    height = y
    bands = [(height - top - row_px, height - top) for top in tops]
    return bands, runs, height


def _scaled(values: np.ndarray, lo: float, hi: float, y0: float, y1: float) -> np.ndarray:
    """``values`` from [lo, hi] into the band [y0, y1] (float32: half the bytes to send)."""
    span = (hi - lo) or 1.0
    return (y0 + (np.asarray(values, dtype=np.float64) - lo) / span * (y1 - y0)).astype(np.float32)


def _band_ticks(lo: float, hi: float, y0: float, y1: float, unit: str):
    """Tick positions (px) and texts of one row: round values of the row inside its band."""
    ticks = nice_ticks(lo, hi)
    ticks = ticks[(ticks >= lo) & (ticks <= hi)] if ticks.size > 1 else ticks
    pos = _scaled(ticks, lo, hi, y0, y1).astype(float).tolist()
    texts = [_label(v, unit if k == len(ticks) - 1 else "") for k, v in enumerate(ticks)]
    return pos, texts


def _padded(values) -> tuple[float, float]:
    """The range of ``values`` with 4 % room above and below (the line never touches its band's edge)."""
    lo, hi = float(np.min(values)), float(np.max(values))
    pad = 0.04 * ((hi - lo) or abs(hi) or 1.0)
    return lo - pad, hi + pad


def _axis(size: int, **extra) -> dict:
    # "allow": Plotly would otherwise measure every tick label against the figure's edge on each draw
    out = dict(tickfont=dict(size=size), title=dict(text="", font=dict(size=size)), showline=False, zeroline=False,
               gridcolor=_GRID, ticks="", automargin=False, ticklabeloverflow="allow")
    out.update(extra)
    return out


def _annotation(text: str, x: float, y: float, size: int) -> dict:
    return dict(text=text, x=x, y=y, xref="paper", yref="y", xanchor="left", yanchor="bottom",
                showarrow=False, font=dict(size=size))


def lesson_spec(panels: Sequence, *, row_px: int = 118, title_px: int = 28, run_gap_px: int = 30,
                font_px: int = 13) -> dict:
    """Every step as a row of one figure (dict): time trace left, spectrum right, titles above.

    Parameters
    ----------
    panels : sequence of Panel
        :func:`emgviz.plotting.lesson.step_panels`, top row first.
    row_px, title_px, run_gap_px : int
        Height in px of a row's band, of its title strip, and the extra space above a
        row that starts a new spectrum axis.
    font_px : int, default=13
        Font size of ticks and labels (titles 2 px larger).

    Returns
    -------
    dict
        ``{"data": [...], "layout": {...}}``, arrays as NumPy (float32) arrays. Traces, in
        order: each row's time trace then its spectrum, then each filter row's gain, then
        the onset markers (true, then detected) on the envelope row.
    """
    n = len(panels)
    if not n:
        raise ValueError("panels is empty; pass step_panels(...)")
    bands, runs, height = row_layout([p.f_max for p in panels], row_px=row_px, title_px=title_px,
                                     run_gap_px=run_gap_px)
    top_m, bottom_m = 4, 46
    data, gains, onsets, notes = [], [], [], []
    layout: dict = {}
    ticks_t: tuple[list, list] = ([], [])
    run_of = {i: k for k, run in enumerate(runs) for i in run}
    run_ticks = [([], []) for _ in runs]
    gain_ticks = [([], []) for _ in runs]
    for i, p in enumerate(panels):
        y0, y1 = bands[i]
        lo, hi = _padded(p.y)
        data.append(dict(type="scatter", mode="lines", x=np.asarray(p.t, dtype=np.float32),
                         y=_scaled(p.y, lo, hi, y0, y1), xaxis="x", yaxis="y", name=p.title,
                         meta=dict(band=[y0, y1], values=[lo, hi], unit=p.y_unit),
                         line=dict(color=_BLUE, width=1), hovertemplate="%{x:.3f} s<extra>" + p.title + "</extra>"))
        pos, texts = _band_ticks(lo, hi, y0, y1, p.y_unit)
        ticks_t[0].extend(pos)
        ticks_t[1].extend(texts)
        k = run_of[i]
        xs, ys = ("x2", "y2") if k == 0 else (f"x{2 * k + 1}", f"y{2 * k + 1}")
        dlo, dhi = _padded(p.db)
        data.append(dict(type="scatter", mode="lines", x=np.asarray(p.f, dtype=np.float32),
                         y=_scaled(p.db, dlo, dhi, y0, y1), xaxis=xs, yaxis=ys, name=p.title + " spectrum",
                         customdata=np.asarray(p.db, dtype=np.float32), line=dict(color=_BLUE, width=1),
                         meta=dict(band=[y0, y1], values=[dlo, dhi], unit="dB"),
                         hovertemplate="%{x:.0f} Hz, %{customdata:.1f} dB<extra>" + p.title + "</extra>"))
        pos, texts = _band_ticks(dlo, dhi, y0, y1, "dB")
        run_ticks[k][0].extend(pos)
        run_ticks[k][1].extend(texts)
        if p.response is not None:
            f, gain = p.response
            gains.append(dict(type="scatter", mode="lines", x=np.asarray(f, dtype=np.float32),
                              y=_scaled(gain, 0.0, 1.0, y0, y0 + 0.96 * (y1 - y0)), xaxis=xs,
                              yaxis=f"y{2 * len(runs) + 1 + k}", name=p.response_name,
                              meta=dict(band=[y0, y0 + 0.96 * (y1 - y0)], values=[0.0, 1.0], unit=""),
                              line=dict(color=_ORANGE, width=2), hoverinfo="skip"))
            gain_ticks[k][0].extend([y0, y0 + 0.96 * (y1 - y0)])
            gain_ticks[k][1].extend(["0", "1"])
        for times, colour, dash, name in ((p.true_onsets_s, OKABE_ITO["green"], "dash", "true onsets"),
                                          (p.detected_onsets_s, OKABE_ITO["vermillion"], "dot",
                                           "detected onsets")):
            if times:
                xs_on = [v for t in times for v in (t, t, None)]
                ys_on = [v for _ in times for v in (y0, y1, None)]
                onsets.append(dict(type="scatter", mode="lines", x=xs_on, y=ys_on, xaxis="x", yaxis="y",
                                   name=name, line=dict(color=colour, dash=dash, width=1.5), hoverinfo="skip"))
        notes.append(_annotation(f"<b>{i + 1}. {p.title}</b>", TIME_DOMAIN[0], y1 + 3, font_px + 1))
        gain_note = f" · <span style='color:{_ORANGE}'>{p.response_name}</span>" if p.response else ""
        notes.append(_annotation(f"spectrum{gain_note}", SPECTRUM_DOMAIN[0], y1 + 3, font_px))
    yrange = [0.0, height]
    layout["xaxis"] = _axis(font_px, domain=list(TIME_DOMAIN), anchor="y", nticks=8, showgrid=True,
                            title=dict(text="time (s)", font=dict(size=font_px), standoff=2))
    layout["yaxis"] = _axis(font_px, domain=[0.0, 1.0], anchor="x", range=yrange, fixedrange=True, showgrid=True,
                            tickmode="array", tickvals=ticks_t[0], ticktext=ticks_t[1])
    for k, run in enumerate(runs):
        xs, ys = ("xaxis2", "yaxis2") if k == 0 else (f"xaxis{2 * k + 1}", f"yaxis{2 * k + 1}")
        a, b = bands[run[-1]][0], bands[run[0]][1]
        domain = [a / height, b / height]
        f_max = panels[run[0]].f_max
        last = run[-1] == n - 1
        layout[xs] = _axis(font_px, domain=list(SPECTRUM_DOMAIN), anchor=ys.replace("axis", ""), range=[0, f_max],
                           nticks=5, showgrid=True,
                           title=dict(text="frequency (Hz)" if last else "", font=dict(size=font_px), standoff=2))
        layout[ys] = _axis(font_px, domain=domain, anchor=xs.replace("axis", ""), range=[a, b], fixedrange=True,
                           showgrid=True, tickmode="array", tickvals=run_ticks[k][0], ticktext=run_ticks[k][1])
        if gain_ticks[k][0]:
            layout[f"yaxis{2 * len(runs) + 1 + k}"] = dict(
                overlaying=ys.replace("axis", ""), side="right", anchor=xs.replace("axis", ""), range=[a, b],
                fixedrange=True, showgrid=False, zeroline=False, automargin=False, ticklabeloverflow="allow",
                tickmode="array",
                tickvals=gain_ticks[k][0], ticktext=gain_ticks[k][1], tickfont=dict(size=font_px, color=_ORANGE))
    layout.update(template="none", height=int(height + top_m + bottom_m), paper_bgcolor="white",
                  plot_bgcolor="white", font=dict(size=font_px, color="#111111"),
                  margin=dict(l=72, r=30, t=top_m, b=bottom_m, autoexpand=False), showlegend=False,
                  annotations=notes, hovermode="closest")
    return {"data": data + gains + onsets, "layout": layout}


def lesson_figure(panels: Sequence, **kw) -> go.Figure:
    """:func:`lesson_spec` as a validated ``go.Figure`` (for scripts and tests; the app sends the dict)."""
    return go.Figure(lesson_spec(panels, **kw))
