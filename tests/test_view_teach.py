"""The Teach view through AppTest (the view host of tests/apptest_utils.py calls emgviz.views.teach.render())."""


import numpy as np
import pytest

from apptest_utils import (APP, assert_no_exception, deferred, media, new_app, plotly_spec,  # noqa: F401
                           trace_array, view_app)
from emgviz.plotting.spec_payload import payload_array
from emgviz.lesson import DEFAULTS
from emgviz.simulate import simulate
from emgviz.views.teach import sim_params

N_STEPS = 6  # raw, DC removed, band-pass, notch (matches the 50 Hz hum), rectified, envelope


@pytest.fixture
def at(media):  # noqa: F811
    app = view_app("teach", timeout=120).run()
    assert_no_exception(app)
    assert not app.error, [e.value for e in app.error]
    return app


def more_settings(app):
    """Turn on the toggle that shows the Muscle/Artefacts/Filters popovers (off on a cold open)."""
    return app.toggle(key="teach_ui_settings_on").set_value(True).run()


def prepare_sound(app):
    """Turn on "Prepare sound" (no sound players on a cold open)."""
    return app.toggle(key="teach_ui_sound_on").set_value(True).run()


def canvas_data(app, key="teach_lesson_canvas"):
    """The payload a Teach canvas (a custom component with this key) was given, or None."""
    import json

    found = [e for e in app.get("bidi_component") if e.key == key]
    return json.loads(found[0].proto.json) if found else None


def lesson_spec(app):
    """The lesson figure as drawn: the canvas' payload (default) or the Plotly figure (toggle on)."""
    return canvas_data(app) or plotly_spec(app, "teach_lesson_chart")


def trace_values(spec, value):
    return payload_array(spec, value) if "arrays" in spec else trace_array(value)


def step_titles(app):
    return [a["text"][3:-4].split(". ", 1)[1] for a in lesson_spec(app)["layout"]["annotations"]
            if a["text"].startswith("<b>")]


def raw_peak_hz(app):
    spec = lesson_spec(app)
    spectrum = spec["data"][1]                         # trace 0: raw trace, 1: raw spectrum
    f, db = trace_values(spec, spectrum["x"]), trace_values(spec, spectrum["y"])
    band = f > 20
    return float(f[band][np.argmax(db[band])])


def audio_labels(app):
    return [c.value for c in app.caption if c.value.startswith(("Raw, as recorded", "Filtered:"))]


def test_every_step_is_on_one_canvas_and_no_plotly_chart_by_default(at):
    assert not at.get("plotly_chart")                  # the page loads no Plotly code
    assert [e.key for e in at.get("bidi_component")] == ["teach_lesson_canvas"]
    spec = lesson_spec(at)
    assert spec["meta"]["rows"] == N_STEPS and spec["arrays"]
    assert {tr["type"] for tr in spec["data"]} == {"scatter"}
    assert step_titles(at) == ["Raw", "DC removed", "Band-pass 20–450 Hz", "Notch 50 Hz", "Rectified",
                               "Envelope RMS 100 ms"]
    captions = [m.value for m in at.markdown if m.value.startswith("**1.**")][0]
    assert all(f"**{i + 1}.**" in captions for i in range(N_STEPS))


def test_the_plotly_toggle_draws_the_same_figure_with_plotly(at):
    canvas = lesson_spec(at)
    at.toggle(key="teach_plotly").set_value(True).run()
    assert_no_exception(at)
    assert not at.get("bidi_component") and len(at.get("plotly_chart")) == 1
    chart = plotly_spec(at, "teach_lesson_chart")
    assert [a["text"] for a in chart["layout"]["annotations"]] == [a["text"] for a in canvas["layout"]["annotations"]]
    for a, b in zip(chart["data"], canvas["data"]):  # the same numbers, sent once as Plotly's, once as the canvas'
        y = np.array([np.nan if v is None else v for v in trace_array(a["y"])], dtype=np.float32)
        np.testing.assert_array_equal(y, payload_array(canvas, b["y"]))
    assert dict(at.query_params)["teach_plotly"] == "1"


def test_a_link_with_teach_plotly_opens_the_plotly_figure():
    at = view_app("teach", timeout=120)
    at.query_params["teach_plotly"] = "1"
    at.run()
    assert_no_exception(at)
    assert at.toggle(key="teach_plotly").value and len(at.get("plotly_chart")) == 1
    assert canvas_data(at) is None


