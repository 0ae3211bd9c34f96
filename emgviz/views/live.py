"""Live: EMG as it arrives, from an LSL stream, the loaded recording replayed at real time, or the simulator.

The source runs on a background thread (:class:`emgviz.live.LiveSession`) that fills a ring
buffer; the drawing is an ``st.fragment`` rerun every :data:`REFRESH_S` seconds that only
copies the newest samples out of it, so the app never waits on the stream.
"""

from __future__ import annotations

import tempfile
import time
import weakref
from pathlib import Path

import streamlit as st

from ..live.boards import brainflow_available
from ..live.meters import DEFAULT_RMS_WINDOW_MS, band_state, live_rms, moving_rms_max, percent_of_reference
from ..plotting.live import live_traces_figure, live_traces_payload, rms_bars_figure, rms_bars_payload
from ..plotting.units import display_scale
from . import heap, live_canvas, live_sweep
from .context import ViewContext
from .text import md
from ..plotting.safe import plain_figure

_S = "live_"
#: Seconds between redraws of the traces, bars and sweeps (5 per second).
REFRESH_S = 0.2
#: Seconds between updates of the counts, the recording controls and the status message.
STATUS_S = 1.0
#: Seconds without a sample before the view says the stream is silent.
SILENT_S = 2.0
SOURCES = ("Replay the loaded recording", "LSL stream", "Simulator")
RECORD_FORMATS = (".npz", ".edf", ".csv")
#: Simulator models: surface-EMG profiles, then the needle presets.
SIM_MODELS = ("bursts", "sustained", "ramp", "rest", "needle: normal", "needle: myopathic", "needle: neurogenic")
#: The BrainFlow synthetic board, offered among the models when the optional brainflow package is installed.
BRAINFLOW_MODEL = "BrainFlow synthetic board"
_NO_STREAM = ("No LSL stream found on this machine. Start one, e.g. `python -m emgviz stream FILE --name NAME "
              "--loop`, then press **Find streams** again. emgviz keeps LSL on this machine (loopback); to "
              "see streams on the network start the app with `EMGVIZ_LSL_LAN=1`.")


#: Live sessions started in this server process (to unfreeze the heap when the last one stops).
_RUNNING = weakref.WeakSet()


# ---- sources ------------------------------------------------------------------------------------
def _thaw_heap() -> None:
    """Unfreeze when no live session runs any more (anything that died meanwhile is collected)."""
    if not any(s.running for s in _RUNNING):
        heap.thaw()


def _session():
    return st.session_state.get(_S + "session")


def _stop_session() -> None:
    sess = st.session_state.pop(_S + "session", None)
    if sess is not None:
        if sess.recorder is not None:
            _finish_recording(sess)
        sess.stop()
        _RUNNING.discard(sess)
        _thaw_heap()


def _find_streams() -> None:
    from ..live.lsl import list_streams

    try:
        infos = list_streams(wait_s=1.0)
    except Exception as exc:  # liblsl missing or misconfigured: say so, never a traceback
        st.session_state[_S + "find_error"] = f"Could not search for LSL streams: {exc}"
        infos = []
    else:
        st.session_state.pop(_S + "find_error", None)
    st.session_state[_S + "streams"] = {i.name(): i for i in infos if i.nominal_srate() > 0}
    st.session_state[_S + "searched"] = True


