"""Teach view: a synthetic EMG with chosen artefacts, taken through the pipeline step by step.

Only wires widgets to :mod:`emgviz.lesson` (parameters, presets, links, settings),
:mod:`emgviz.simulate`, :mod:`emgviz.pipeline`, :mod:`emgviz.plotting.lesson` and
:mod:`emgviz.audio`. Every widget key is ``"teach_" + `` a :data:`emgviz.lesson.PARAMS` name, and
every one of them is in the page's URL, so a link reopens the same lesson.

Speed: the simulation, the steps, the per-step numbers and the figure are cached by what they
depend on (a control that changes only the drawn channel does not simulate or filter again);
every step is in one figure (rows stacked on three subplots, built as a dict), drawn by a mounted
canvas (:mod:`emgviz.views.spec_canvas`: the page loads no Plotly, a nudge repaints in a few ms
instead of remounting a Plotly chart; Plotly stays one toggle away); the lesson is a fragment, so a Teach control reruns only it;
the sound is 8 kHz WAV (a fifth of 44.1 kHz's bytes, more than enough for EMG below 1 kHz), made only
after "Prepare sound" (:mod:`emgviz.views.teach_outputs`), and the 13 less used settings only after
"More settings" (a lighter cold open); the
score table is Markdown (no table code for the browser to load); the objects that live as
long as the server (imported modules) are frozen out of the garbage collector, which Streamlit
runs after every script run.
"""

from __future__ import annotations

import json

import streamlit as st

from .. import lesson
from . import heap, spec_canvas, teach_outputs
from .text import md
from ..lesson import DEFAULTS, PARAMS, PRESETS, sim_params
from ..onsets import DETECTION_METHODS, detect_bursts
from ..pipeline import steps as pipeline_steps
from ..plotting.lesson import PrebuiltFigure, lesson_spec, step_panels
from ..plotting.spec_payload import canvas_payload
from ..recording import Recording
from ..settings import Settings
from ..simulate import simulate
from .teach_outputs import AUDIO_RATE  # noqa: F401 - re-exported

__all__ = ["render", "sim_params", "DEFAULTS", "lesson_values"]

#: Session key of the toggle that shows the less used settings (UI state, not in the URL).
SETTINGS_KEY = "teach_ui_settings_on"
_PROFILE_NAMES = {"weak-strong": "weak vs strong"}


def _k(name: str) -> str:
    return f"teach_{name}"


def _value(name: str):
    return st.session_state.get(_k(name), DEFAULTS[name])


def lesson_values() -> dict:
    """The lesson's current values by parameter name (widget state, defaults where unset)."""
    return {name: _value(name) for name in DEFAULTS}


# ---- caches: each keyed by exactly what it depends on --------------------------------------------
@st.cache_resource(max_entries=8, show_spinner=False)  # a spinner costs a thread and a message per miss
def _simulation(params_json: str):
    """The simulation of these parameters (immutable, so one object serves every session)."""
    return simulate(**json.loads(params_json))


@st.cache_resource(max_entries=8, show_spinner=False)
def _steps(params_json: str, settings_json: str, _rec: Recording):
    return pipeline_steps(_rec, Settings.from_dict(json.loads(settings_json)))


@st.cache_data(max_entries=16, show_spinner=False)
def _detect(params_json: str, settings_json: str, method: str, _filtered: Recording):
    return detect_bursts(_filtered, method=method)


@st.cache_resource(max_entries=16, show_spinner=False)
def _panels(params_json: str, settings_json: str, channel: int, method: str, hum_hz, _steps_list,
            _settings: Settings, _true, _detected):
    return step_panels(_steps_list, settings=_settings, channel=channel, hum_hz=hum_hz,
                       true_onsets_s=_true, detected_onsets_s=_detected)


