"""Clinical sweep in Browse: ms/div and µV/div steps, free-run sweep or raster, triggered sweeps, cursors, sound.

Only wires widgets to :mod:`emgviz.plotting.sweep` and :mod:`emgviz.audio`; called by the Browse
view when its "Clinical sweep" toggle is on. Widget keys start with ``sweep_``.

Layout (so the chart starts above ~450 px on a 1024×768 projector): a row of channels, signal and
display; a row of time base, sensitivity, the display's main controls and a "More" popover holding
the less used inputs (cursor times, which clicks place; delay line; number of sweeps; in Triggered
mode also the start). The cursor readout is under the chart.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from ..audio import to_wav
from ..plotting.safe import plain_figure
from ..plotting.sweep import (H_DIVISIONS, SENSITIVITIES_UV, TIME_BASES_MS, cursor_readout, default_sensitivity,
                              find_triggers, format_sensitivity, raster_figure, raster_rows, sweep_figure,
                              to_microvolts,
                              triggered_figure, triggered_sweeps)
from .context import ViewContext
from .text import md

__all__ = ["render", "MODES", "LINK_PARAMS", "apply_link", "clear_link", "link_asks_for_sweep"]

_P = "sweep_"
_T = _P + "t"
_FILE = _P + "_file"
#: Display modes.
MODES = ("Sweep", "Raster", "Triggered")
_SIGNALS = ("Raw", "Filtered")
#: At most this many sweeps in a raster or a triggered display (keeps the page light).
MAX_SWEEPS = 30
#: What the "More" popover holds in each display (its tooltip).
_MORE_HELP = {"Sweep": "The two cursor times (clicks on the chart place them).",
              "Raster": "The number of sweeps in the raster and the two cursor times (clicks on the chart place them).",
              "Triggered": "The start (◀/▶ one screen), the delay line, the number of sweeps and the two cursor "
                           "times (clicks on the chart place them)."}


_NEXT = _P + "_next_cursor"
_LINK_APPLIED = "_sweep_link_applied"   # outside the _P namespace: survives new files
#: URL query parameters of the sweep (a copied link reopens the same screen) -> session-state key.
LINK_PARAMS = {"sweep.t": _T, "sweep.tb": _P + "ms_div", "sweep.sens": _P + "uv_div", "sweep.mode": _P + "mode",
               "sweep.level": _P + "level", "sweep.delay": _P + "pre", "sweep.c1": _P + "c1", "sweep.c2": _P + "c2"}


def _reset_on_new_file(ctx: ViewContext) -> None:
    state = st.session_state
    if state.get(_FILE) == ctx.key:
        return
    for k in [k for k in state.keys() if isinstance(k, str) and k.startswith(_P)]:
        del state[k]
    state[_FILE] = ctx.key
    state[_T] = float(ctx.rec.t0)
    if not state.get(_LINK_APPLIED):  # a link's sweep applies to the first file opened
        state[_LINK_APPLIED] = True
        for problem in apply_link(st.query_params, state):
            st.warning(md(problem))


def _link_value(name: str, text: str):
    """The state value of one sweep link parameter, or raise ValueError saying what is allowed."""
    if name == "sweep.mode":
        mode = next((m for m in MODES if m.lower() == str(text).strip().lower()), None)
        if mode is None:
            raise ValueError(f"the display is one of {', '.join(MODES)}")
        return mode
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if not np.isfinite(value):
        raise ValueError("not a finite number")
    if name == "sweep.tb" and value not in TIME_BASES_MS:
        raise ValueError(f"the time base is one of {', '.join(f'{v:g}' for v in TIME_BASES_MS)} ms/div")
    if name == "sweep.sens" and value not in SENSITIVITIES_UV:
        raise ValueError(f"the sensitivity is one of {', '.join(f'{v:g}' for v in SENSITIVITIES_UV)} µV/div")
    if name == "sweep.level" and value == 0:
        raise ValueError("the trigger level must not be 0 (positive: rising, negative: falling)")
    if name == "sweep.delay" and value < 0:  # cursors may be negative: ms before the trigger
        raise ValueError("must be ≥ 0 ms")
    return value


def apply_link(params, state) -> list[str]:
    """Put the sweep's link parameters (:data:`LINK_PARAMS`) into ``state``; one message per ignored value."""
    problems = []
    for name, key in LINK_PARAMS.items():
        if name not in params:
            continue
        try:
            state[key] = _link_value(name, params[name])
        except ValueError as exc:
            problems.append(f"Ignored {name}={params[name]!r} from the link: {exc}.")
    return problems