def _start(kind: str, ctx: ViewContext) -> None:
    from ..live import LiveSession, LSLSource, ReplaySource, SimulatorSource

    _stop_session()
    st.session_state.pop(_S + "mvc", None)
    state = st.session_state
    try:
        if kind == SOURCES[0]:
            source = ReplaySource(ctx.rec, loop=True, name=ctx.name)
        elif kind == SOURCES[1]:
            name = state.get(_S + "stream_name")
            info = state.get(_S + "streams", {}).get(name)
            if info is None:
                state[_S + "start_error"] = "Pick a stream first (press **Find streams**)."
                return
            source = LSLSource(name, info=info, timeout_s=5.0)
        else:
            model = state.get(_S + "sim_profile", "bursts")
            level = float(state.get(_S + "sim_level", 0.5))
            if model.startswith("needle: "):
                source = _needle_source(model.removeprefix("needle: "), level)
            elif model == BRAINFLOW_MODEL:
                from ..live.boards import BrainFlowSource

                source = BrainFlowSource("synthetic", n_channels=int(state.get(_S + "sim_channels", 2)))
            else:
                source = SimulatorSource(n_channels=int(state.get(_S + "sim_channels", 2)), profile=model,
                                         level=level)
        state[_S + "session"] = sess = LiveSession(source, seconds=30.0)
        _RUNNING.add(sess)
        heap.freeze_long_lived()
        state.update(live_sweep.defaults_for(source))  # triggered sweeps on for needle streams
        state.pop(_S + "start_error", None)
    except Exception as exc:
        state[_S + "start_error"] = f"Could not start the {kind.lower()}: {exc}"


@st.cache_resource(max_entries=4, show_spinner="Simulating the needle recording…")
def _needle_recording(preset: str, force: float):
    from ..live import NeedleSimulatorSource

    return NeedleSimulatorSource(preset, force=force).rec


def _needle_source(preset: str, force: float):
    """A needle simulator replay; the simulation (seconds of work) is made once per preset and force."""
    from ..live import ReplaySource

    return ReplaySource(_needle_recording(preset, force), loop=True,
                        name=f"needle simulator ({preset}, force {force:g})")


def _source_controls(ctx: ViewContext) -> str:
    state = st.session_state
    kind = st.radio("Source", SOURCES, key=_S + "source", horizontal=True,
                    help="Replay: the recording loaded in the sidebar, at real time, looping. LSL stream: a live "
                         "amplifier or `python -m emgviz stream`. Simulator: a synthetic surface EMG.")
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    with c1:
        if kind == SOURCES[0]:
            st.caption(f"{md(ctx.name)}: {ctx.rec.n_channels} channel(s) at {ctx.rec.fs:g} Hz, "
                       f"{ctx.rec.duration_s:.1f} s, replayed in a loop")
        elif kind == SOURCES[1]:
            a, b = st.columns([1, 3], vertical_alignment="bottom")
            a.button("Find streams", key=_S + "find", on_click=_find_streams)
            streams = state.get(_S + "streams", {})
            if streams:
                b.selectbox("Stream", list(streams), key=_S + "stream_name",
                            format_func=lambda n: f"{n} ({streams[n].channel_count()} ch @ "
                                                  f"{streams[n].nominal_srate():g} Hz, {streams[n].type()})")
            elif state.get(_S + "searched"):
                st.warning(state.get(_S + "find_error") or _NO_STREAM)
        else:
            a, b, c = st.columns(3)
            models = SIM_MODELS + ((BRAINFLOW_MODEL,) if brainflow_available() else ())
            model = b.selectbox("Model", models, key=_S + "sim_profile",
                                help="Surface EMG with a contraction profile, or a concentric needle in a normal, "
                                     "myopathic or neurogenic muscle (one channel, 10 kHz); with the optional "
                                     "brainflow package, BrainFlow's synthetic board (250 Hz) read like an amplifier.")
            a.number_input("Channels", 1, 8, 2, key=_S + "sim_channels", disabled=model.startswith("needle"))
            c.slider("Level (needle: force)", 0.05, 1.0, 0.5, 0.05, key=_S + "sim_level")
    c2.button("Start", key=_S + "start", type="primary", on_click=_start, args=(kind, ctx), width="stretch")
    c3.button("Stop", key=_S + "stop", on_click=_stop_session, disabled=_session() is None, width="stretch")
    if state.get(_S + "start_error"):
        st.error(state[_S + "start_error"])
    return kind


# ---- recording ----------------------------------------------------------------------------------
def _start_recording() -> None:
    sess = _session()
    if sess is not None:
        sess.start_recording()