def test_mains_at_60_hz_moves_the_peak_and_the_teach_notch_follows(at):
    assert abs(raw_peak_hz(at) - 50) <= 2
    at.selectbox(key="teach_mains").set_value("60 Hz").run()
    assert_no_exception(at)
    assert raw_peak_hz(at) == 60
    assert "Notch 60 Hz" in step_titles(at)
    assert audio_labels(at) == ["Raw, as recorded: EMG + 60 Hz hum (100 µV) + amplifier noise",
                                "Filtered: after DC removal, band-pass 20–450 Hz and notch at 60, 120, 180 Hz"]


def test_audio_labels_follow_the_steps_actually_applied(at):
    at.selectbox(key="teach_notch").set_value("Off").run()
    assert_no_exception(at)
    assert not any(t.startswith("Notch") for t in step_titles(at))
    assert audio_labels(at)[1] == "Filtered: after DC removal and band-pass 20–450 Hz (no notch)"
    text = " ".join(m.value for m in at.markdown).replace("\\", "")   # captions are Markdown-escaped
    assert "still there: no notch is applied" in text
    at.selectbox(key="teach_notch").set_value("Match hum").run()
    at.selectbox(key="teach_mains").set_value("Off").run()
    assert audio_labels(at) == ["Raw, as recorded: EMG + amplifier noise",
                                "Filtered: after DC removal and band-pass 20–450 Hz (no notch)"]


def test_the_sidebar_notch_does_not_reach_teach():
    at = new_app(APP, timeout=120)
    at.query_params["view"] = "Teach"
    at.query_params["notch_hz"] = "Off"   # the sidebar's setting: Teach keeps its own notch
    at.run()
    assert_no_exception(at)
    assert "Notch 50 Hz" in step_titles(at)


def test_presenter_mode_one_step_per_screen_with_next_and_previous(at):
    at.toggle(key="teach_presenter").set_value(True).run()
    assert_no_exception(at)
    assert not at.get("plotly_chart")
    spec = canvas_data(at, "teach_presenter_canvas")
    assert spec["layout"]["font"]["size"] >= 20
    sizes = [a["tickfont"]["size"] for k, a in spec["layout"].items() if "axis" in k and "tickfont" in a]
    assert sizes and min(sizes) >= 20
    assert "Step 1 of 6: Raw" in " ".join(m.value for m in at.markdown)
    at.button(key="teach_presenter_next").click().run()
    at.button(key="teach_presenter_next").click().run()
    spec = canvas_data(at, "teach_presenter_canvas")
    assert [tr["name"] for tr in spec["data"]][:4] == ["Raw", "Raw spectrum", "Band-pass 20–450 Hz",
                                                       "Band-pass 20–450 Hz spectrum"]
    assert "Step 3 of 6" in " ".join(m.value for m in at.markdown)
    at.button(key="teach_presenter_prev").click().run()
    assert at.session_state["teach_step"] == 2
    at.button(key="teach_presenter_exit").click().run()
    assert_no_exception(at)
    assert canvas_data(at) is not None and not at.session_state["teach_presenter"]


def test_presets_are_one_click_each(at):
    more_settings(at)
    at.button(key="teach_preset_hum-and-drift").click().run()
    assert_no_exception(at)
    assert at.slider(key="teach_wander_uv").value == 800 and at.slider(key="teach_mains_uv").value == 200
    at.button(key="teach_preset_clean-biceps").click().run()
    assert at.slider(key="teach_wander_uv").value == 0 and at.selectbox(key="teach_mains").value == "Off"
    assert not any(t.startswith("Notch") for t in step_titles(at))
    at.button(key="teach_preset_weak-vs-strong").click().run()
    assert_no_exception(at)
    assert at.selectbox(key="teach_profile").value == "weak-strong"


def test_the_lesson_is_in_the_url_and_a_link_reopens_it(at):
    at.slider(key="teach_level").set_value(0.7).run()
    at.selectbox(key="teach_mains").set_value("60 Hz").run()
    link = dict(at.query_params)
    assert link["teach_level"] == "0.7" and link["teach_mains"] == "60 Hz" and link["view"] == "Teach"
    again = view_app("teach", timeout=120)
    for key, value in link.items():
        again.query_params[key] = value
    again.run()
    assert_no_exception(again)
    assert again.slider(key="teach_level").value == 0.7 and again.selectbox(key="teach_mains").value == "60 Hz"
    assert raw_peak_hz(again) == 60


