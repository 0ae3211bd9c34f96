"""Teach recomputes only what a control changed (counted calls, never timings), and sends a light figure."""

import json

import numpy as np
import pytest

from apptest_utils import assert_no_exception, media, plotly_spec, trace_array, view_app  # noqa: F401

import emgviz.plotting.lesson as plotting_lesson
import emgviz.views.teach as teach


@pytest.fixture
def counted(monkeypatch):
    """Count the simulations, pipeline runs, filter designs-for-drawing and figure builds of the view."""
    calls = {"simulate": 0, "steps": 0, "frequency_response": 0, "lesson_spec": 0}

    def counting(module, attr, name):
        real = getattr(module, attr)

        def wrapper(*a, **k):
            calls[name] += 1
            return real(*a, **k)

        monkeypatch.setattr(module, attr, wrapper)

    counting(teach, "simulate", "simulate")
    counting(teach, "pipeline_steps", "steps")
    counting(plotting_lesson, "frequency_response", "frequency_response")
    counting(teach, "lesson_spec", "lesson_spec")
    plotting_lesson.filter_gain.cache_clear()
    return calls


@pytest.fixture
def at(media, counted):  # noqa: F811
    app = view_app("teach", timeout=120).run()
    assert_no_exception(app)
    return app


def test_a_level_nudge_simulates_once_and_reuses_the_filters(at, counted):
    assert counted == {"simulate": 1, "steps": 1, "frequency_response": 2, "lesson_spec": 1}
    for level in (0.55, 0.6):
        at.slider(key="teach_level").set_value(level).run()
        assert_no_exception(at)
    # a new signal each time, the same filters: their gains are not computed again
    assert counted == {"simulate": 3, "steps": 3, "frequency_response": 2, "lesson_spec": 3}
    at.slider(key="teach_level").set_value(0.55).run()          # back to a level seen before: all cached
    assert counted == {"simulate": 3, "steps": 3, "frequency_response": 2, "lesson_spec": 3}


def test_drawing_another_channel_neither_simulates_nor_filters_again(at, counted):
    at.selectbox(key="teach_channel").set_value(1).run()
    assert_no_exception(at)
    assert counted["simulate"] == 1 and counted["steps"] == 1 and counted["frequency_response"] == 2
    assert counted["lesson_spec"] == 2                           # a new figure, for emg2


def _canvas(at, key="teach_lesson_canvas"):
    return json.loads(next(e for e in at.get("bidi_component") if e.key == key).proto.json)


def test_the_sent_figure_is_light(at):
    from emgviz.plotting.spec_payload import payload_array

    spec = _canvas(at)
    x_axes = [k for k in spec["layout"] if k.startswith("xaxis")]
    assert len(x_axes) == 3                                      # time, spectra to fs/2, envelope spectrum
    raw = spec["data"][0]
    assert set(raw["y"]) == {"a"} and payload_array(spec, raw["y"]).size <= 1400   # float32, base64, once each
    spectra_x = {json.dumps(tr["x"]) for tr in spec["data"][1:10:2]}
    assert len(spectra_x) == 1                                   # the five spectra to fs/2 share one frequency array
    assert not any("hovertemplate" in tr for tr in spec["data"])  # Plotly's hover texts are not sent
    assert len(json.dumps(spec)) < 120_000
    assert not at.get("audio")                                   # no sound until "Prepare sound"


def test_the_plotly_figure_is_light_too(at):
    at.toggle(key="teach_plotly").set_value(True).run()
    spec = plotly_spec(at, "teach_lesson_chart")
    assert not any(spec["layout"][k].get("automargin") for k in spec["layout"] if k[1:5] == "axis")
    raw = spec["data"][0]
    assert raw["y"]["dtype"] == "f4"                             # typed arrays, not decimal text
    assert trace_array(raw["y"]).size <= 1400
    assert len(json.dumps(spec)) < 200_000


def test_the_sound_is_8_khz_wav(at, media):  # noqa: F811
    at.toggle(key="teach_ui_sound_on").set_value(True).run()
    wav = media(at.get("audio")[0].proto.url).content
    assert wav[:4] == b"RIFF" and int.from_bytes(wav[24:28], "little") == teach.AUDIO_RATE == 8000
    assert (len(wav) - 44) / 2 == pytest.approx(10 * 8000, abs=2)   # 10 s, 16-bit mono
    samples = np.frombuffer(wav[44:], dtype="<i2")
    assert 0 < np.abs(samples).max() <= 32767


def test_processing_copies_the_events_table_without_rebuilding_it(monkeypatch):
    """A processed recording gets its own copy of the parent's events (an edit cannot leak back)."""
    import emgviz.recording as recording
    from emgviz import Recording

    rec = Recording(np.zeros((1, 100)), fs=100.0, ch_names=("a",), events=[(0.2, "on"), (0.1, 0.3, "x")])
    calls = []
    monkeypatch.setattr(recording, "make_events", lambda *a: calls.append(a) or pytest.fail("rebuilt"))
    child = rec.with_data(np.ones((1, 100)))
    assert not calls
    assert child.events is not rec.events and child.events.equals(rec.events)
    events = child.events                 # one name: the edit must really happen (no chained assignment)
    events.loc[0, "label"] = "edited"
    assert events.loc[0, "label"] == "edited"                    # the copy read was edited ...
    assert list(rec.events["label"]) == list(child.events["label"]) == ["x", "on"]  # ... neither recording