def _finish_recording(sess) -> None:
    from ..io.write import write_file

    rec = sess.stop_recording()
    if rec is None or rec.n_samples == 0:
        return
    suffix = st.session_state.get(_S + "format", ".npz")
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in sess.source.name)[:40] or "live"
    name = f"{stem}_{time.strftime('%Y%m%d-%H%M%S')}{suffix}"
    with tempfile.TemporaryDirectory() as tmp:
        path = write_file(rec.to_recording(), Path(tmp) / name)
        data = path.read_bytes()
        name = path.name
    st.session_state[_S + "file"] = {"name": name, "data": data, "n": rec.n_samples, "lost": rec.lost,
                                     "fs": rec.fs}
    st.session_state[_S + "rerun_app"] = True


def _stop_recording() -> None:
    sess = _session()
    if sess is not None:
        _finish_recording(sess)


def _download() -> None:
    f = st.session_state.get(_S + "file")
    if not f:
        return
    st.success(f"Recorded {f['n']} samples ({f['n'] / f['fs']:.2f} s at {f['fs']:g} Hz), lost {f['lost']}.")
    st.download_button(f"Download {f['name']}", data=f["data"], file_name=f["name"], key=_S + "download",
                       mime="application/octet-stream", on_click="ignore")


# ---- display options ----------------------------------------------------------------------------
def _display_controls(sess) -> dict:
    unit = sess.source.units[0] if sess.source.units else "V"
    scale, shown = display_scale(unit)
    c1, c2, c3, c4 = st.columns(4)
    window_s = c1.select_slider("Window (s)", (2, 5, 10, 20), value=5, key=_S + "window")
    rms_ms = c2.select_slider("RMS window (ms)", (100, 250, 500, 1000), value=int(DEFAULT_RMS_WINDOW_MS),
                              key=_S + "rms_ms")
    mvc = st.session_state.get(_S + "mvc")
    if mvc is not None:
        lo, hi = c3.slider("Target band (%MVC)", 0, 150, (20, 40), key=_S + "target_pct")
        y_max, label = 120.0, "RMS (%MVC)"
    else:
        lo, hi = c3.slider(f"Target band ({shown})", 0, 1000, (50, 150), step=5, key=_S + "target_abs",
                           help="Surface EMG RMS is typically tens to a few hundred µV; set the band for the task.")
        y_max, label = 1000.0, f"RMS ({shown})"
    with c4:
        a, b = st.columns(2, vertical_alignment="bottom")
        a.button("Set MVC", key=_S + "set_mvc", on_click=_set_mvc, args=(sess, rms_ms),
                 help="Ask for a maximal contraction, then press: the highest RMS of the last 5 s becomes "
                      "100 %MVC for each muscle.")
        b.button("Clear MVC", key=_S + "clear_mvc", on_click=lambda: st.session_state.pop(_S + "mvc", None),
                 disabled=mvc is None)
    if mvc is not None:
        st.caption("MVC reference (RMS): " + ", ".join(
            f"{md(n)} {v * scale:.3g} {shown}" for n, v in zip(sess.source.ch_names, mvc)))
    return {"window_s": float(window_s), "rms_ms": float(rms_ms), "target": (float(lo), float(hi)),
            "y_max": max(y_max, float(hi) * 1.25), "label": label, "mvc": mvc, "scale": scale}


def _set_mvc(sess, rms_ms: float) -> None:
    snap = sess.ring.snapshot(5.0)
    if snap.data.shape[1] == 0:
        return
    st.session_state[_S + "mvc"] = moving_rms_max(snap.data, sess.source.fs, window_ms=rms_ms)


