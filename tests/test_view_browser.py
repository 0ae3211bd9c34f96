"""Browse view through AppTest on the view host of tests/apptest_utils.py (independent of app.py)."""


import numpy as np
import pytest

from apptest_utils import assert_no_exception, media, plotly_spec, view_app  # noqa: F401  (media is a fixture)



def _open(at, panel: str):
    """Open one of the lazy panels (``scales``, ``markers``, ``sound``): their widgets exist only while open."""
    at.session_state[f"browse_{panel}_open"] = True
    return at.run()


def _xrange(at):
    return plotly_spec(at, "browse_chart")["layout"]["xaxis"]["range"]


@pytest.fixture
def at(media):  # noqa: F811
    a = view_app("browser", "uci").run()
    assert_no_exception(a)
    return a


def test_first_page_starts_at_the_recording_start(at):
    t0, t1 = _xrange(at)
    assert t0 == pytest.approx(0.001)          # the UCI file's clock starts at 1 ms
    assert t1 - t0 == pytest.approx(10.0)
    spec = plotly_spec(at, "browse_chart")
    assert spec["layout"]["yaxis"]["ticktext"] == [f"channel{i}" for i in range(1, 9)]
    assert not at.error


def test_paging_forward_back_and_time_base(at):
    at.button(key="browse_next").click().run()
    assert_no_exception(at)
    assert _xrange(at)[0] == pytest.approx(10.001)
    at.button(key="browse_next").click().run()
    at.button(key="browse_prev").click().run()
    assert _xrange(at)[0] == pytest.approx(10.001)
    at.selectbox(key="browse_page_s").select(2.0).run()
    assert_no_exception(at)
    t0, t1 = _xrange(at)
    assert (t0, t1 - t0) == (pytest.approx(10.001), pytest.approx(2.0))
    # the slider and the jump box follow the page
    assert at.slider(key="browse_pos").value == pytest.approx(10.001)
    assert at.number_input(key="browse_jump").value == pytest.approx(10.001)


def test_last_page_stops_at_the_end_and_jump_goes_there(at):
    box = at.number_input(key="browse_jump")
    assert box.proto.max == pytest.approx(0.001 + 61.641 - 10)   # the last full page
    box.set_value(box.proto.max).run()
    assert_no_exception(at)
    t0, t1 = _xrange(at)
    assert t1 == pytest.approx(0.001 + 61.641)
    at.button(key="browse_next").click().run()
    assert _xrange(at)[0] == pytest.approx(t0)
    at.slider(key="browse_pos").set_value(30.0).run()
    assert _xrange(at)[0] == pytest.approx(30.0)
    # the overview's page box follows
    shape = plotly_spec(at, "browse_overview")["layout"]["shapes"][0]
    assert shape["x0"] == pytest.approx(30.0)


def test_scales_and_channels(at):
    at.multiselect(key="browse_channels").set_value(["channel3", "channel1"]).run()
    assert_no_exception(at)
    spec = plotly_spec(at, "browse_chart")
    assert spec["layout"]["yaxis"]["ticktext"] == ["channel3", "channel1"]      # order picked, top to bottom
    assert [d["name"] for d in spec["data"]] == ["channel3", "channel1"]
    options = at.selectbox(key="browse_scale").options
    assert options[0].startswith("auto") and all(o.endswith(" a.u./div") for o in options[1:])
    shared, other = options[12], options[10]          # two fixed scales (1-2-5 steps)
    at.selectbox(key="browse_scale").select_index(12).run()
    assert_no_exception(at)
    notes = [a["text"] for a in plotly_spec(at, "browse_chart")["layout"]["annotations"]]
    assert notes[:2] == [shared, shared]
    assert not [b for b in at.selectbox if b.key == "browse_scale_channel1"]   # the panel is closed: not built
    _open(at, "scales")
    box = at.selectbox(key="browse_scale_channel1")
    assert box.options[0] == "as above"
    box.select_index(box.options.index(other)).run()
    assert_no_exception(at)
    spec = plotly_spec(at, "browse_chart")
    assert [a["text"] for a in spec["layout"]["annotations"]][:2] == [shared, other]
    # a smaller scale per division draws the same samples taller
    s = spec["layout"]["meta"]["scales"]
    assert s["channel1"] < s["channel3"]
    # closing the panel keeps the per-channel choice (its selectboxes are gone, the scale is not)
    at.session_state["browse_scales_open"] = False
    at.run()
    assert_no_exception(at)
    assert not [b for b in at.selectbox if b.key == "browse_scale_channel1"]
    assert [a["text"] for a in plotly_spec(at, "browse_chart")["layout"]["annotations"]][:2] == [shared, other]
    at.button(key="browse_next").click().run()
    assert [a["text"] for a in plotly_spec(at, "browse_chart")["layout"]["annotations"]][:2] == [shared, other]
    _open(at, "scales")   # and shows it again when reopened
    box = at.selectbox(key="browse_scale_channel1")
    assert box.options[box.index] == other


