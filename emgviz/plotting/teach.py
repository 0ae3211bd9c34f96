"""Teaching figures: each pipeline step as a time trace and a spectrum, with the filter drawn over it.

Never imports streamlit. Lecture mode (``large=True``) is for a projector: large fonts,
thick lines, the colour-blind-safe Okabe–Ito palette and few gridlines.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from ..envelopes import ENVELOPE_METHODS
from ..pipeline import Step, effective_band, effective_notch
from ..settings import Settings
from ..spectral import median_frequency, welch_psd
from .decimate import minmax_decimate
from .spectra import filter_response, power_db
from .style import OKABE_ITO
from .units import display_scale, format_volts

__all__ = ["step_figures", "step_kind", "step_caption", "OKABE_ITO", "LECTURE_FONT_PX", "FONT_PX"]

#: Font size in px of the normal and the lecture figures.
FONT_PX, LECTURE_FONT_PX = 12, 22
_LINE_PX, _LECTURE_LINE_PX = 1.0, 3.0
_SPECTRUM_FLOOR_DB = 70.0     # spectra are drawn down to this many dB below their peak
_DISPLAY_POINTS = 3000
_RESPONSE_POINTS = 4001       # fine enough to show each notch's full depth


def step_kind(label: str) -> str:
    """The kind of a :func:`emgviz.pipeline.steps` label (read ``Step.kind`` instead where you have the Step).

    Returns one of ``"raw"``, ``"dc"``, ``"bandpass"``, ``"notch"``, ``"rectified"``,
    ``"envelope"`` (``"other"`` for a label this module does not know).

    Examples
    --------
    >>> step_kind("band-pass 20–450 Hz"), step_kind("envelope RMS 100 ms")
    ('bandpass', 'envelope')
    """
    text = label.strip().lower()
    for prefix, kind in (("raw", "raw"), ("dc", "dc"), ("band-pass", "bandpass"), ("notch", "notch"),
                         ("rectif", "rectified"), ("envelope", "envelope")):
        if text.startswith(prefix):
            return kind
    return "other"


def _power(x) -> float:
    return float(np.mean(np.square(x)))


def _pct_removed(before, after) -> float:
    p0 = _power(before)
    return 0.0 if p0 == 0 else 100.0 * max(0.0, 1.0 - _power(after) / p0)


_fmt_v = format_volts


def step_caption(kind: str, label: str, x: np.ndarray, previous: np.ndarray | None, *, fs: float,
                 settings: Settings, unit: str = "V", psd: tuple[np.ndarray, np.ndarray] | None = None,
                 params=None) -> str:
    """A short plain-language "what you are seeing" for one step, with its numbers.

    Parameters
    ----------
    kind : str
        From :func:`step_kind`.
    label : str
        The step's label.
    x : ndarray, shape (n_samples,)
        The step's signal (one channel).
    previous : ndarray or None
        The previous step's signal (one channel), for "removed N % of the power".
    fs : float
        Sampling rate in Hz.
    settings : Settings
        The pipeline settings.
    unit : str, default="V"
        Unit of ``x``.
    psd : (f, p), default=None
        ``welch_psd(x, fs)`` when already computed (the raw step's caption needs it).
    params : mapping, default=None
        ``Step.params`` of the step; without it the numbers are worked out from ``settings``.

    Returns
    -------
    str

    Examples
    --------
    >>> x = np.sin(np.arange(2000) / 10.0)
    >>> step_caption("rectified", "rectified", np.abs(x), x, fs=1000, settings=Settings())[:22]
    'Full-wave rectified: t'
    """
    if kind == "raw":
        f, p = welch_psd(x, fs) if psd is None else psd
        peak = float(f[1:][np.argmax(p[1:])]) if p.size > 1 else 0.0
        mdf = float(median_frequency(f, p)) if np.any(p > 0) else float("nan")
        return (f"Raw: what the electrodes recorded — the muscle's activity plus everything else (offset, "
                f"drift, movement, hum, heart). Mean {_fmt_v(float(np.mean(x)), unit)}, RMS "
                f"{_fmt_v(float(np.sqrt(_power(x))), unit)}; the spectrum's highest point is at {peak:.0f} Hz "
                f"and half its power lies below {mdf:.0f} Hz. Muscle fills a broad hump from about 20 to "
                f"250 Hz; a sharp spike or a pile-up below 20 Hz is not muscle.")
    if kind == "dc":
        offset = float(np.mean(previous)) if previous is not None else 0.0
        return (f"DC removed: the mean, {_fmt_v(offset, unit)}, is subtracted so the trace is centred on "
                f"zero. Only the 0 Hz bin of the spectrum changes; the shape of the EMG is untouched.")
    if kind == "bandpass":
        pct = _pct_removed(previous, x) if previous is not None else 0.0
        if params and "low_hz" in params:
            lo, hi = params["low_hz"], params["high_hz"]
        else:
            lo, hi, _ = effective_band(settings, fs)
            lo, hi = (settings.low_hz, settings.high_hz) if lo is None else (lo, hi)
        return (f"Band-pass {lo:g}–{hi:g} Hz: movement artefact and drift below {lo:g} Hz and noise above {hi:g} Hz are "
                f"removed; the EMG's power between them is kept. The orange curve is the filter's gain "
                f"(1 = kept, 0 = removed). This step removed {pct:.0f} % of the signal's power.")
    if kind == "notch":
        pct = _pct_removed(previous, x) if previous is not None else 0.0
        freqs = params["freqs_hz"] if params and "freqs_hz" in params else effective_notch(settings, fs)[0]
        listing = ", ".join(f"{v:g}" for v in freqs) or f"{settings.notch_hz:g}"
        return (f"Notch at {listing} Hz: narrow cuts take out mains hum (the power line's {settings.notch_hz:g} Hz "
                f"and its multiples). They also take the EMG's own power at those frequencies, so use "
                f"a notch only when hum is there. This step removed {pct:.0f} % of the power left after "
                f"the band-pass.")
    if kind == "rectified":
        return ("Full-wave rectified: the negative half-waves are flipped up, so the signal's size can be "
                "averaged. The spectrum gains a large part near 0 Hz: that slow part is how strongly the "
                "muscle works, which the envelope keeps.")
    if kind == "envelope":
        name = params["method"] if params and "method" in params else settings.envelope
        method = ENVELOPE_METHODS[name]
        value = params["value"] if params and "value" in params else getattr(settings, method.param)
        how, band = method.caption(value), method.bandwidth_hz(value)
        return (f"Envelope ({how}): a smooth curve of how active the muscle is. The fast wiggles are "
                f"averaged away, so almost all of its spectrum lies below about {band:.0f} Hz (the spectrum "
                f"is drawn up to 50 Hz). Peak {_fmt_v(float(np.max(x)), unit)}.")
    return label


def _layout(*, large: bool, title: str, height: int, x_title: str, y_title: str) -> dict:
    """A complete layout dict (built once: Plotly's per-property updates are slow)."""
    size = LECTURE_FONT_PX if large else FONT_PX
    line = 2 if large else 1
    axis = dict(zeroline=False, ticks="outside", linewidth=line, showline=True, linecolor=OKABE_ITO["black"],
                gridcolor="#dddddd", title=dict(text=""), tickfont=dict(size=size))
    return dict(
        template="none", height=height, paper_bgcolor="white", plot_bgcolor="white",
        font=dict(size=size, color=OKABE_ITO["black"]),
        title=dict(text=title, font=dict(size=size + (4 if large else 2)), x=0.01),
        margin=dict(l=80 if large else 60, r=80 if large else 60, t=55 if large else 40, b=70 if large else 45),
        showlegend=True, legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0,
                                     font=dict(size=size)),
        xaxis={**axis, "showgrid": not large, "title": dict(text=x_title, font=dict(size=size))},
        yaxis={**axis, "showgrid": True, "nticks": 4 if large else 0, "title": dict(text=y_title, font=dict(size=size))},
    )


def _time_figure(t, x, *, unit, title, large) -> go.Figure:
    scale, shown = display_scale(unit, prefix="m")
    td, xd = minmax_decimate(t, np.asarray(x) * scale, n_out=_DISPLAY_POINTS)
    trace = dict(type="scatter", x=td, y=xd, mode="lines", name="signal", showlegend=False,
                 line=dict(color=OKABE_ITO["blue"], width=_LECTURE_LINE_PX if large else _LINE_PX),
                 hovertemplate="%{x:.3f} s<br>%{y:.4g} " + shown + "<extra></extra>")
    layout = _layout(large=large, title=title, height=380 if large else 260, x_title="time (s)", y_title=shown)
    return go.Figure(data=[trace], layout=layout)


def _spectrum_figure(f, p, *, fs, unit, title, large, response=None, response_name="", f_max=None) -> go.Figure:
    db = power_db(p, floor_db=_SPECTRUM_FLOOR_DB, zero_floor=None)
    width = _LECTURE_LINE_PX if large else _LINE_PX
    size = LECTURE_FONT_PX if large else FONT_PX
    traces = [dict(type="scatter", x=f, y=db, mode="lines", name="spectrum",
                   line=dict(color=OKABE_ITO["blue"], width=width),
                   hovertemplate="%{x:.0f} Hz<br>%{y:.1f} dB re 1 " + unit + "²/Hz<extra></extra>")]
    layout = _layout(large=large, title=title, height=380 if large else 260, x_title="frequency (Hz)",
                     y_title="power (dB)")
    layout["xaxis"]["range"] = [0, f_max if f_max else fs / 2]
    if response is not None:
        f_fine, gain = response
        traces.append(dict(type="scatter", x=f_fine, y=gain, mode="lines", name=response_name,
                           yaxis="y2",
                           line=dict(color=OKABE_ITO["orange"], width=width + 1),
                           hovertemplate="%{x:.0f} Hz<br>gain %{y:.2f}<extra></extra>"))
        layout["yaxis2"] = dict(title=dict(text="filter gain", font=dict(size=size)), overlaying="y", side="right",
                                range=[0, 1.05], showgrid=False, tickvals=[0, 0.5, 1], zeroline=False,
                                tickfont=dict(size=size, color=OKABE_ITO["vermillion"]),
                                linecolor=OKABE_ITO["black"], showline=True, linewidth=2 if large else 1)
    return go.Figure(data=traces, layout=layout)


def _onset_lines(fig: go.Figure, times, *, color: str, dash: str, width: float) -> None:
    shapes = list(fig.layout.shapes or ())
    shapes += [dict(type="line", xref="x", yref="paper", x0=float(t), x1=float(t), y0=0, y1=1,
                    line=dict(color=color, dash=dash, width=width)) for t in times]
    fig.layout.shapes = shapes


def _as_step(step) -> Step:
    """A :class:`~emgviz.pipeline.Step`; a former ``(label, recording)`` pair gets its kind from the label."""
    if isinstance(step, Step):
        return step
    label, rec = step
    kind = step_kind(label)
    if kind == "other":
        raise ValueError(f"unknown step {label!r}: pass the Steps of emgviz.pipeline.steps(rec, settings)")
    return Step(kind, label, rec)


def step_figures(steps: Sequence[Step], *, fs: float, settings: Settings, channel: int = 0,
                 large: bool = False, true_onsets_s=None,
                 detected_onsets_s=None) -> list[tuple[str, go.Figure, go.Figure, str]]:
    """For each pipeline step: its time trace, its spectrum (with the filter's response) and a caption.

    Parameters
    ----------
    steps : sequence of Step
        As :func:`emgviz.pipeline.steps` returns them (the figures read ``Step.kind`` and
        ``Step.params``; former ``(label, Recording)`` pairs are still accepted).
    fs : float
        Sampling rate in Hz (of every step).
    settings : Settings
        The settings the steps were made with; the filter responses are drawn from them.
    channel : int, default=0
        Which channel to draw.
    large : bool, default=False
        Lecture mode: fonts of 22 px, 3 px lines, no vertical gridlines, 4 horizontal ones.
    true_onsets_s, detected_onsets_s : sequence of float, default=None
        Onset times in s marked on the envelope's time trace: true ones as green dashed
        lines, detected ones as vermillion dotted lines (the caption says so).

    Returns
    -------
    list of (label, time_fig, spectrum_fig, caption)
        ``label`` with a capital first letter; the band-pass step's spectrum carries the
        band-pass gain |H(f)|² (zero-phase), the notch step's the band-pass and notch
        together (what that step applied to the DC-removed signal).

    Examples
    --------
    >>> from emgviz.simulate import simulate
    >>> from emgviz.pipeline import steps
    >>> rec = simulate(duration_s=2).recording
    >>> figs = step_figures(steps(rec, Settings()), fs=rec.fs, settings=Settings())
    >>> [label for label, *_ in figs]
    ['Raw', 'DC removed', 'Band-pass 20–450 Hz', 'Rectified', 'Envelope RMS 100 ms']
    """
    if not steps:
        raise ValueError("steps is empty; pass emgviz.pipeline.steps(rec, settings)")
    steps = [_as_step(s) for s in steps]
    out = []
    previous = None
    for step in steps:
        kind, label, rec = step.kind, step.label, step.recording
        n_ch = rec.n_channels
        if not -n_ch <= int(channel) < n_ch:
            raise ValueError(f"channel {channel} out of range: the recording has {n_ch} channels")
        x = rec.data[int(channel)]
        title = label[:1].upper() + label[1:]
        response, name, f_max = None, "", None
        if kind == "bandpass":
            response, name = filter_response(settings.replace(notch_hz=None), fs, _RESPONSE_POINTS), "band-pass gain"
        elif kind == "notch":
            response, name = filter_response(settings, fs, _RESPONSE_POINTS), "band-pass + notch gain"
        elif kind == "envelope":
            f_max = min(50.0, fs / 2)
        time_fig = _time_figure(rec.times, x, unit=rec.unit, title=title, large=large)
        psd = welch_psd(x, fs)
        spec_fig = _spectrum_figure(*psd, fs=fs, unit=rec.unit, title=f"{title}: spectrum", large=large,
                                    response=response, response_name=name, f_max=f_max)
        prev_for_caption = previous
        if kind == "notch":  # the notch step is band-pass + notch of the DC-removed signal
            prev_for_caption = next((s.recording.data[int(channel)] for s in steps if s.kind == "bandpass"),
                                    previous)
        caption = step_caption(kind, label, x, prev_for_caption, fs=fs, settings=settings, unit=rec.unit, psd=psd,
                               params=step.params)
        if kind == "envelope" and (true_onsets_s is not None or detected_onsets_s is not None):
            w = _LECTURE_LINE_PX if large else 1.5
            notes = []
            if true_onsets_s is not None:
                _onset_lines(time_fig, true_onsets_s, color=OKABE_ITO["green"], dash="dash", width=w)
                notes.append("green dashed lines: true onsets")
            if detected_onsets_s is not None:
                _onset_lines(time_fig, detected_onsets_s, color=OKABE_ITO["vermillion"], dash="dot", width=w)
                notes.append("vermillion dotted lines: detected onsets")
            caption += " On the trace, " + "; ".join(notes) + "."
        out.append((title, time_fig, spec_fig, caption))
        previous = x
    return out
