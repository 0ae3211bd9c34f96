"""The Teach view through AppTest (the view host of tests/apptest_utils.py calls emgviz.views.teach.render())."""


import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from apptest_utils import assert_no_exception, deferred, media, plotly_spec, trace_array, view_app  # noqa: F401
from emgviz.simulate import simulate
from emgviz.views.teach import sim_params

N_STEPS = 6  # raw, DC removed, band-pass, notch (matches the 50 Hz hum), rectified, envelope


@pytest.fixture
def at(media):  # noqa: F811
    app = view_app("teach").run()
    assert_no_exception(app)
    assert not app.error, [e.value for e in app.error]
    return app


def raw_peak_hz(app):
    spec = plotly_spec(app, "teach_step_0_spectrum")
    f, db = trace_array(spec["data"][0]["x"]), trace_array(spec["data"][0]["y"])
    band = f > 20
    return float(f[band][np.argmax(db[band])])


def test_renders_one_time_chart_and_one_spectrum_per_step(at):
    for i in range(N_STEPS):
        assert plotly_spec(at, f"teach_step_{i}_time")["layout"]["xaxis"]["title"]["text"] == "time (s)"
        assert plotly_spec(at, f"teach_step_{i}_spectrum")["layout"]["xaxis"]["title"]["text"] == "frequency (Hz)"
    assert len(at.get("plotly_chart")) == 2 * N_STEPS
    assert len(at.caption) >= N_STEPS


def test_mains_at_60_hz_moves_the_raw_spectrum_peak(at):
    assert abs(raw_peak_hz(at) - 50) <= 2
    at.radio(key="teach_mains").set_value("60 Hz").run()
    assert_no_exception(at)
    assert raw_peak_hz(at) == 60
    # the notch follows the mains ("Match mains")
    assert "Notch 60 Hz" in [m.value.split(". ", 1)[-1] for m in at.markdown]


def test_lecture_toggle_enlarges_the_fonts_and_hides_the_detail_controls(at):
    normal = plotly_spec(at, "teach_step_0_time")["layout"]["font"]["size"]
    assert at.slider(key="teach_n_units").value == 100
    at.slider(key="teach_n_units").set_value(50).run()
    at.toggle(key="teach_lecture").set_value(True).run()
    assert_no_exception(at)
    large = plotly_spec(at, "teach_step_0_time")["layout"]["font"]["size"]
    assert large >= 20 > normal
    keys = {w.key for w in at.slider} | {w.key for w in at.radio} | {w.key for w in at.selectbox}
    assert {"teach_profile", "teach_level", "teach_mains", "teach_snr_db"} <= keys
    assert not keys & {"teach_n_units", "teach_duration_s", "teach_ecg_uv", "teach_fatigue"}
    # the hidden settings are kept: back from lecture view, still 50 units
    at.toggle(key="teach_lecture").set_value(False).run()
    assert at.slider(key="teach_n_units").value == 50


def test_audio_of_raw_and_filtered_are_wav_files(at, media):  # noqa: F811
    audio = at.get("audio")
    assert len(audio) == 2
    files = [media(a.proto.url) for a in audio]
    assert all(f.content[:4] == b"RIFF" for f in files)
    assert files[0].content != files[1].content


def test_bursts_are_scored_against_the_truth(at):
    table = at.dataframe[0].value
    assert list(table["channel"]) == ["emg1", "emg2"]
    truth = simulate(**sim_params({})).truth.bursts
    n_true = (truth["channel"] == "emg1").sum()
    assert n_true == 4
    assert ((table["hits"] + table["misses"]) == n_true).all()
    assert (table["hits"] >= 3).all() and (table["mean |error| (ms)"] < 100).all()


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
    at.selectbox(key="teach_profile").set_value("fatigue").run()
    assert at.slider(key="teach_fatigue").value == pytest.approx(0.3)


def test_a_bad_combination_is_an_error_message_not_a_traceback(at):
    at.number_input(key="teach_low_hz").set_value(150.0).run()
    at.number_input(key="teach_high_hz").set_value(100.0).run()
    assert_no_exception(at)
    assert any("low_hz must be below high_hz" in e.value for e in at.error)


def test_fewer_channels_than_the_drawn_one_falls_back_to_the_first(at):
    at.slider(key="teach_n_channels").set_value(4).run()
    at.selectbox(key="teach_channel").set_value(3).run()
    at.slider(key="teach_n_channels").set_value(2).run()
    assert_no_exception(at)
    assert at.selectbox(key="teach_channel").value == 0


def test_settings_from_the_app_replace_the_views_own_filter_controls():
    script = ("from emgviz.settings import Settings\n"
              "from emgviz.views import teach\n"
              "teach.render(settings=Settings(low_hz=30, notch_hz=None))\n")
    app = AppTest.from_string(script, default_timeout=60).run()
    assert_no_exception(app)
    labels = [m.value.split(". ", 1)[-1] for m in app.markdown if m.value.startswith("##### ")]
    assert "Band-pass 30–450 Hz" in labels and not any(x.startswith("Notch") for x in labels)
    assert len(app.get("plotly_chart")) == 2 * 5
    keys = {w.key for w in app.selectbox} | {w.key for w in app.number_input}
    assert "teach_notch" not in keys and "teach_low_hz" not in keys


def test_npz_and_csv_downloads_hold_the_simulated_recording(deferred, at):  # noqa: F811 (deferred before at)
    from emgviz.io import read_bytes

    rec = simulate(**sim_params({})).recording
    npz = deferred(at.get_by_key("teach_download_npz"))
    assert npz.filename == "simulated_emg.npz"
    back = read_bytes(npz.content, "sim.npz")
    np.testing.assert_array_equal(back.data, rec.data)
    assert back.ch_names == rec.ch_names and back.fs == rec.fs
    assert list(back.events["label"]) == list(rec.events["label"])
    csv = deferred(at.get_by_key("teach_download_csv"))
    assert csv.filename == "simulated_emg.csv" and csv.mimetype.startswith("text/csv")
    text = csv.content.decode()
    assert "# sampling rate (Hz): 2000.0" in text and "emg1 (V)" in text
    back = read_bytes(csv.content, "sim.csv")
    assert back.ch_names == rec.ch_names and back.fs == rec.fs
    np.testing.assert_array_equal(back.data, rec.data)
