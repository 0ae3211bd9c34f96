"""Live triggered sweeps for needle streams: the last N sweeps superimposed, trigger level and delay line.

Widgets only: the trigger runs in :func:`emgviz.live.trigger.capture_sweeps` over the ring buffer
of the running :class:`emgviz.live.LiveSession`, the figure is
:func:`emgviz.plotting.live.live_sweeps_figure`; time bases and sensitivities are the clinical
steps of the Browse view's sweep (:mod:`emgviz.plotting.sweep`). Widget keys start with
``live_sweep_``. Called by :mod:`emgviz.views.live`.
"""

from __future__ import annotations

import streamlit as st

from ..live.trigger import capture_sweeps, is_needle_source
from ..plotting.live import live_sweeps_figure, live_sweeps_payload
from ..plotting.safe import plain_figure
from ..plotting.sweep import (H_DIVISIONS, SENSITIVITIES_UV, TIME_BASES_MS, default_sensitivity, format_sensitivity,
                              to_microvolts)
from . import live_canvas
from .text import md

__all__ = ["controls", "panel", "defaults_for", "MAX_SWEEPS"]

_P = "live_sweep_"
#: Most sweeps superimposed.
MAX_SWEEPS = 30
#: Sensitivity when the signal is not known in advance (an LSL stream), µV/div.
DEFAULT_UV_DIV = 200.0


def defaults_for(source) -> dict:
    """Session-state defaults for a new source: the overlay on for needle streams, a sensitivity that fits.

    A replayed file or the simulator holds its samples: the sensitivity is the smallest clinical
    step at which 99.9 % of channel 1 fits on screen; an LSL stream gets 200 µV/div. The trigger
    level starts two divisions below the baseline (falling edge).
    """
    uv_div = DEFAULT_UV_DIV
    rec = getattr(source, "rec", None)
    if rec is not None and rec.n_samples:
        x_uv, unit = to_microvolts(rec.data[0, :int(60 * rec.fs)], rec.ch_units[0])  # the first minute
        uv_div = default_sensitivity(x_uv) if unit == "µV" else DEFAULT_UV_DIV
    return {_P + "on": is_needle_source(source), _P + "uv_div": uv_div, _P + "level": -2.0 * uv_div,
            _P + "ch": 0}


def controls(sess) -> dict | None:
    """The overlay's switch and settings (outside the fragment); None when the overlay is off.

    One row, so the sweeps start high on a 1024×768 screen: the switch, then the settings changed
    during an examination (time base, sensitivity, trigger level); channel, delay line and the
    number of sweeps sit in a popover (the chart's title states them).
    """
    src = sess.source
    needle = is_needle_source(src)
    state = st.session_state
    c_on, c_tb, c_sens, c_lvl, c_more = st.columns([2.0, 1.15, 1.15, 1.0, 1.7], vertical_alignment="bottom")
    on = c_on.toggle("Triggered sweeps", key=_P + "on",
                     help="For needle EMG, as on a clinical EMG machine: a sweep starts where the signal crosses the trigger "
                          "level; the last sweeps are superimposed to show whether the same motor-unit potential "
                          "fires again. On by default for needle streams (a needle file or the needle simulator, "
                          "or ≥ 4 kHz).")
    if not on:
        return None
    if _P + "level" not in state or state.get(_P + "uv_div") not in SENSITIVITIES_UV:
        # first time on (or Streamlit dropped the keys while the overlay was off): start from the source
        for k, v in defaults_for(src).items():
            if k != _P + "on":
                state[k] = v
    names = list(src.ch_names)
    ch = int(state.get(_P + "ch", 0)) if len(names) > 1 else 0
    ch = ch if 0 <= ch < len(names) else 0
    unit = to_microvolts([0.0], src.units[ch] if src.units else "V")[1]
    ms_div = c_tb.selectbox("Time base", TIME_BASES_MS, index=TIME_BASES_MS.index(10.0), key=_P + "ms_div",
                            format_func=lambda v: f"{v:g} ms/div")
    uv_div = c_sens.selectbox("Sensitivity", SENSITIVITIES_UV, key=_P + "uv_div",
                              format_func=lambda v: format_sensitivity(v, unit))
    level = c_lvl.number_input(f"Trigger ({unit})", step=float(uv_div / 2), format="%.0f",
                               key=_P + "level", help="The level a sweep starts at. Positive: on a rising "
                                                      "crossing; negative: on a falling one.")
    # the chart's title states the delay and the number of sweeps; the label only names what is inside
    label = "Channel, delay, sweeps" if len(names) > 1 else "Delay, sweeps"
    with c_more.popover(label, width="stretch"):
        if len(names) > 1:
            ch = st.selectbox("Channel", range(len(names)), key=_P + "ch", format_func=lambda i: names[i])
        else:
            st.caption(f"Channel: {md(names[0])}")
        pre_div = st.selectbox("Delay line", tuple(range(H_DIVISIONS)), index=2, key=_P + "pre_div",
                               format_func=lambda d: f"{d} div ({d * ms_div:g} ms)",
                               help="Where the trigger sits on the sweep, in divisions from its left edge.")
        n_last = st.slider("Sweeps", 1, MAX_SWEEPS, 10, key=_P + "n")
    if not needle:
        st.caption(f"{md(src.name)} does not look like a needle stream ({src.fs:g} Hz): the sweep works, but "
                   "surface EMG shows no single motor-unit potentials.")
    return {"ch": int(ch), "ms_div": float(ms_div), "uv_div": float(uv_div), "level": float(level),
            "pre_ms": float(pre_div) * float(ms_div), "n_last": int(n_last), "unit": unit}