def _write_link() -> None:
    """Keep the sweep's start, time base, sensitivity, display, trigger and cursors in the URL."""
    state = st.session_state
    for name, key in LINK_PARAMS.items():
        if key not in state:
            continue
        v = state[key]
        text = v if isinstance(v, str) else f"{float(v):.6g}"
        if st.query_params.get(name) != text:
            st.query_params[name] = text


def clear_link() -> None:
    """Drop the sweep's parameters from the URL (the sweep was turned off)."""
    for name in LINK_PARAMS:
        if name in st.query_params:
            del st.query_params[name]


def link_asks_for_sweep() -> bool:
    """Whether the URL holds a sweep (so Browse opens with the clinical sweep on)."""
    return any(name in st.query_params for name in LINK_PARAMS)


def _span_s() -> float:
    return H_DIVISIONS * float(st.session_state.get(_P + "ms_div", 10.0)) / 1000.0


def _move(rec, sweeps: float) -> None:
    t = st.session_state.get(_T, rec.t0) + sweeps * _span_s()
    hi = rec.t0 + max(0.0, rec.duration_s - _span_s())
    st.session_state[_T] = float(min(max(t, rec.t0), hi))


def _on_start(rec) -> None:
    v = st.session_state.get(_P + "start")
    if v is not None:
        st.session_state[_T] = float(v)
        _move(rec, 0)