def test_a_bad_link_value_is_a_warning_not_a_traceback():
    at = view_app("teach", timeout=120)
    at.query_params["teach_level"] = "3"
    at.run()
    assert_no_exception(at)
    assert any("teach_level='3'" in w.value and "0.05 to 1" in w.value for w in at.warning)
    assert at.slider(key="teach_level").value == DEFAULTS["level"]


def test_audio_of_raw_and_filtered_are_wav_files(at, media):  # noqa: F811
    prepare_sound(at)
    audio = at.get("audio")
    assert len(audio) == 2
    files = [media(a.proto.url) for a in audio]
    assert all(f.content[:4] == b"RIFF" for f in files)
    assert files[0].content != files[1].content


def score_table(app) -> dict:
    """The onset score table (Markdown) as {channel: {column: text}}."""
    text = next(m.value for m in app.markdown if m.value.startswith("| channel"))
    lines = [line.strip("| ").split(" | ") for line in text.splitlines()]
    head = [h.replace("\\", "") for h in lines[0]]
    return {row[0]: dict(zip(head[1:], row[1:])) for row in lines[2:]}


def test_bursts_are_scored_against_the_truth(at):
    table = score_table(at)
    assert list(table) == ["emg1", "emg2"]
    truth = simulate(**sim_params({})).truth.bursts
    n_true = (truth["channel"] == "emg1").sum()
    assert n_true == 4
    for row in table.values():
        assert int(row["hits"]) + int(row["misses"]) == n_true
        assert int(row["hits"]) >= 3 and float(row["mean |error| (ms)"]) < 100


def test_open_in_browser_hands_the_parameters_to_the_app(at):
    at.selectbox(key="teach_profile").set_value("ramp").run()
    at.button(key="teach_open_browser").click().run()
    assert_no_exception(at)
    params = at.session_state["emgviz_sim_params"]
    assert at.session_state["source"] == "Synthetic" and at.session_state["view"] == "Browse"
    assert params["profile"] == "ramp"
    again = simulate(**params).recording
    assert again.n_channels == 2 and again.duration_s == 10


def test_choosing_the_fatigue_profile_turns_fatigue_on(at):
    more_settings(at)
    at.selectbox(key="teach_profile").set_value("fatigue").run()
    assert at.slider(key="teach_fatigue").value == pytest.approx(0.3)


def test_a_bad_combination_is_an_error_message_not_a_traceback(at):
    more_settings(at)
    at.number_input(key="teach_low_hz").set_value(150.0).run()
    at.number_input(key="teach_high_hz").set_value(100.0).run()
    assert_no_exception(at)
    assert any("low_hz must be below high_hz" in e.value for e in at.error)


def test_fewer_channels_than_the_drawn_one_falls_back_to_the_first(at):
    more_settings(at)
    at.slider(key="teach_n_channels").set_value(4).run()
    at.selectbox(key="teach_channel").set_value(3).run()
    at.slider(key="teach_n_channels").set_value(2).run()
    assert_no_exception(at)
    assert at.selectbox(key="teach_channel").value == 0


def test_npz_and_csv_downloads_hold_the_simulated_recording(deferred, at):  # noqa: F811 (deferred before at)
    from emgviz.io import read_bytes

    rec = simulate(**sim_params({})).recording
    npz = deferred(at.get_by_key("teach_download_npz"))
    assert npz.filename == "simulated_emg.npz"
    back = read_bytes(npz.content, "sim.npz")
    np.testing.assert_array_equal(back.data, rec.data)
    assert back.ch_names == rec.ch_names and back.fs == rec.fs
    csv = deferred(at.get_by_key("teach_download_csv"))
    assert csv.filename == "simulated_emg.csv" and csv.mimetype.startswith("text/csv")
    back = read_bytes(csv.content, "sim.csv")
    assert back.ch_names == rec.ch_names and back.fs == rec.fs
    np.testing.assert_array_equal(back.data, rec.data)