def panel(sess, opts: dict, *, first_window_s: float) -> None:
    """Update the capture with the samples that arrived and draw the overlay (inside the fragment)."""
    state = st.session_state
    if opts["level"] == 0:
        st.info("Set a non-zero trigger level (positive: rising edge, negative: falling edge).")
        return
    src, ch = sess.source, opts["ch"]
    key = (sess.started_at, ch, opts["level"], opts["ms_div"], opts["pre_ms"])
    prev = state.get(_P + "capture") if state.get(_P + "capture_key") == key else None
    ring = sess.ring
    start = prev.next_start() if prev is not None else max(0, ring.received - int(first_window_s * src.fs))
    snap = ring.since(start, channel=ch)
    x, _ = to_microvolts(snap.data[0], src.units[ch] if src.units else "V")
    try:
        cap = capture_sweeps(x, src.fs, end=snap.received, level=opts["level"], ms_per_div=opts["ms_div"],
                             pre_ms=opts["pre_ms"], n_last=opts["n_last"], previous=prev)
    except ValueError as exc:
        st.warning(md(f"Cannot trigger: {exc}"))
        return
    state[_P + "capture"], state[_P + "capture_key"] = cap, key
    args = dict(pre_ms=opts["pre_ms"], ms_per_div=opts["ms_div"], uv_per_div=opts["uv_div"], level=opts["level"],
                unit=opts["unit"], found=cap.found)
    if sess.running and live_canvas.available():  # a canvas that stays mounted (see live_canvas)
        live_canvas.draw(None, None, sweeps=live_sweeps_payload(cap.rows, src.fs, **args), key=_P + "canvas")
    else:  # stopped: a Plotly chart (hover, zoom)
        st.plotly_chart(plain_figure(live_sweeps_figure(cap.rows, src.fs, **args)), key=_P + "chart", width="stretch")
    name = md(src.ch_names[ch])
    if not cap.rows.shape[0]:
        st.caption(f"{name}: no crossing of {opts['level']:+g} {opts['unit']} yet: lower the level (closer to 0) "
                   "or raise the sensitivity.")
    else:
        st.caption(f"{name}: the last {cap.rows.shape[0]} of {cap.found} triggered sweeps, newest bold; the "
                   f"trigger re-arms when its sweep ends ({H_DIVISIONS * opts['ms_div'] - opts['pre_ms']:g} ms "
                   "after it). Raw samples, as the amplifier sends them.")