def render(ctx: ViewContext) -> None:
    """The clinical sweep: 1–3 channels at clinical time base and sensitivity, raster, trigger, cursors."""
    _reset_on_new_file(ctx)
    rec, processed = ctx.rec, ctx.processed
    has_processed = processed is not None and getattr(processed, "filtered", None) is not None
    state = st.session_state

    c_ch, c_sig, c_mode = st.columns([3, 2, 3], vertical_alignment="bottom")
    channels = c_ch.multiselect("Channels (1 to 3)", list(rec.ch_names), default=list(rec.ch_names[:1]),
                                max_selections=3, key=_P + "channels")
    kind = c_sig.radio("Signal", _SIGNALS if has_processed else _SIGNALS[:1], key=_P + "signal", horizontal=True)
    mode = c_mode.radio("Display", MODES, key=_P + "mode", horizontal=True,
                        help="Sweep: one screen, like a free-running EMG machine. Raster: consecutive sweeps "
                             "top to bottom. Triggered: sweeps that start at a threshold crossing, to isolate one MUP.")
    if not channels:
        st.info("Pick one to three channels for the sweep.")
        return
    src = processed.filtered if (kind == "Filtered" and has_processed) else rec
    fs = float(src.fs)
    first = src.channel(channels[0])
    x_uv, unit = to_microvolts(first, src.unit)

    # one row under the channels: time base, sensitivity, the mode's main control(s) and a "More" popover
    # holding the less used inputs (cursor times that clicks place, the delay, the number of sweeps), so the
    # chart starts above ~450 px on a 1024×768 projector
    if mode == "Triggered":
        c_tb, c_sens, c_lvl, c_disp, c_more = st.columns([1.55, 1.7, 1.85, 3.1, 1.35], gap="xsmall",
                                                         vertical_alignment="bottom")
    else:
        c_tb, c_sens, c_prev, c_next, c_start, c_more = st.columns([2, 2.1, 1.3, 1.3, 2, 1.5],
                                                                   vertical_alignment="bottom")
    state.setdefault(_P + "ms_div", 10.0)  # defaults through the state, so a link's values take no warning
    ms_div = c_tb.selectbox("Time base", TIME_BASES_MS, key=_P + "ms_div", format_func=lambda v: f"{v:g} ms/div",
                            help="Milliseconds per horizontal division; the screen is 10 divisions wide.")
    state.setdefault(_P + "uv_div", default_sensitivity(x_uv))
    uv_div = c_sens.selectbox("Sensitivity", SENSITIVITIES_UV, key=_P + "uv_div",
                              format_func=lambda v: format_sensitivity(v, unit),
                              help=f"{unit} per vertical division; beyond ±4 divisions the trace is clipped "
                                   "(marked red).")
    more = c_more.popover("More", icon=":material/tune:", width="stretch", help=_MORE_HELP[mode])
    trig_box = None
    if mode == "Triggered":  # the popover holds the delay and number of sweeps, then the start, then the cursors
        with more:
            trig_box = st.container()
            c_prev, c_next = st.columns(2, vertical_alignment="bottom")
            c_start = st.container()
    c_prev.button("◀ Sweep", key=_P + "prev", on_click=_move, args=(rec, -1), width="stretch",
                  help="Back one screen (10 divisions).")
    c_next.button("Sweep ▶", key=_P + "next", on_click=_move, args=(rec, 1), width="stretch",
                  help="On one screen (10 divisions).")
    _move(rec, 0)
    t = float(state[_T])
    state[_P + "start"] = t
    c_start.number_input("Start (s)", min_value=float(rec.t0), max_value=float(rec.t0 + rec.duration_s),
                         key=_P + "start", format="%.3f", step=float(_span_s()), on_change=_on_start, args=(rec,),
                         help="Time of the screen's first sample, s from the recording's start.")

    sweep_n = int(round(H_DIVISIONS * ms_div * fs / 1000.0))
    start = int(round((t - src.t0) * fs))
    try:
        if mode == "Sweep":
            _sweep(src, channels, start, sweep_n, fs, t, ms_div, uv_div, unit, more)
        elif mode == "Raster":
            with more:
                n_sweeps = st.slider("Sweeps in the raster", 2, MAX_SWEEPS, 10, key=_P + "n_raster")
            span_ms = H_DIVISIONS * ms_div
            t1, t2 = _cursor_inputs(0.0, span_ms, ms_div, box=more)
            rows, starts = raster_rows(x_uv, start=start, sweep_samples=sweep_n, n_sweeps=n_sweeps)
            labels = [f"#{i + 1} {src.t0 + s / fs:.3f} s" for i, s in enumerate(starts)]
            readout = _readout(rows, labels, fs, t1, t2, 0.0, unit, "sweep")
            fig = raster_figure(x_uv, fs, t0_s=src.t0, start=start, ms_per_div=ms_div, uv_per_div=uv_div,
                                n_sweeps=n_sweeps, unit=unit, height_px=max(400, 60 * n_sweeps + 120),
                                cursors_ms=(t1, t2))
            _clickable_chart(fig, 0.0, span_ms)
            _readout_line(readout, unit, "sweep")
            _click_caption()
            st.caption(md(f"{channels[0]}: consecutive {span_ms:g} ms sweeps from {t:.3f} s, "
                          f"top to bottom; rows 2 divisions apart; red marks = clipped beyond ±2 rows."))
            _cursor_table(readout, "sweep")
        else:
            _triggered(x_uv, fs, src, channels[0], start, ms_div, uv_div, unit, c_lvl, c_disp, more, trig_box)
    except ValueError as exc:
        st.warning(md(f"Cannot draw this sweep: {exc}"))
    _write_link()
    _sound(src, channels[0], start, sweep_n if mode == "Sweep" else None, t, kind)


def _on_chart_click(span_ms: float, lo_ms: float = 0.0) -> None:
    """A click on the chart places a cursor: the first click cursor 1, the second cursor 2, then alternately.

    Cursor times are ms on the chart's x axis (from the sweep start; from the trigger in Triggered mode,
    where the axis starts at ``lo_ms`` = −delay), kept within ``[lo_ms, lo_ms + span_ms]``.
    """
    state = st.session_state
    event = state.get(_P + "chart")
    try:
        x = float(event["selection"]["points"][0]["x"])
    except (KeyError, IndexError, TypeError, ValueError):
        return  # a click that selected nothing (or cleared the selection)
    which = state.get(_NEXT, 1)
    state[_P + f"c{which}"] = float(min(max(x, lo_ms), lo_ms + span_ms))
    state[_NEXT] = 2 if which == 1 else 1


def _clickable_chart(fig, lo_ms: float, span_ms: float) -> None:
    """The chart, with a click placing the next cursor (:func:`_click_caption` says which one comes next)."""
    st.plotly_chart(plain_figure(fig), key=_P + "chart", config={"displaylogo": False}, selection_mode=("points",),
                    on_select=functools.partial(_on_chart_click, float(span_ms), float(lo_ms)))