@st.cache_resource(max_entries=16, show_spinner=False)
def _figure(params_json: str, settings_json: str, channel: int, method: str, plotly: bool, _panels_list):
    """The lesson figure, never changed after this (so shared): the canvas' payload, or a Plotly figure."""
    spec = lesson_spec(_panels_list)
    if plotly:
        return PrebuiltFigure(spec)
    return canvas_payload(spec, rows=len(_panels_list), label="Teach lesson: " + "; ".join(
        f"{i + 1}. {p.title}" for i, p in enumerate(_panels_list)))


#: Widget key of the Plotly figure and of the canvas (fixed: the canvas stays mounted across nudges).
CHART_KEY, CANVAS_KEY = "teach_lesson_chart", "teach_lesson_canvas"


def use_plotly() -> bool:
    """True when the teacher asked for the zoomable Plotly figure instead of the canvas, or when this
    Streamlit has no custom components v2 (before 1.51) to draw the canvas with."""
    return bool(_value("plotly")) or not spec_canvas.available()


def draw_figure(fig, *, key_canvas: str, key_chart: str, config: dict) -> None:
    """Draw a figure :func:`_figure` (or the presenter) built: canvas payload or Plotly figure."""
    if isinstance(fig, PrebuiltFigure):
        st.plotly_chart(fig, key=key_chart, width="stretch", config=config)
    else:
        spec_canvas.draw(fig, key=key_canvas)


class Lesson:
    """Everything one run of the view computed (all cached objects; nothing here is mutated)."""

    def __init__(self, values: dict):
        self.values = values
        self.params = sim_params(values)
        self.params_json = json.dumps(self.params, sort_keys=True)
        self.sim = _simulation(self.params_json)
        self.rec = self.sim.recording
        self.settings = lesson.lesson_settings(values)
        self.settings_json = json.dumps(self.settings.to_dict(), sort_keys=True)
        self.steps = _steps(self.params_json, self.settings_json, self.rec)
        self.kinds = [s.kind for s in self.steps]
        self.channel = min(int(values["channel"]), self.rec.n_channels - 1)
        self.filtered = next((s.recording for s in reversed(self.steps) if s.kind in ("notch", "bandpass", "dc")),
                             self.rec)
        self.method = values["method"]
        try:
            self.detected = _detect(self.params_json, self.settings_json, self.method, self.filtered)
            self.detect_error = None
        except ValueError as exc:
            self.detected, self.detect_error = None, str(exc)
        name = self.rec.ch_names[self.channel]
        truth = self.sim.truth.bursts
        true_s = truth.loc[truth["channel"] == name, "onset_s"].tolist()
        det_s = (None if self.detected is None
                 else self.detected.loc[self.detected["channel"] == name, "onset_s"].tolist())
        self.hum_hz = lesson.hum_hz(values)
        self.panels = _panels(self.params_json, self.settings_json, self.channel, self.method, self.hum_hz,
                              self.steps, self.settings, true_s, det_s)

    @property
    def processing(self) -> str:
        """What the filtering did, from the steps themselves ("after DC removal, band-pass … and notch …")."""
        def words(step) -> str:
            if step.kind == "notch":
                return f"notch at {', '.join(f'{f:g}' for f in step.params['freqs_hz'])} Hz"
            return step.label

        return lesson.processing_text([(s.kind, words(s)) for s in self.steps])


# ---- the link and the presets -------------------------------------------------------------------
def _apply_link() -> list[str]:
    """On a session's first run, take the lesson from the URL. Returns problems to show."""
    if st.session_state.get("_teach_link_applied"):
        return []
    st.session_state["_teach_link_applied"] = True
    qp = st.query_params
    query = {key: qp.get_all(key) for key in qp.keys() if key.startswith(lesson.QUERY_PREFIX)}
    if not query:
        return []
    values, problems = lesson.from_query(query)
    for name, value in values.items():
        st.session_state[_k(name)] = value
    return problems


def _write_link() -> None:
    """Keep the URL in step with the lesson: every value that differs from its default."""
    params = {"view": "Teach", **lesson.to_query(lesson_values())}
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def _apply_preset(key: str) -> None:
    values = {**DEFAULTS, **lesson.preset(key).values}
    for name, value in values.items():
        if name not in ("presenter", "step", "plotly"):
            st.session_state[_k(name)] = value
    st.session_state[_k("step")] = 1