# ---- the live panel -----------------------------------------------------------------------------
def _status_panel(sess, opts: dict) -> None:
    """Counts, recording controls and the status message (a slower fragment: every :data:`STATUS_S`)."""
    state = st.session_state
    if state.pop(_S + "rerun_app", False):
        st.rerun()  # the recording finished: show its download button outside this fragment
    src = sess.source
    ring = sess.ring
    received, lost = ring.received, ring.lost
    elapsed = max(time.monotonic() - sess.started_at, 1e-9)
    c1, c2, c3, c4 = st.columns([1, 1, 1, 1.5])
    c1.metric("Samples received", f"{received:,}")
    c2.metric("Samples lost", f"{lost:,}")
    c3.metric("Rate (Hz)", f"{received / elapsed:,.0f}", help=f"Nominal {src.fs:g} Hz")
    rec = sess.recorder
    with c4:
        if rec is None:
            a, b = st.columns(2, vertical_alignment="bottom")
            a.selectbox("Format", RECORD_FORMATS, key=_S + "format")
            b.button("Record", key=_S + "rec_start", on_click=_start_recording, icon=":material/fiber_manual_record:")
        else:
            st.button(f"Stop recording ({rec.n_samples / src.fs:.1f} s)", key=_S + "rec_stop",
                      icon=":material/stop:",
                      on_click=_stop_recording, type="primary")
            st.caption(f"Recording: {rec.n_samples:,} samples, lost {rec.lost}")
    # One slot for the status message, always present: the display below keeps its place.
    status = st.empty()
    if sess.error:
        status.warning(f"The source stopped: {md(sess.error)}. Press **Start** to try again.")
    elif received == 0:
        status.info(f"Waiting for samples from {md(src.name)}…")
    elif sess.seconds_since_data > SILENT_S:
        status.warning(f"No samples from {md(src.name)} for {sess.seconds_since_data:.0f} s: is the stream "
                       "still running?")


def _draw_panel(sess, opts: dict) -> None:
    """Traces, RMS bars and (needle) triggered sweeps: the fast fragment, every :data:`REFRESH_S`."""
    src = sess.source
    snap = sess.ring.snapshot(opts["window_s"])
    if snap.data.shape[1] == 0:
        return
    if opts["sweep"] is not None:  # a needle examiner watches the sweeps: they come first, the traces below
        live_sweep.panel(sess, opts["sweep"], first_window_s=opts["window_s"])
    rms = live_rms(snap.data, src.fs, window_ms=opts["rms_ms"])
    shown = percent_of_reference(rms, opts["mvc"]) if opts["mvc"] is not None else rms * opts["scale"]
    states = band_state(shown, *opts["target"])
    bars = dict(unit_label=opts["label"], target=opts["target"], states=states, y_max=opts["y_max"])
    if sess.running and live_canvas.available():  # streaming: one canvas that stays mounted (see live_canvas for why not Plotly)
        live_canvas.draw(live_traces_payload(snap.data, snap.times, src.ch_names, src.units, window_s=opts["window_s"]),
                         rms_bars_payload(shown, src.ch_names, **bars), key=_S + "canvas",
                         traces_height=90 + 60 * len(src.ch_names))
    else:  # stopped: the last window as Plotly charts, to hover and zoom
        st.plotly_chart(plain_figure(live_traces_figure(snap.data, snap.times, src.ch_names, src.units,
                                                        window_s=opts["window_s"])), key=_S + "traces", width="stretch")
        st.plotly_chart(plain_figure(rms_bars_figure(shown, src.ch_names, **bars)), key=_S + "bars", width="stretch")


def render(ctx: ViewContext) -> None:
    """The Live view: pick a source, start it, watch the traces and the biofeedback bars, record."""
    st.markdown("##### Live EMG")
    _source_controls(ctx)
    sess = _session()
    if sess is None:
        st.info("Pick a source and press **Start**. The traces scroll and the bars show each muscle's RMS "
                "against a target band you set.")
        _download()
        return
    st.caption(f"Source: {md(sess.source.name)} · {len(sess.source.ch_names)} channel(s) at {sess.source.fs:g} Hz")
    sweep = live_sweep.controls(sess)
    # with triggered sweeps on, the display (sweeps, then traces and bars) sits right under their controls,
    # above the traces' settings and the counts, so it starts above the fold of a 1024×768 screen
    display = st.container() if sweep is not None else None
    opts = _display_controls(sess)
    opts["sweep"] = sweep
    live = sess.running or sess.recorder is not None
    st.fragment(_status_panel, run_every=STATUS_S if live else None)(sess, opts)
    with display if display is not None else st.container():
        st.fragment(_draw_panel, run_every=REFRESH_S if live else None)(sess, opts)
    st.caption(f"Bars: RMS over the last {opts['rms_ms']:g} ms (mean removed), green inside the target band · "
               f"traces and bars redrawn every {REFRESH_S:g} s, counts every {STATUS_S:g} s")
    _download()