def _click_caption() -> None:
    """How clicks place the cursors, and which one the next click sets."""
    st.caption(f"Click the trace to place a cursor: the first click sets cursor 1, the next cursor 2, then they "
               f"alternate (next: cursor {st.session_state.get(_NEXT, 1)}). Or type the times under “More”.")


def _cursor_inputs(lo_ms: float, span_ms: float, ms_div: float, label: str = "ms", box=None) -> tuple[float, float]:
    """The two cursor inputs (ms on the chart's x axis, from ``lo_ms`` to ``lo_ms + span_ms``), kept within
    the sweep; typing is the fallback to clicking. ``box``: the container to put them in (the "More" popover),
    side by side."""
    state = st.session_state
    with box if box is not None else st.container():
        st.caption("Cursors: clicks on the chart place them; type a time here to set one exactly.")
        c1, c2 = st.columns(2)
    out, hi = [], lo_ms + span_ms
    for i, (col, frac) in enumerate(((c1, 0.2), (c2, 0.6)), start=1):
        key = _P + f"c{i}"
        state[key] = float(min(max(state.get(key, lo_ms + span_ms * frac), lo_ms), hi))  # a new range clamps
        out.append(col.number_input(f"Cursor {i} ({label})", min_value=float(lo_ms), max_value=float(hi),
                                    step=ms_div / 10, format="%.2f", key=key))
    return out[0], out[1]


def _readout(rows_uv, labels, fs, t1, t2, t0_ms, unit, what, first=0) -> list[dict]:
    """Every channel's or sweep's cursor values (for :func:`_cursor_table`); the ``first``-th one is
    the one :func:`_readout_line` states under the chart."""
    rows = []
    for name, y in zip(labels, rows_uv):
        r = cursor_readout(y, fs, t1, t2, t0_ms=t0_ms)
        rows.append({what: name, "t1 (ms)": r["t1_ms"], f"V1 ({unit})": r["v1"], "t2 (ms)": r["t2_ms"],
                     f"V2 ({unit})": r["v2"], "Δt (ms)": r["dt_ms"], f"ΔV ({unit})": r["dv"]})
    if rows:
        rows[first]["_shown"] = True
    return rows


def _readout_line(rows: list[dict], unit: str, what: str) -> None:
    """One line under the chart: the shown sweep's (or first channel's) cursor times, values, Δt and ΔV."""
    top = next((r for r in rows if r.get("_shown")), None)
    if top is None:
        return
    u = md(unit)
    name = f"Sweep {top[what]}" if what == "sweep" else top[what]  # "Sweep #20 3.878 s": number and start/trigger time
    st.markdown(f"**{md(name)}**: C1 {top['t1 (ms)']:.2f} ms, {top[f'V1 ({unit})']:.1f} {u} · "
                f"C2 {top['t2 (ms)']:.2f} ms, {top[f'V2 ({unit})']:.1f} {u} · "
                f"**Δt {top['Δt (ms)']:.2f} ms · ΔV {top[f'ΔV ({unit})']:.1f} {u}**")


def _cursor_table(rows: list[dict], what: str) -> None:
    """Every channel's or sweep's cursor values, below the chart (open when 2–3 channels are on screen)."""
    rows = [{k: v for k, v in r.items() if k != "_shown"} for r in rows]
    if not rows:
        return
    with st.expander(f"Cursor values of every {what} ({len(rows)})", expanded=1 < len(rows) <= 3):
        st.dataframe(rows, hide_index=True, width="stretch", key=_P + "cursors",
                     column_config={k: st.column_config.NumberColumn(k, format="%.2f") for k in rows[0] if k != what})


def _sweep(src, channels, start, sweep_n, fs, t, ms_div, uv_div, unit, more) -> None:
    seg = np.vstack([to_microvolts(src.channel(c)[start:start + sweep_n], src.unit)[0] for c in channels])
    span_ms = H_DIVISIONS * ms_div
    t1, t2 = _cursor_inputs(0.0, span_ms, ms_div, box=more)
    readout = _readout(seg, channels, fs, t1, t2, 0.0, unit, "channel")
    fig = sweep_figure(seg, fs, ch_names=channels, t_start_s=t, ms_per_div=ms_div, uv_per_div=uv_div, unit=unit,
                       cursors_ms=(t1, t2), height_px=660 if len(channels) > 1 else 520)
    _clickable_chart(fig, 0.0, span_ms)
    # the first channel's readout right under the chart; every channel's in the table below
    _readout_line(readout, unit, "channel")
    _click_caption()
    _cursor_table(readout, "channel")


