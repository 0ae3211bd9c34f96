"""Clinical sweep display of needle EMG: fixed ms/div and µV/div, clip marks, raster, triggered sweeps.

Pure NumPy helpers (clipping, raster rows, trigger detection, cursor readout) and Plotly figures
built from them, without Streamlit. Amplitudes are in µV (convert with :func:`to_microvolts`),
times within a sweep in ms, as on a clinical EMG machine (10 horizontal divisions per sweep).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .decimate import minmax_decimate
from .style import TRACE_COLOR

__all__ = ["TIME_BASES_MS", "SENSITIVITIES_UV", "H_DIVISIONS", "CLIP_DIVISIONS", "to_microvolts",
           "format_sensitivity", "default_sensitivity", "clip_trace", "raster_rows", "find_triggers",
           "triggered_sweeps", "cursor_readout", "sweep_figure", "raster_figure", "triggered_figure", "MAX_POINTS", "CURSOR_COLOURS"]

#: Clinical time bases, ms per division.
TIME_BASES_MS = (5.0, 10.0, 20.0, 50.0, 100.0, 200.0)
#: Clinical sensitivities, µV per division (20 µV … 5 mV).
SENSITIVITIES_UV = (20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0)
#: Divisions across one sweep.
H_DIVISIONS = 10
#: A trace is drawn within ±CLIP_DIVISIONS divisions of its baseline; beyond, it is clipped and marked.
CLIP_DIVISIONS = 4
CLIP_COLOUR = "#D55E00"
#: Cursor 1 and cursor 2 line colours (Okabe–Ito blue and green).
CURSOR_COLOURS = ("#0072B2", "#009E73")
#: Most points drawn per trace: min–max pairs for a ~1400-px-wide chart, so a 2 s sweep at 50 kHz
#: (100,000 samples) sends 2,800 points and keeps every spike's extent (plotly-resampler's idea).
MAX_POINTS = 2800
_TO_UV = {"V": 1e6, "mV": 1e3, "µV": 1.0, "uV": 1.0}


def to_microvolts(x, unit: str) -> tuple[np.ndarray, str]:
    """Samples in µV for a volt-type ``unit`` (``"V"``, ``"mV"``, ``"µV"``); other units unchanged.

    Returns the scaled float array (a new array; the input is never modified) and the unit shown
    (``"µV"``, or ``unit`` itself for e.g. ``"a.u."``, whose "µV/div" then means unit/div).
    """
    factor = _TO_UV.get(str(unit))
    x = np.asarray(x, dtype=float)
    return (x * factor, "µV") if factor is not None else (x.copy(), str(unit))


def format_sensitivity(uv_per_div: float, unit: str = "µV") -> str:
    """``"200 µV/div"``, ``"1 mV/div"`` (µV values of 1000 and above shown in mV)."""
    if unit == "µV" and uv_per_div >= 1000:
        return f"{uv_per_div / 1000:g} mV/div"
    return f"{uv_per_div:g} {unit}/div"


def default_sensitivity(x_uv, *, divisions: float = CLIP_DIVISIONS, quantile: float = 0.999) -> float:
    """The smallest clinical sensitivity at which the ``quantile`` of |x| fits within ``divisions``.

    Falls back to the largest step (5 mV/div) when nothing fits, the smallest for a flat signal.
    """
    x = np.abs(np.asarray(x_uv, dtype=float))
    x = x[np.isfinite(x)]
    peak = float(np.quantile(x, quantile)) if x.size else 0.0
    for s in SENSITIVITIES_UV:
        if peak <= s * divisions:
            return s
    return SENSITIVITIES_UV[-1]


def clip_trace(y, limit) -> tuple[np.ndarray, np.ndarray]:
    """``y`` limited to ±``limit`` and the boolean mask of the samples that were beyond it.

    The input is not modified. ``limit`` must be positive.
    """
    if not limit > 0:
        raise ValueError(f"limit must be > 0, got {limit!r}")
    y = np.asarray(y, dtype=float)
    mask = np.abs(y) > limit
    return np.clip(y, -limit, limit), mask


def raster_rows(x, *, start: int, sweep_samples: int, n_sweeps: int) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive sweeps of ``x`` from sample ``start``: (rows ``(k, sweep_samples)``, start samples).

    Only complete sweeps inside ``x`` are returned (``k <= n_sweeps``); row ``i`` is
    ``x[start + i*sweep_samples : start + (i+1)*sweep_samples]``.
    """
    x = np.asarray(x)
    if sweep_samples < 1 or n_sweeps < 1:
        raise ValueError(f"sweep_samples and n_sweeps must be ≥ 1, got {sweep_samples}, {n_sweeps}")
    start = max(int(start), 0)
    k = int(min(n_sweeps, max(0, (x.size - start) // sweep_samples)))
    starts = start + np.arange(k) * sweep_samples
    rows = x[start:start + k * sweep_samples].reshape(k, sweep_samples)
    return rows, starts


def find_triggers(x, fs: float, level: float, *, dead_time_ms: float) -> np.ndarray:
    """Sample indices where ``x`` crosses the trigger ``level``, at most one per dead time.

    A positive ``level`` triggers on a rising crossing (``x[i-1] < level <= x[i]``), a negative one
    on a falling crossing (``x[i-1] > level >= x[i]``), as the amplitude trigger of a clinical EMG
    machine. After a trigger the detector is blind for ``dead_time_ms`` (it re-arms after the
    sweep), so one multi-phasic potential triggers once.

    Parameters
    ----------
    x : array, 1-D
        The signal, in the unit of ``level`` (µV on screen).
    fs : float
        Sampling rate in Hz.
    level : float
        Trigger level, non-zero; its sign chooses rising (+) or falling (−).
    dead_time_ms : float
        Minimum time between two triggers, ms (≥ 0).

    Returns
    -------
    ndarray of int
        Increasing sample indices (the first sample at or beyond the level).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {x.shape}")
    if not fs > 0:
        raise ValueError(f"fs must be > 0 Hz, got {fs!r}")
    if level == 0 or not np.isfinite(level):
        raise ValueError(f"the trigger level must be a non-zero number (sign = rising/falling), got {level!r}")
    if dead_time_ms < 0:
        raise ValueError(f"dead_time_ms must be ≥ 0, got {dead_time_ms!r}")
    if level > 0:
        cross = np.flatnonzero((x[:-1] < level) & (x[1:] >= level)) + 1
    else:
        cross = np.flatnonzero((x[:-1] > level) & (x[1:] <= level)) + 1
    dead = int(round(dead_time_ms * fs / 1000.0))
    kept, last = [], None
    for i in cross:
        if last is None or i - last >= max(dead, 1):
            kept.append(i)
            last = i
    return np.asarray(kept, dtype=int)


def triggered_sweeps(x, triggers, *, pre_samples: int, sweep_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Sweeps ``x[t - pre : t - pre + sweep]`` around each trigger that fits: (rows, triggers kept)."""
    x = np.asarray(x)
    triggers = np.asarray(triggers, dtype=int)
    ok = (triggers - pre_samples >= 0) & (triggers - pre_samples + sweep_samples <= x.size)
    kept = triggers[ok]
    if not kept.size:
        return np.empty((0, sweep_samples), dtype=float), kept
    idx = (kept - pre_samples)[:, None] + np.arange(sweep_samples)[None, :]
    return x[idx], kept


def cursor_readout(y, fs: float, t1_ms: float, t2_ms: float, *, t0_ms: float = 0.0) -> dict:
    """Values at two cursors on a sweep ``y`` whose first sample is at ``t0_ms``.

    Each cursor reads the nearest sample (clamped to the sweep). Returns ``t1_ms``, ``t2_ms``,
    ``v1``, ``v2`` (in the unit of ``y``), ``dt_ms = t2 - t1`` and ``dv = v2 - v1``.
    """
    y = np.asarray(y, dtype=float)
    if not y.size:
        raise ValueError("the sweep holds no samples")

    def at(t_ms):
        i = int(np.clip(round((t_ms - t0_ms) * fs / 1000.0), 0, y.size - 1))
        return t0_ms + i * 1000.0 / fs, float(y[i])

    (t1, v1), (t2, v2) = at(t1_ms), at(t2_ms)
    return {"t1_ms": t1, "t2_ms": t2, "v1": v1, "v2": v2, "dt_ms": t2 - t1, "dv": v2 - v1}


# ------------------------------------------------------------------------------------------ figures
def _trace(fig, t_ms, y, limit, *, row=None, offset=0.0, color=TRACE_COLOR, name="", unit="µV",
           extra_hover="", width=1.0, opacity=1.0, showclip=True, max_points=MAX_POINTS, clickable=False):
    """Add one clipped trace (+ red clip marks) whose hover shows time and the unclipped value.

    Longer than ``max_points`` samples, the trace is drawn min–max decimated
    (:func:`emgviz.plotting.decimate.minmax_decimate`): every bucket keeps its lowest and highest
    sample, so no spike or clipped stretch disappears. Returns the number of clipped samples of the
    whole (undecimated) trace. ``clickable``: the trace carries size-0 markers, because Plotly
    selects a point on click only on a trace with markers (a line alone reports an empty selection).
    """
    y = np.asarray(y, dtype=float)
    n_clipped = int((np.abs(y) > limit).sum())
    t_ms = np.asarray(t_ms, dtype=float)
    if max_points and y.size > max_points:
        t_ms, y = minmax_decimate(t_ms, y, n_out=int(max_points))
    yc, mask = clip_trace(y, limit)
    kw = {} if row is None else {"row": row, "col": 1}
    hover = f"%{{x:.2f}} ms<br>%{{customdata:.1f}} {unit}{extra_hover}<extra>{name}</extra>"
    # a click selects the nearest point (cursor placement); the markers stay invisible, selected or not
    hidden = {"opacity": 0, "size": 0}
    pick = ({"mode": "lines+markers", "marker": hidden, "selected": {"marker": {"opacity": 0}},
             "unselected": {"marker": {"opacity": 0}}} if clickable else {"mode": "lines"})
    fig.add_trace(go.Scatter(x=t_ms, y=yc + offset, customdata=y, line={"color": color, "width": width},
                             opacity=opacity, name=name, hovertemplate=hover, showlegend=False, **pick), **kw)
    keep = {"selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}}}  # clip marks stay
    if showclip and mask.any():
        fig.add_trace(go.Scatter(x=t_ms[mask], y=yc[mask] + offset, customdata=y[mask],
                                 mode="markers", marker={"color": CLIP_COLOUR, "size": 5, "symbol": "line-ew-open"},
                                 name=f"{name} clipped", hovertemplate=f"clipped: %{{customdata:.1f}} {unit}"
                                 f"<br>%{{x:.2f}} ms<extra>{name}</extra>", showlegend=False, **keep), **kw)
    return n_clipped


def _grid_axes(ms_per_div: float, x0: float = 0.0) -> dict:
    return {"range": [x0, x0 + H_DIVISIONS * ms_per_div], "dtick": ms_per_div, "tick0": x0,
            "showgrid": True, "gridcolor": "#d9d9d9", "zeroline": False, "ticksuffix": ""}


def sweep_figure(data_uv, fs: float, *, ch_names, t_start_s: float, ms_per_div: float, uv_per_div: float,
                 unit: str = "µV", cursors_ms=(), height_px: int = 640, max_points: int = MAX_POINTS) -> go.Figure:
    """One sweep of 1–3 channels, each full height (±:data:`CLIP_DIVISIONS` divisions), clip-marked.

    ``data_uv`` is ``(n_channels, n)`` starting at ``t_start_s``; the x axis is ms from the sweep start
    (10 divisions of ``ms_per_div``). Samples beyond the screen are drawn at its edge with a red
    mark; hover gives the time (ms) and the unclipped value (``unit``). ``cursors_ms``: vertical lines
    labelled C1, C2. Traces longer than ``max_points`` are drawn min–max decimated.
    """
    data = np.atleast_2d(np.asarray(data_uv, dtype=float))
    n_ch = data.shape[0]
    if not 1 <= n_ch <= 3:
        raise ValueError(f"the sweep shows 1 to 3 channels, got {n_ch}")
    limit = CLIP_DIVISIONS * uv_per_div
    fig = make_subplots(rows=n_ch, cols=1, shared_xaxes=True, vertical_spacing=0.03,
                        subplot_titles=[str(n) for n in ch_names])
    t_ms = np.arange(data.shape[1]) * 1000.0 / fs
    n_clipped = 0
    for i in range(n_ch):
        n_clipped += _trace(fig, t_ms, data[i], limit, row=i + 1, name=str(ch_names[i]), unit=unit,
                            max_points=max_points, clickable=True)
        fig.update_yaxes(range=[-limit * 1.02, limit * 1.02], dtick=uv_per_div, tick0=0, showgrid=True,
                         gridcolor="#d9d9d9", zeroline=True, zerolinecolor="#999", showticklabels=False,
                         row=i + 1, col=1)
        fig.update_xaxes(**_grid_axes(ms_per_div), row=i + 1, col=1)
    for line in _cursor_lines(cursors_ms):
        fig.add_vline(**line)
    fig.update_xaxes(title_text="ms", row=n_ch, col=1)
    clip_note = f" · {n_clipped} samples clipped (red)" if n_clipped else ""
    fig.update_layout(height=height_px, margin={"l": 30, "r": 10, "t": 60, "b": 40}, plot_bgcolor="white",
                      hovermode="x", title={"text": f"Sweep from {t_start_s:.3f} s · {ms_per_div:g} ms/div · "
                             f"{format_sensitivity(uv_per_div, unit)}{clip_note}", "font": {"size": 14}})
    return fig


def _stack_figure(rows, t_ms, *, labels, uv_per_div, row_div, unit, title, height_px, x0_ms, ms_per_div,
                  extra_lines=(), max_points=MAX_POINTS):
    rows = np.atleast_2d(rows)
    k = rows.shape[0]
    step = row_div * uv_per_div
    limit = row_div * uv_per_div  # a row may reach into its neighbours by one row, then is clipped
    fig = go.Figure()
    n_clipped = 0
    for i in range(k):
        off = -i * step
        n_clipped += _trace(fig, t_ms, rows[i], limit, offset=off, name=labels[i], unit=unit, max_points=max_points,
                            clickable=True)
    fig.update_yaxes(range=[-(k - 1) * step - 1.2 * step, 1.2 * step], showticklabels=True,
                     tickvals=[-i * step for i in range(k)], ticktext=labels, showgrid=False, zeroline=False)
    fig.update_xaxes(**_grid_axes(ms_per_div, x0_ms), title_text="ms")
    for line in extra_lines:
        fig.add_vline(**line)
    clip_note = f" · {n_clipped} samples clipped (red)" if n_clipped else ""
    fig.update_layout(height=height_px, margin={"l": 10, "r": 10, "t": 50, "b": 40}, plot_bgcolor="white",
                      title={"text": title + clip_note, "font": {"size": 14}})
    return fig


def raster_figure(x_uv, fs: float, *, t0_s: float, start: int, ms_per_div: float, uv_per_div: float,
                  n_sweeps: int, row_div: float = 2.0, unit: str = "µV", height_px: int = 700,
                  max_points: int = MAX_POINTS, cursors_ms=()) -> go.Figure:
    """Free-run raster: consecutive sweeps of one channel stacked top to bottom, each labelled.

    ``x_uv`` is the whole channel (first sample at ``t0_s``); the raster starts at sample ``start``.
    Rows are ``row_div`` divisions apart; each row's label is its index and start time (s). Rows
    longer than ``max_points`` samples are drawn min–max decimated; ``cursors_ms`` (ms from each
    sweep's start) are drawn as vertical lines C1, C2 across all rows.
    """
    sweep = int(round(H_DIVISIONS * ms_per_div * fs / 1000.0))
    rows, starts = raster_rows(x_uv, start=start, sweep_samples=sweep, n_sweeps=n_sweeps)
    if not rows.shape[0]:
        raise ValueError("no complete sweep fits after this start time; move earlier or pick a shorter time base")
    labels = [f"#{i + 1} {t0_s + s / fs:.3f} s" for i, s in enumerate(starts)]
    t_ms = np.arange(sweep) * 1000.0 / fs
    return _stack_figure(rows, t_ms, labels=labels, uv_per_div=uv_per_div, row_div=row_div, unit=unit,
                         x0_ms=0.0, ms_per_div=ms_per_div, height_px=height_px, max_points=max_points,
                         extra_lines=_cursor_lines(cursors_ms),
                         title=f"Raster: {rows.shape[0]} consecutive sweeps · {ms_per_div:g} ms/div · "
                               f"{format_sensitivity(uv_per_div, unit)}")


def triggered_figure(rows, fs: float, *, trigger_times_s, pre_ms: float, ms_per_div: float, uv_per_div: float,
                     level: float, display: str = "overlay", unit: str = "µV", height_px: int = 640,
                     max_points: int = MAX_POINTS, cursors_ms=()) -> go.Figure:
    """Triggered sweeps: superimposed (``display="overlay"``, faint, newest bold) or rastered.

    ``rows`` from :func:`triggered_sweeps`; x is ms from the trigger (the delay line at 0, the
    sweep starting ``pre_ms`` before it). The trigger level is drawn as a horizontal line (overlay).
    Sweeps longer than ``max_points`` samples are drawn min–max decimated; ``cursors_ms`` (ms from the
    trigger) are drawn as vertical lines C1, C2.
    """
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    k = rows.shape[0]
    if display not in ("overlay", "raster"):
        raise ValueError(f"display must be 'overlay' or 'raster', got {display!r}")
    t_ms = np.arange(rows.shape[1]) * 1000.0 / fs - pre_ms
    delay = {"x": 0.0, "line": {"color": "#CC79A7", "width": 1.5, "dash": "dot"}}
    sign = "rising" if level > 0 else "falling"
    head = (f"{k} triggered sweeps · trigger {level:+g} {unit} ({sign}) · delay {pre_ms:g} ms · "
            f"{ms_per_div:g} ms/div · {format_sensitivity(uv_per_div, unit)}")
    if display == "raster":
        labels = [f"#{i + 1} {t:.3f} s" for i, t in enumerate(trigger_times_s)]
        return _stack_figure(rows, t_ms, labels=labels, uv_per_div=uv_per_div, row_div=2.0, unit=unit,
                             x0_ms=-pre_ms, ms_per_div=ms_per_div, height_px=height_px, title=head,
                             extra_lines=[delay, *_cursor_lines(cursors_ms)], max_points=max_points)
    limit = CLIP_DIVISIONS * uv_per_div
    fig = go.Figure()
    n_clipped = 0
    for i in range(k):
        last = i == k - 1
        n_clipped += _trace(fig, t_ms, rows[i], limit, name=f"#{i + 1} {trigger_times_s[i]:.3f} s", unit=unit,
                            width=1.6 if last else 1.0, opacity=1.0 if last else 0.25,
                            color=TRACE_COLOR if last else "#555555", max_points=max_points, clickable=True)
    fig.add_hline(y=level, line={"color": "#CC79A7", "width": 1, "dash": "dash"})
    fig.add_vline(**delay)
    for line in _cursor_lines(cursors_ms):
        fig.add_vline(**line)
    fig.update_yaxes(range=[-limit * 1.02, limit * 1.02], dtick=uv_per_div, tick0=0, showgrid=True,
                     gridcolor="#d9d9d9", zeroline=True, zerolinecolor="#999", showticklabels=False)
    fig.update_xaxes(**_grid_axes(ms_per_div, -pre_ms), title_text="ms from trigger")
    clip_note = f" · {n_clipped} samples clipped (red)" if n_clipped else ""
    fig.update_layout(height=height_px, margin={"l": 30, "r": 10, "t": 50, "b": 40}, plot_bgcolor="white",
                      hovermode="x", title={"text": head + clip_note, "font": {"size": 14}})
    return fig


def _cursor_lines(cursors_ms) -> list[dict]:
    return [{"x": float(c), "line": {"color": CURSOR_COLOURS[j % 2], "width": 1.5, "dash": "dash"},
             "annotation": {"text": f"C{j + 1}", "font": {"color": CURSOR_COLOURS[j % 2], "size": 13}},
             "annotation_position": "top right"} for j, c in enumerate(cursors_ms)]