def test_filtered_envelope_bursts_events(at):
    at.radio(key="browse_signal").set_value("Filtered").run()
    at.toggle(key="browse_envelope").set_value(True).run()
    at.toggle(key="browse_bursts").set_value(True).run()
    assert_no_exception(at)
    spec = plotly_spec(at, "browse_chart")
    names = [d["name"] for d in spec["data"]]
    assert sum(n.endswith("envelope") for n in names) == 8
    kinds = {s["type"] for s in spec["layout"].get("shapes", [])}
    assert "line" in kinds                     # the file's events on this page
    assert not at.warning, [w.value for w in at.warning]


def test_markers_survive_paging_and_download(at, media):  # noqa: F811
    at.button(key="browse_next").click().run()
    assert not [t for t in at.text_input if t.key == "browse_marker_note"]   # closed: not built
    _open(at, "markers")
    at.text_input(key="browse_marker_note").set_value("twitch").run()
    at.button(key="browse_marker_add").click().run()
    assert_no_exception(at)
    ann = [a["text"] for a in plotly_spec(at, "browse_chart")["layout"]["annotations"]]
    assert "▼ twitch" in ann
    at.button(key="browse_next").click().run()
    at.button(key="browse_prev").click().run()
    assert "▼ twitch" in [a["text"] for a in plotly_spec(at, "browse_chart")["layout"]["annotations"]]
    csv = media(at.get("download_button")[0].proto.url).content.decode()
    assert csv.splitlines() == ["time_s,note", "10.001000,twitch"]
    at.number_input(key="browse_marker_time").set_value(3.5).run()
    at.button(key="browse_marker_add").click().run()
    at.selectbox(key="browse_marker_pick").set_value(1).run()
    at.button(key="browse_marker_delete").click().run()
    assert_no_exception(at)
    csv = media(at.get("download_button")[0].proto.url).content.decode()
    assert csv.splitlines() == ["time_s,note", "3.500000,"]


def test_spectrum_and_sound_of_the_page(at, media):  # noqa: F811
    at.selectbox(key="browse_page_s").select(5.0).run()
    assert not [t for t in at.toggle if t.key == "browse_audio_on"]   # closed: not built
    _open(at, "sound")
    at.toggle(key="browse_audio_on").set_value(True).run()
    at.selectbox(key="browse_audio_slowdown").set_value(2.0).run()
    assert_no_exception(at)
    # the spectrum is computed only when asked for (page changes stay fast)
    with pytest.raises(KeyError):
        plotly_spec(at, "browse_psd")
    at.toggle(key="browse_spec_on").set_value(True).run()
    assert_no_exception(at)
    psd = plotly_spec(at, "browse_psd")
    assert psd["layout"]["xaxis"]["title"]["text"] == "Frequency (Hz)"
    spg = plotly_spec(at, "browse_spectrogram")
    assert spg["data"][0]["type"] == "heatmap"
    wav = media(at.get("audio")[0].proto.url).content
    assert wav[:4] == b"RIFF"
    n_frames = (len(wav) - 44) // 2
    assert n_frames == pytest.approx(5.0 * 2 * 44100, abs=1)   # exactly the page, slowed 2x
    at.checkbox(key="browse_psd_response").check().run()
    assert len(plotly_spec(at, "browse_psd")["data"]) == 2


def test_synthetic_recording_in_volts(monkeypatch, media):  # noqa: F811
    a = view_app("browser", "browse-synthetic").run()
    assert_no_exception(a)
    spec = plotly_spec(a, "browse_chart")
    assert spec["layout"]["xaxis"]["range"] == [5.0, 15.0]
    notes = [t["text"] for t in spec["layout"]["annotations"][:3]]
    assert len(notes) == 3 and all(n.endswith("µV/div") for n in notes), notes
    a.button(key="browse_next").click().run()
    assert plotly_spec(a, "browse_chart")["layout"]["xaxis"]["range"] == [15.0, 25.0]
    assert np.isfinite(a.slider(key="browse_pos").value)


def test_the_page_and_scales_are_in_the_link_and_a_link_reopens_them(at):
    at.button(key="browse_next").click().run()
    at.selectbox(key="browse_page_s").select(5.0).run()
    choices = at.selectbox(key="browse_scale").options
    at.selectbox(key="browse_scale").set_value(at.selectbox(key="browse_scale").value).run()  # auto
    link = dict(at.query_params)
    assert link["browse.t"] == "10.001" and link["browse.page_s"] == "5" and link["browse.scale"] == "auto"
    assert len(choices) > 1
    again = view_app("browser", "uci")
    for key, value in {**link, "browse.scale": "0.0002"}.items():
        again.query_params[key] = value
    again.run()
    assert_no_exception(again)
    t0, t1 = _xrange(again)
    assert (t0, t1 - t0) == (pytest.approx(10.001), pytest.approx(5.0))
    assert again.selectbox(key="browse_scale").value == pytest.approx(2e-4)
    assert dict(again.query_params)["browse.scale"] == "0.0002"


def test_a_bad_link_value_is_a_warning_and_ignored(media):  # noqa: F811
    at = view_app("browser", "uci")
    at.query_params["browse.page_s"] = "7"
    at.query_params["browse.t"] = "soon"
    at.run()
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "time base is one of" in warnings and "browse.t='soon'" in warnings and "not a number" in warnings
    assert _xrange(at)[0] == pytest.approx(0.001)