def _triggered(x_uv, fs, src, channel, start, ms_div, uv_div, unit, c_lvl, c_disp, more, box) -> None:
    span_ms = H_DIVISIONS * ms_div
    st.session_state.setdefault(_P + "level", float(-2 * uv_div))
    st.session_state.setdefault(_P + "pre", float(2 * ms_div))
    st.session_state[_P + "pre"] = float(min(st.session_state[_P + "pre"], span_ms))
    level = c_lvl.number_input(f"Trigger ({unit})", step=float(uv_div / 2), format="%.0f", key=_P + "level",
                               help=f"Trigger level, {unit}: a sweep starts where the signal crosses it; "
                                    "positive = rising edge, negative = falling edge.")
    display = c_disp.radio("Sweeps", ("overlay", "raster"), key=_P + "tdisplay", horizontal=True,
                           format_func=lambda v: "superimposed" if v == "overlay" else "rastered",
                           help="Triggered sweeps superimposed (the newest bold), or one under the other.")
    with box:
        c_pre, c_n = st.columns(2, vertical_alignment="bottom")
    pre = c_pre.number_input("Delay line (ms)", min_value=0.0, max_value=float(span_ms),
                             step=float(ms_div / 2), format="%.1f", key=_P + "pre",
                             help="Delay line: ms of signal shown before each trigger (the sweep's x = 0).")
    n_max = c_n.slider("Number of sweeps", 1, MAX_SWEEPS, 20, key=_P + "n_trig",
                       help="At most this many triggered sweeps, from the start onwards.")
    if level == 0:
        st.info("Set a non-zero trigger level (positive: rising edge, negative: falling edge).")
        return
    t1, t2 = _cursor_inputs(-pre, span_ms, ms_div, label="ms from trigger", box=more)
    pre_n = int(round(pre * fs / 1000.0))
    sweep_n = int(round(span_ms * fs / 1000.0))
    trig = find_triggers(x_uv[start:], fs, level, dead_time_ms=span_ms - pre) + start
    rows, kept = triggered_sweeps(x_uv, trig, pre_samples=pre_n, sweep_samples=sweep_n)
    rows, kept = rows[:n_max], kept[:n_max]
    if not kept.size:
        st.info(md(f"No crossing of {level:+g} {unit} after {src.t0 + start / fs:.3f} s: lower the level "
                   "or move the start earlier (under “More”)."))
        return
    labels = [f"#{i + 1} {src.t0 + k / fs:.3f} s" for i, k in enumerate(kept)]
    # the newest sweep (drawn bold in the overlay) is read under the chart
    readout = _readout(rows, labels, fs, t1, t2, -pre, unit, "sweep", first=len(labels) - 1 if display == "overlay" else 0)
    fig = triggered_figure(rows, fs, trigger_times_s=src.t0 + kept / fs, pre_ms=pre, ms_per_div=ms_div,
                           uv_per_div=uv_div, level=level, display=display, unit=unit, cursors_ms=(t1, t2),
                           height_px=520 if display == "overlay" else max(400, 60 * kept.size + 120))
    _clickable_chart(fig, -pre, span_ms)
    _readout_line(readout, unit, "sweep")
    _click_caption()
    st.caption(md(f"{channel}: {kept.size} sweeps triggered from {src.t0 + kept[0] / fs:.3f} s to "
                  f"{src.t0 + kept[-1] / fs:.3f} s ({trig.size} triggers after the start; one per sweep, the "
                  f"trigger re-arms {span_ms - pre:g} ms later). The newest sweep is drawn bold."))
    _cursor_table(readout, "sweep")


def _sound(src, channel, start, n, t, kind) -> None:
    with st.expander("Sound of the span on screen"):
        if not st.toggle("Prepare sound", key=_P + "audio_on"):
            return
        n = n or int(round(2.0 * src.fs))
        x = src.channel(channel)[start:start + max(n, int(0.5 * src.fs))]
        try:
            wav = to_wav(x, src.fs)
        except ValueError as exc:
            st.warning(md(f"No sound for this span: {exc}"))
            return
        st.audio(wav, format="audio/wav")
        st.caption(md(f"{channel}, {kind.lower()}, {t:.3f}–{t + x.size / src.fs:.3f} s, real time, peak-normalised."))
