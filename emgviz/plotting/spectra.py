"""Spectrum (Welch PSD) and spectrogram figures of one channel, e.g. the visible page."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from scipy import signal

from .._checks import check_fs, check_positive
from ..spectral import segment_samples, welch_psd
from .style import ENVELOPE_COLOR, TRACE_COLOR
from .units import display_scale

__all__ = ["psd_figure", "spectrogram_figure", "power_unit", "power_db", "filter_response"]

_MAX_COLUMNS = 600   # spectrogram time columns sent to the browser (more are averaged in groups)


def power_unit(unit: str) -> tuple[str, float]:
    """Display unit of a PSD and the factor from stored U²/Hz: ``("µV²/Hz", 1e12)`` for volts."""
    factor, shown = display_scale(unit)
    return f"{shown}²/Hz", factor ** 2


def power_db(p, *, floor_db: float = 120.0, zero_floor: float | None = 1e-30) -> np.ndarray:
    """``10·log10(p)``, floored ``floor_db`` below the peak so empty bins do not reach −∞.

    Parameters
    ----------
    p : array_like
        Powers (any unit).
    floor_db : float, default=120
        How far below the peak the floor lies.
    zero_floor : float or None, default=1e-30
        The floor when every power is 0; None: ``floor_db`` below 1.
    """
    p = np.asarray(p, dtype=np.float64)
    top = float(np.max(p)) if p.size else 0.0
    if top > 0:
        floor = top * 10 ** (-floor_db / 10)
    else:
        floor = 10 ** (-floor_db / 10) if zero_floor is None else zero_floor
    return 10 * np.log10(np.maximum(p, floor))


def filter_response(settings, fs: float, n_points: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """The processing filters' gain on ``n_points`` frequencies from 0 to ``fs / 2``.

    Returns ``(freqs_hz, gain)`` as :func:`psd_figure` takes it
    (:func:`emgviz.pipeline.frequency_response` of ``settings``).
    """
    from ..pipeline import frequency_response

    freqs = np.linspace(0.0, fs / 2, int(n_points))
    return freqs, frequency_response(settings, fs, freqs)


def _as_signal(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"pass one channel (a 1-D signal), got shape {x.shape}")
    if x.size < 2:
        raise ValueError(f"a spectrum needs at least 2 samples, got {x.size}")
    return x


def _finish(layout: dict, title: str | None, width_px: int | None) -> dict:
    """The size and title settings both figures share."""
    if width_px:
        layout["width"] = int(width_px)
    if title:
        layout["title"] = dict(text=title, x=0.01, font=dict(size=14))
    return layout


def psd_figure(x, fs, *, unit: str, db: bool = False, segment_s: float = 0.25, response=None,
               settings=None, title: str | None = None, width_px: int | None = None,
               height_px: int = 320) -> go.Figure:
    """Welch power spectral density of one channel, optionally with a filter's response.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel in stored units.
    fs : float
        Sampling rate in Hz.
    unit : str
        The recording's unit: ``"V"`` is shown in µV²/Hz, others as ``unit²/Hz``.
    db : bool, default=False
        Show ``10·log10(PSD)`` in dB (re 1 µV²/Hz for volts) instead of a linear axis.
    segment_s : float, default=0.25
        Welch segment length in s (resolution ``1 / segment_s`` Hz); a shorter signal
        is one segment.
    response : (freqs_hz, magnitude), default=None
        A frequency response (linear gain, 0–1, e.g. :func:`emgviz.pipeline.frequency_response`)
        drawn on a second y-axis (in dB when ``db``).
    settings : Settings, default=None
        Processing settings whose filters' response to draw (:func:`filter_response` at
        ``fs``), when ``response`` is not given.
    title : str, default=None
        Figure title.
    width_px, height_px : int
        Figure size in px (``width_px=None`` = container width).

    Returns
    -------
    plotly.graph_objects.Figure
        ``data[0]`` is the PSD (x in Hz); ``data[1]``, when given, the response on ``y2``.

    Examples
    --------
    >>> t = np.arange(4000) / 2000.0
    >>> fig = psd_figure(1e-4 * np.sin(2 * np.pi * 100 * t), 2000, unit="V")
    >>> float(fig.data[0].x[np.argmax(fig.data[0].y)]), fig.layout.yaxis.title.text
    (100.0, 'PSD (µV²/Hz)')
    """
    x = _as_signal(x)
    fs = check_fs(fs)
    check_positive(segment_s, "segment_s", "s")
    if response is None and settings is not None:
        response = filter_response(settings, fs)
    f, p = welch_psd(x, fs, segment_s=segment_s)
    label, factor = power_unit(unit)
    p = p * factor
    y = power_db(p) if db else p
    ylab = f"PSD (dB re 1 {label})" if db else f"PSD ({label})"
    traces = [go.Scatter(x=f, y=y, mode="lines", name="PSD", line=dict(color=TRACE_COLOR, width=1.2),
                         hovertemplate="%{x:.1f} Hz: %{y:.3g}<extra></extra>")]
    layout = dict(
        template="simple_white", height=int(height_px), margin=dict(l=70, r=70, t=40 if title else 20, b=45),
        xaxis=dict(title=dict(text="Frequency (Hz)"), range=[0, fs / 2], showgrid=True, gridcolor="#e8e8e8"),
        yaxis=dict(title=dict(text=ylab), showgrid=True, gridcolor="#e8e8e8",
                   rangemode="normal" if db else "tozero"),
        showlegend=response is not None, legend=dict(orientation="h", x=1, xanchor="right", y=1.02,
                                                     yanchor="bottom"),
        meta=dict(segment_s=float(segment_s), n_samples=int(x.size), unit=label, db=bool(db)),
    )
    _finish(layout, title, width_px)
    if response is not None:
        rf, mag = (np.asarray(a, dtype=np.float64) for a in response)
        if rf.shape != mag.shape or rf.ndim != 1:
            raise ValueError(f"response must be (freqs_hz, magnitude) of equal 1-D shapes, got {rf.shape} "
                             f"and {mag.shape}")
        if db:
            ry = 20 * np.log10(np.maximum(np.abs(mag), 1e-6))
            yt, rng = "Filter gain (dB)", [-60, 5]
        else:
            ry, yt, rng = np.abs(mag), "Filter gain", [0, 1.05]
        traces.append(go.Scatter(x=rf, y=ry, mode="lines", name="filter response", yaxis="y2",
                                 line=dict(color=ENVELOPE_COLOR, width=1.2, dash="dash"),
                                 hovertemplate="%{x:.1f} Hz: gain %{y:.3g}<extra></extra>"))
        layout["yaxis2"] = dict(title=dict(text=yt), overlaying="y", side="right", range=rng, showgrid=False,
                                dtick=10 if db else 0.2)
    return go.Figure(data=traces, layout=layout)


def spectrogram_figure(x, fs, *, t0_s: float, window_s: float = 0.25, overlap: float = 0.5, unit: str,
                       title: str | None = None, width_px: int | None = None,
                       height_px: int = 320) -> go.Figure:
    """Short-time power spectrum of one channel as a heat map in dB.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel in stored units.
    fs : float
        Sampling rate in Hz.
    t0_s : float
        Time of ``x[0]`` in s (the page start), so the x-axis matches the browser.
    window_s : float, default=0.25
        Hann window length in s (frequency resolution ``1 / window_s`` Hz); shortened to
        the signal's length.
    overlap : float, default=0.5
        Overlap of successive windows, 0 <= overlap < 1.
    unit : str
        The recording's unit (``"V"`` → dB re 1 µV²/Hz).
    title : str, default=None
        Figure title.
    width_px, height_px : int
        Figure size in px.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap``: x = window centres (s), y = frequency (Hz), z = PSD in dB.
        Over 600 windows are averaged in groups so the figure stays small.
    """
    x = _as_signal(x)
    fs = check_fs(fs)
    overlap = float(overlap)
    if not 0.0 <= overlap < 1.0:
        raise ValueError(f"overlap must be a fraction from 0 to below 1, got {overlap!r}")
    nperseg = segment_samples(fs, window_s, x.size)
    noverlap = min(int(overlap * nperseg), nperseg - 1)
    f, t, sxx = signal.spectrogram(x, fs=fs, window="hann", nperseg=nperseg, noverlap=noverlap,
                                   detrend="constant", scaling="density", mode="psd")
    if sxx.shape[1] > _MAX_COLUMNS:
        group = math.ceil(sxx.shape[1] / _MAX_COLUMNS)
        m = sxx.shape[1] // group
        sxx = sxx[:, :m * group].reshape(sxx.shape[0], m, group).mean(axis=2)
        t = t[:m * group].reshape(m, group).mean(axis=1)
    label, factor = power_unit(unit)
    z = power_db(sxx * factor).astype(np.float32)
    finite = z[np.isfinite(z)]
    zmax = float(np.percentile(finite, 99.5)) if finite.size else 0.0
    zmin = zmax - 60.0
    heat = go.Heatmap(x=float(t0_s) + t, y=f, z=z, zmin=zmin, zmax=zmax, colorscale="Viridis",
                      colorbar=dict(title=dict(text=f"dB re 1 {label}", side="right"), thickness=12),
                      hovertemplate="%{x:.3f} s, %{y:.0f} Hz: %{z:.1f} dB<extra></extra>")
    layout = dict(
        template="simple_white", height=int(height_px), margin=dict(l=70, r=30, t=40 if title else 20, b=45),
        xaxis=dict(title=dict(text="Time (s)")), yaxis=dict(title=dict(text="Frequency (Hz)"), range=[0, fs / 2]),
        meta=dict(window_s=nperseg / fs, overlap=overlap, unit=label),
    )
    return go.Figure(data=[heat], layout=_finish(layout, title, width_px))