def _keep_hidden_values() -> None:
    """Widgets not drawn in a run lose their state; re-assigning keeps the values of hidden ones."""
    from .teach_outputs import SOUND_KEY

    for key in [*(_k(name) for name in DEFAULTS), SETTINGS_KEY, SOUND_KEY]:  # incl. the two on-request toggles
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _on_profile() -> None:
    if st.session_state.get(_k("profile")) == "fatigue" and not st.session_state.get(_k("fatigue")):
        st.session_state[_k("fatigue")] = 0.3


def _sidebar() -> None:
    sb = st.sidebar
    sb.markdown("**Lessons** (one click each)")
    for p in PRESETS:
        if p.lesson == "surface":
            sb.button(p.title, key=f"teach_preset_{p.key}", on_click=_apply_preset, args=(p.key,),
                      help=p.description, width="stretch")
    sb.toggle("Presenter mode", key=_k("presenter"),
              help="One step per screen for a projector: large fonts, raw and processed side by side, "
                   "← and → to move between steps.")
    sb.toggle("Zoomable Plotly figure (slower)", key=_k("plotly"),
              help="Draw the steps with Plotly (box zoom, pan, hover, PNG export) instead of the fast canvas. "
                   "The page then loads Plotly (about 2 s more to open) and each change redraws more slowly.")
    sb.caption("The page's address holds the whole lesson: copy it to prepare a lecture as links.")


# ---- controls ------------------------------------------------------------------------------------
def _slider(col, label: str, name: str, step, **kw):
    p = PARAMS[name]
    return col.slider(label, p.lo, p.hi, step=step, key=_k(name), **kw)


def _controls(rec_channels: int) -> None:
    """The controls a lesson is played with (inside the fragment: a change reruns only the lesson)."""
    c = st.columns([1.1, 1.4, 1, 1.1, 0.9])
    c[0].selectbox("Contraction", lesson.PROFILE_CHOICES, key=_k("profile"), on_change=_on_profile,
                   format_func=lambda v: _PROFILE_NAMES.get(v, v),
                   help="bursts: on/off contractions; ramp: up then down; sustained: one hold; fatigue: a "
                        "hold during which conduction velocity falls; weak vs strong: weak and strong "
                        "contractions in turn; rest: no contraction.")
    _slider(c[1], "Contraction level", "level", 0.05, help="Drive as a fraction of a maximal contraction.")
    c[2].selectbox("Mains hum", PARAMS["mains"].choices, key=_k("mains"),
                   help="Power-line hum added to the signal (amplitude under Artefacts).")
    c[3].selectbox("Notch", PARAMS["notch"].choices, key=_k("notch"),
                   help="Teach's own notch (the sidebar's processing settings apply to recordings, not here). "
                        "Match hum: at the simulated hum's frequency, none without hum.")
    if int(_value("channel")) >= rec_channels:
        st.session_state[_k("channel")] = 0
    c[4].selectbox("Channel drawn", range(rec_channels), key=_k("channel"), format_func=lambda i: f"emg{i + 1}",
                   disabled=rec_channels == 1)


