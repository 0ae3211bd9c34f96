"""AppTest of the real app.py: default sample, settings, URL state, uploads, bad files, every view."""

import numpy as np
import pytest

from apptest_utils import assert_no_exception, media, new_app, overview_table, plotly_spec, trace_array  # noqa: F401

from badfiles import cases
from emgviz.views.text import md


@pytest.fixture
def at(media):  # noqa: F811  (media first: it captures the app's media store)
    a = new_app().run()
    assert_no_exception(a)
    return a


def test_opens_on_the_bundled_multichannel_recording(at):
    spec = plotly_spec(at, "overview_chart")
    names = {t.get("name") for t in spec["data"]}
    assert {f"channel{i}" for i in range(1, 9)} <= names
    table = overview_table(at)
    assert list(table["channel"]) == [f"channel{i}" for i in range(1, 9)]
    # decimated for display: no trace sends the 61 641 raw samples
    assert max(len(trace_array(t["x"])) for t in spec["data"] if "x" in t) < 20_000


def test_changing_a_filter_setting_changes_the_table(at):
    before = overview_table(at).set_index("channel")
    at.number_input(key="set_high_hz").set_value(150.0).run()
    assert_no_exception(at)
    after = overview_table(at).set_index("channel")
    rms = [c for c in before.columns if c.startswith("RMS")][0]
    mdf = [c for c in before.columns if c.startswith("MDF")][0]
    assert (after[rms] < before[rms]).all()
    assert (after[mdf] < before[mdf]).all()


def test_settings_come_from_and_go_to_the_url():
    at = new_app()
    at.query_params["notch_hz"] = "50"
    at.query_params["rms_window_ms"] = "250"
    at.query_params["sample"] = "emgdb-healthy"
    at.run()
    assert_no_exception(at)
    assert at.radio(key="set_notch_hz").value == "50 Hz"
    assert at.number_input(key="set_rms_window_ms").value == 250.0
    assert at.selectbox(key="sample").value == "emgdb-healthy"
    assert list(overview_table(at)["channel"]) == ["EMG"]
    at.radio(key="set_envelope").set_value("lowpass").run()
    assert at.query_params["envelope"] == ["lowpass"] or at.query_params["envelope"] == "lowpass"
    assert "notch_hz" in at.query_params


def test_bad_link_values_are_reported_not_fatal():
    at = new_app()
    at.query_params["order"] = "many"
    at.query_params["view"] = "Nowhere"
    at.run()
    assert_no_exception(at)
    text = " ".join(w.value for w in at.warning)
    assert "order" in text and "Nowhere" in text


@pytest.mark.parametrize("view", ["Browse", "Summary", "Compare", "Teach"])
def test_every_view_renders(at, view):
    at.radio(key="view").set_value(view).run()
    assert_no_exception(at)
    if view == "Compare":  # needs a second session first (the prompt is checked in test_view_compare.py)
        at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
        assert_no_exception(at)
    # Teach draws its steps on a mounted canvas, Browse on the mounted Plotly component (both custom
    # components), Summary and Compare with st.plotly_chart
    charts = at.get("bidi_component") if view in ("Teach", "Browse") else at.get("plotly_chart")
    assert charts, f"{view} drew no chart"


def test_upload_csv_without_rate_asks_for_fs(at):
    at.radio(key="source").set_value("Upload").run()
    tone = "\n".join(f"{np.sin(2 * np.pi * 80 * i / 1000) * 1e-4:.6e}" for i in range(3000))
    at.file_uploader(key="upload").set_value(("tone.csv", tone.encode(), "text/csv")).run()
    assert_no_exception(at)
    assert any("fs" in w.value or "sampling rate" in w.value.lower() for w in at.warning)
    fs_input = [n for n in at.number_input if n.key and n.key.startswith("fs_")][0]
    fs_input.set_value(1000.0).run()
    assert_no_exception(at)
    table = overview_table(at)
    assert len(table) == 1
    mdf = [c for c in table.columns if c.startswith("MDF")][0]
    assert table[mdf].iloc[0] == pytest.approx(80, abs=8)


def test_wfdb_pair_uploaded_together(at, sample_dir):
    at.radio(key="source").set_value("Upload").run()
    files = [(n, (sample_dir / n).read_bytes(), "application/octet-stream")
             for n in ("emg_healthy.hea", "emg_healthy.dat")]
    at.file_uploader(key="upload").set_value(files).run()
    assert_no_exception(at)
    assert list(overview_table(at)["channel"]) == ["EMG"]


@pytest.mark.parametrize("name", ["empty.csv", "junk.csv", "truncated.edf", "pickled.npz", "wide.csv"])
def test_bad_upload_shows_an_error_and_the_app_keeps_working(at, name):
    content = {n: c for n, c, _ in cases(include_slow=False)}[name]
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader(key="upload").set_value((name, content, "application/octet-stream")).run()
    assert_no_exception(at)
    assert any(md(name) in e.value for e in at.error), [e.value for e in at.error]  # shown escaped
    at.radio(key="source").set_value("Sample").run()
    assert_no_exception(at)
    assert len(overview_table(at)) == 8


def test_unit_of_a_file_that_states_none_can_be_set(at):
    table = overview_table(at)
    assert any(c == "RMS (µV)" for c in table.columns)  # volts (the sample's documented unit), shown in µV
    radio = [r for r in at.radio if r.key and r.key.startswith("unit_")][0]
    assert radio.value == "V"
    radio.set_value("a.u.").run()
    assert_no_exception(at)
    assert any(c == "RMS (a.u.)" for c in overview_table(at).columns)


def test_browse_in_the_real_app_pages_and_keeps_markers_through_reprocessing(at, media):  # noqa: F811
    # paging and markers in detail: test_view_browser.py; here the app's own wiring
    at.radio(key="view").set_value("Browse").run()
    assert_no_exception(at)
    x0 = plotly_spec(at, "browse_chart")["layout"]["xaxis"]["range"]
    at.button(key="browse_next").click().run()
    assert_no_exception(at)
    x1 = plotly_spec(at, "browse_chart")["layout"]["xaxis"]["range"]
    assert x1[0] == pytest.approx(x0[1]) and (x1[1] - x1[0]) == pytest.approx(x0[1] - x0[0])
    at.session_state["browse_markers_open"] = True   # the markers panel is built only while open
    at.run()
    at.text_input(key="browse_marker_note").set_value("tremor burst")
    at.button(key="browse_marker_add").click().run()
    # reprocessing (a new notch) keeps the markers
    at.radio(key="set_notch_hz").set_value("50 Hz").run()
    assert_no_exception(at)
    text = media(at.download_button(key="browse_marker_download").proto.url).content.decode()
    assert text.splitlines() == ["time_s,note", f"{x1[0]:.6f},tremor burst"]