def test_a_figure_key_the_canvas_cannot_draw_is_a_message_naming_it(monkeypatch):
    import emgviz.views.teach_presenter as presenter

    real = presenter.presenter_spec

    def with_legend(*a, **k):
        spec = real(*a, **k)
        return {**spec, "layout": {**spec["layout"], "legend": {"x": 1}}}

    monkeypatch.setattr(presenter, "presenter_spec", with_legend)
    at = view_app("teach", timeout=120)
    at.query_params["teach_presenter"] = "1"
    at.run()
    assert_no_exception(at)
    assert any("does not draw layout.legend.x" in e.value for e in at.error)


def test_presenter_with_the_plotly_toggle_draws_the_step_with_plotly():
    at = view_app("teach", timeout=120)
    at.query_params["teach_presenter"] = "1"
    at.query_params["teach_plotly"] = "1"
    at.query_params["teach_step"] = "4"
    at.run()
    assert_no_exception(at)
    assert not at.get("bidi_component")
    spec = plotly_spec(at, "teach_presenter_chart")
    assert [a["text"] for a in spec["layout"]["annotations"]] == ["<b>Raw</b>", "<b>4. Notch 50 Hz</b>"]


def test_a_cold_open_makes_no_sound_players_and_no_hidden_settings_widgets(at):
    """The lighter cold open: no WAVs and none of the 13 popover widgets until asked for."""
    assert not at.get("audio")
    assert not [s for s in at.slider if s.key in ("teach_wander_uv", "teach_duration_s", "teach_n_units")]
    assert not at.get("popover") or not any(p.label == "Muscle" for p in at.get("popover"))
    assert audio_labels(at)[0].startswith("Raw, as recorded")      # the labels stay, saying what would play
    more_settings(at)
    assert_no_exception(at)
    keys = {s.key for s in at.slider} | {n.key for n in at.number_input} | {b.key for b in at.selectbox}
    assert {"teach_wander_uv", "teach_duration_s", "teach_n_units", "teach_low_hz", "teach_method",
            "teach_fs", "teach_seed"} <= keys


def test_a_link_sets_the_hidden_settings_and_they_survive_a_nudge(media):  # noqa: F811
    app = view_app("teach", timeout=120)
    app.query_params["teach_duration_s"] = "5"
    app.query_params["teach_wander_uv"] = "800"
    app.run()
    assert_no_exception(app)
    app.slider(key="teach_level").set_value(0.6).run()           # settings hidden: their values stay
    assert app.session_state["teach_duration_s"] == 5 and app.session_state["teach_wander_uv"] == 800
    assert any("5 s at" in c.value for c in app.caption)
    more_settings(app)
    assert app.slider(key="teach_duration_s").value == 5 and app.slider(key="teach_wander_uv").value == 800
    prepare_sound(app)
    wav = media(app.get("audio")[0].proto.url).content
    assert (len(wav) - 44) / 2 == pytest.approx(5 * 8000, abs=2)    # the sound is the 5 s of the link


def test_sound_appears_after_prepare_sound_with_the_lesson_duration(at, media):  # noqa: F811
    assert not at.get("audio")
    prepare_sound(at)
    assert_no_exception(at)
    files = [media(a.proto.url).content for a in at.get("audio")]
    assert len(files) == 2 and files[0] != files[1]
    for wav in files:                                               # 10 s at 8 kHz, 16-bit mono
        assert wav[:4] == b"RIFF" and (len(wav) - 44) / 2 == pytest.approx(10 * 8000, abs=2)
    at.slider(key="teach_level").set_value(0.6).run()               # stays on: a nudge rebuilds the sound
    assert len(at.get("audio")) == 2
    more_settings(at).slider(key="teach_duration_s").set_value(4).run()
    wav = media(at.get("audio")[1].proto.url).content
    assert (len(wav) - 44) / 2 == pytest.approx(4 * 8000, abs=2)


def test_the_on_request_toggles_stay_on_through_presenter_mode(at):
    """"Prepare sound" and "More settings" are not drawn in presenter mode; back from it they are still on."""
    more_settings(prepare_sound(at))
    at.toggle(key="teach_presenter").set_value(True).run()
    assert_no_exception(at)
    at.button(key="teach_presenter_exit").click().run()
    assert_no_exception(at)
    assert at.toggle(key="teach_ui_sound_on").value and at.toggle(key="teach_ui_settings_on").value
    assert len(at.get("audio")) == 2                      # the sound is there without asking again
