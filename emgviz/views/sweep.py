"""Clinical sweep in Browse: ms/div and µV/div steps, free-run sweep or raster, triggered sweeps, cursors, sound.

Only wires widgets to :mod:`emgviz.plotting.sweep` and :mod:`emgviz.audio`; called by the Browse
view when its "Clinical sweep" toggle is on. Widget keys start with ``sweep_``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ..audio import to_wav
from ..plotting.safe import plain_figure
from ..plotting.sweep import (H_DIVISIONS, SENSITIVITIES_UV, TIME_BASES_MS, cursor_readout, default_sensitivity,
                              find_triggers, format_sensitivity, raster_figure, sweep_figure, to_microvolts,
                              triggered_figure, triggered_sweeps)
from .context import ViewContext
from .text import md

__all__ = ["render", "MODES"]

_P = "sweep_"
_T = _P + "t"
_FILE = _P + "_file"
#: Display modes.
MODES = ("Sweep", "Raster", "Triggered")
_SIGNALS = ("Raw", "Filtered")
#: At most this many sweeps in a raster or a triggered display (keeps the page light).
MAX_SWEEPS = 30


def _reset_on_new_file(ctx: ViewContext) -> None:
    state = st.session_state
    if state.get(_FILE) == ctx.key:
        return
    for k in [k for k in state.keys() if isinstance(k, str) and k.startswith(_P)]:
        del state[k]
    state[_FILE] = ctx.key
    state[_T] = float(ctx.rec.t0)


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

    c_tb, c_sens, c_prev, c_next, c_start = st.columns([2, 2, 1.2, 1.2, 2], vertical_alignment="bottom")
    ms_div = c_tb.selectbox("Time base", TIME_BASES_MS, index=TIME_BASES_MS.index(10.0), key=_P + "ms_div",
                            format_func=lambda v: f"{v:g} ms/div")
    default = default_sensitivity(x_uv)
    uv_div = c_sens.selectbox("Sensitivity", SENSITIVITIES_UV, index=SENSITIVITIES_UV.index(default),
                              key=_P + "uv_div", format_func=lambda v: format_sensitivity(v, unit))
    c_prev.button("◀ Sweep", key=_P + "prev", on_click=_move, args=(rec, -1), width="stretch")
    c_next.button("Sweep ▶", key=_P + "next", on_click=_move, args=(rec, 1), width="stretch")
    _move(rec, 0)
    t = float(state[_T])
    state[_P + "start"] = t
    c_start.number_input("Start (s)", min_value=float(rec.t0), max_value=float(rec.t0 + rec.duration_s),
                         key=_P + "start", format="%.3f", step=float(_span_s()), on_change=_on_start, args=(rec,))

    sweep_n = int(round(H_DIVISIONS * ms_div * fs / 1000.0))
    start = int(round((t - src.t0) * fs))
    try:
        if mode == "Sweep":
            _sweep(src, channels, start, sweep_n, fs, t, ms_div, uv_div, unit)
        elif mode == "Raster":
            n_sweeps = st.slider("Sweeps in the raster", 2, MAX_SWEEPS, 10, key=_P + "n_raster")
            fig = raster_figure(x_uv, fs, t0_s=src.t0, start=start, ms_per_div=ms_div, uv_per_div=uv_div,
                                n_sweeps=n_sweeps, unit=unit, height_px=max(400, 60 * n_sweeps + 120))
            st.plotly_chart(plain_figure(fig), key=_P + "chart", config={"displaylogo": False})
            st.caption(md(f"{channels[0]}: consecutive {ms_div * H_DIVISIONS:g} ms sweeps from {t:.3f} s, "
                          f"top to bottom; rows 2 divisions apart; red marks = clipped beyond ±2 rows."))
        else:
            _triggered(x_uv, fs, src, channels[0], start, ms_div, uv_div, unit)
    except ValueError as exc:
        st.warning(md(f"Cannot draw this sweep: {exc}"))
    _sound(src, channels[0], start, sweep_n if mode == "Sweep" else None, t, kind)


def _sweep(src, channels, start, sweep_n, fs, t, ms_div, uv_div, unit) -> None:
    seg = np.vstack([to_microvolts(src.channel(c)[start:start + sweep_n], src.unit)[0] for c in channels])
    span_ms = H_DIVISIONS * ms_div
    c1, c2 = st.columns(2)
    t1 = c1.number_input("Cursor 1 (ms)", min_value=0.0, max_value=float(span_ms), value=span_ms * 0.2,
                         step=ms_div / 10, format="%.2f", key=_P + "c1")
    t2 = c2.number_input("Cursor 2 (ms)", min_value=0.0, max_value=float(span_ms), value=span_ms * 0.6,
                         step=ms_div / 10, format="%.2f", key=_P + "c2")
    fig = sweep_figure(seg, fs, ch_names=channels, t_start_s=t, ms_per_div=ms_div, uv_per_div=uv_div, unit=unit,
                       cursors_ms=(t1, t2), height_px=660 if len(channels) > 1 else 520)
    st.plotly_chart(plain_figure(fig), key=_P + "chart", config={"displaylogo": False})
    rows = []
    for name, y in zip(channels, seg):
        r = cursor_readout(y, fs, t1, t2)
        rows.append({"channel": name, "t1 (ms)": r["t1_ms"], f"V1 ({unit})": r["v1"], "t2 (ms)": r["t2_ms"],
                     f"V2 ({unit})": r["v2"], "Δt (ms)": r["dt_ms"], f"ΔV ({unit})": r["dv"]})
    st.dataframe(rows, hide_index=True, width="stretch", key=_P + "cursors",
                 column_config={k: st.column_config.NumberColumn(k, format="%.2f") for k in rows[0] if k != "channel"})


def _triggered(x_uv, fs, src, channel, start, ms_div, uv_div, unit) -> None:
    span_ms = H_DIVISIONS * ms_div
    c_lvl, c_pre, c_disp, c_n = st.columns([2, 2, 2, 2], vertical_alignment="bottom")
    level = c_lvl.number_input(f"Trigger level ({unit}); − = falling", value=float(-2 * uv_div), step=float(uv_div / 2),
                               format="%.0f", key=_P + "level",
                               help="A sweep starts where the signal crosses this level: positive = rising, "
                                    "negative = falling edge.")
    pre = c_pre.number_input("Delay line (ms before trigger)", min_value=0.0, max_value=float(span_ms),
                             value=float(2 * ms_div), step=float(ms_div / 2), format="%.1f", key=_P + "pre")
    display = c_disp.radio("Triggered sweeps", ("overlay", "raster"), key=_P + "tdisplay", horizontal=True,
                           format_func=lambda v: "superimposed" if v == "overlay" else "rastered")
    n_max = c_n.slider("Sweeps", 1, MAX_SWEEPS, 20, key=_P + "n_trig")
    if level == 0:
        st.info("Set a non-zero trigger level (positive: rising edge, negative: falling edge).")
        return
    pre_n = int(round(pre * fs / 1000.0))
    sweep_n = int(round(span_ms * fs / 1000.0))
    trig = find_triggers(x_uv[start:], fs, level, dead_time_ms=span_ms - pre) + start
    rows, kept = triggered_sweeps(x_uv, trig, pre_samples=pre_n, sweep_samples=sweep_n)
    rows, kept = rows[:n_max], kept[:n_max]
    if not kept.size:
        st.info(md(f"No crossing of {level:+g} {unit} after {src.t0 + start / fs:.3f} s: lower the level "
                   "or move the start earlier."))
        return
    fig = triggered_figure(rows, fs, trigger_times_s=src.t0 + kept / fs, pre_ms=pre, ms_per_div=ms_div,
                           uv_per_div=uv_div, level=level, display=display, unit=unit,
                           height_px=520 if display == "overlay" else max(400, 60 * kept.size + 120))
    st.plotly_chart(plain_figure(fig), key=_P + "chart", config={"displaylogo": False})
    st.caption(md(f"{channel}: {kept.size} sweeps triggered from {src.t0 + kept[0] / fs:.3f} s to "
                  f"{src.t0 + kept[-1] / fs:.3f} s ({trig.size} triggers after the start; one per sweep, the "
                  f"trigger re-arms {span_ms - pre:g} ms later). The newest sweep is drawn bold."))


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