def _settings_row() -> None:
    """The lesson's less used settings, in popovers behind one toggle, outside the fragment.

    A nudge of a main control reruns only the fragment, which then does not rebuild these
    thirteen widgets (each costs the server a few ms a run); changing one of them reruns the
    whole page, which is rare. Streamlit builds a popover's widgets even while it is closed, so
    they are made only once the toggle is on (a cold open is lighter); their values live in the
    session (and the URL) either way.
    """
    if not st.toggle("More settings: muscle, artefacts, filters", key=SETTINGS_KEY,
                     help="Show the Muscle, Artefacts and Filters settings (duration, sampling rate, motor "
                          "units, channels, noise and artefacts, band-pass, onset detector)."):
        return
    c = st.columns(3)
    with c[0].popover("Muscle", width="stretch"):
        _slider(st, "Duration (s)", "duration_s", 1)
        st.selectbox("Sampling rate (Hz)", PARAMS["fs"].choices, key=_k("fs"))
        _slider(st, "Motor units", "n_units", 10)
        _slider(st, "Channels", "n_channels", 1)
        _slider(st, "Fatigue (conduction velocity lost)", "fatigue", 0.05,
                help="MUAPs widen as conduction slows, so the spectrum drifts down during effort.")
        st.number_input("Seed", 0, 10_000, key=_k("seed"))
    with c[1].popover("Artefacts", width="stretch"):
        _slider(st, "Hum amplitude (µV)", "mains_uv", 10)
        st.toggle("Amplifier noise", key=_k("noise"))
        _slider(st, "Signal-to-noise (dB)", "snr_db", 1, disabled=not _value("noise"))
        _slider(st, "DC offset (mV)", "dc_mv", 0.5)
        _slider(st, "Baseline wander (µV)", "wander_uv", 50)
        _slider(st, "Movement artefact (µV)", "motion_uv", 100)
        _slider(st, "ECG crosstalk (µV)", "ecg_uv", 25)
        _slider(st, "Clipping level (mV, 0 = off)", "clip_mv", 0.05)
        _slider(st, "Dropouts", "dropouts", 1)
    with c[2].popover("Filters", width="stretch"):
        lo, hi = st.columns(2)
        lo.number_input("Band-pass low (Hz)", PARAMS["low_hz"].lo, PARAMS["low_hz"].hi, step=5.0, key=_k("low_hz"))
        hi.number_input("Band-pass high (Hz)", PARAMS["high_hz"].lo, PARAMS["high_hz"].hi, step=10.0,
                        key=_k("high_hz"))
        st.selectbox("Onset detector", DETECTION_METHODS, key=_k("method"))


@st.fragment
def _lesson() -> None:
    """The lesson (controls, the steps figure, sound, onsets): a Teach control reruns only this."""
    _controls(int(_value("n_channels")))
    try:
        ls = Lesson(lesson_values())
        fig = _figure(ls.params_json, ls.settings_json, ls.channel, ls.method, use_plotly(), ls.panels)
    except Exception as exc:  # noqa: BLE001 - any failure is shown, never a traceback
        st.error(f"Cannot build the teaching example: {exc}")
        _write_link()
        return
    st.caption(f"{ls.rec.n_channels} channel(s) × {ls.rec.duration_s:g} s at {ls.rec.fs:g} Hz, "
               f"{ls.params['n_units']} motor units · drawn: {ls.rec.ch_names[ls.channel]} · "
               f"Teach's processing: {ls.settings.describe()}"
               + ("" if use_plotly() else " · Drag across the traces to zoom in time, double-click to show all."))
    draw_figure(fig, key_canvas=CANVAS_KEY, key_chart=CHART_KEY, config={"displaylogo": False})

    st.markdown("\n\n".join(f"**{i + 1}.** {md(p.caption)}" for i, p in enumerate(ls.panels)))
    try:
        teach_outputs.listen(ls)
        teach_outputs.onsets(ls)
    except Exception as exc:  # noqa: BLE001
        st.error(f"Cannot score the onsets: {exc}")
    teach_outputs.further(ls)
    _write_link()


def render() -> None:
    """Draw the Teach view (its own controls, filters and URL; the sidebar holds the presets)."""
    heap.freeze_once()  # Streamlit's collection after each nudge skips the imported libraries
    problems = _apply_link()
    _keep_hidden_values()
    for name, value in DEFAULTS.items():
        st.session_state.setdefault(_k(name), value)
    for message in problems:
        st.warning(message)
    if _value("presenter"):
        from . import teach_presenter

        teach_presenter.render()
        _write_link()
        return
    _sidebar()
    st.markdown("#### Teach: a synthetic muscle, step by step")
    _settings_row()
    _lesson()
