"""The Compare view in AppTest: the loaded recording against a bundled sample."""

import io
import sys

import numpy as np
import pandas as pd
import pytest

from apptest_utils import all_plotly_specs, assert_no_exception, media, plotly_spec, trace_array, view_app  # noqa: F401

# default labels come from the file names: the host's loaded "uci doubled" and the sample's file stem
PRE, POST = "uci doubled", "uci_gestures_1_raw_data"


@pytest.fixture
def at(media):
    a = view_app("compare", "uci-doubled", timeout=90).run()
    assert_no_exception(a)
    return a


def test_one_session_asks_for_a_second(at):
    assert any("Add a second recording" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_loaded_recording_vs_bundled_sample(at, media):
    at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    # the loaded recording is the sample at twice the amplitude: the sample ("post") has RMS −50 %
    url = at.get_by_key("compare_dl_table").proto.url
    text = media(url).content.decode()
    assert text.startswith("# emgviz") and "# settings: DC removed" in text and "Hedges" in text
    table = pd.read_csv(io.StringIO(text), comment="#")
    rms = table[(table["feature"] == "RMS (µV)") & (table["session"] == POST)]
    assert len(rms) == 8
    np.testing.assert_allclose(rms["change_pct"], -50.0, atol=1e-6)
    assert (rms["g_ci_high"] < 0).all()
    assert any("Hedges" in c.value for c in at.caption)
    bars = plotly_spec(at, "compare_bars_chart")
    assert [t["name"] for t in bars["data"]] == [PRE, POST]
    pre, post = (trace_array(t["y"]) for t in bars["data"])
    np.testing.assert_allclose(post / pre, 0.5, rtol=1e-6)
    assert len(all_plotly_specs(at)) == 2  # bars + effect sizes; the other tabs compute when opened


@pytest.mark.parametrize("tab, chart", [("Envelopes", "compare_env_chart"), ("Spectra", "compare_psd_chart"),
                                        ("Fatigue", "compare_fatigue_chart")])
def test_every_tab_renders_its_chart(at, tab, chart):
    at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
    at.session_state["compare_tabs"] = tab
    at.run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    spec = plotly_spec(at, chart)
    assert {t.get("name") for t in spec["data"] if t.get("showlegend", True)} >= {PRE, POST}


def test_symmetry_between_sessions(at):
    at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
    at.session_state["compare_tabs"] = "Symmetry"
    at.run()
    assert_no_exception(at)
    si = next(d.value for d in at.dataframe if "symmetry_index_pct" in d.value.columns)
    rms = si[si["feature"] == "RMS (µV)"]["symmetry_index_pct"].to_numpy()
    assert len(rms) == 8
    # left = pre (twice the amplitude), right = post: SI = (1 − 2) / 1.5 · 100 = −66.7 %
    np.testing.assert_allclose(rms, -200 / 3, atol=1e-6)


def test_labels_and_reference_drive_the_table(at, media):
    at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
    at.text_input(key="compare_label_current").set_value("day 30").run()
    at.text_input(key="compare_label_sample_uci_gestures").set_value("day 1").run()
    at.selectbox(key="compare_reference").select("day 1").run()
    assert_no_exception(at)
    text = media(at.get_by_key("compare_dl_table").proto.url).content.decode()
    table = pd.read_csv(io.StringIO(text), comment="#")
    rms = table[(table["feature"] == "RMS (µV)") & (table["session"] == "day 30")]
    assert len(rms) == 8
    np.testing.assert_allclose(rms["change_pct"], 100.0, atol=1e-6)


def test_duplicate_labels_are_an_error_not_a_traceback(at):
    at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
    at.text_input(key="compare_label_sample_uci_gestures").set_value(PRE).run()
    assert_no_exception(at)
    assert any("unique" in e.value for e in at.error)


def test_cycles_from_file_events_and_a_bad_upload(at):
    at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
    at.session_state["compare_tabs"] = "Cycles"
    at.run()
    assert at.selectbox(key="compare_cycle_source").value == "file events"
    assert_no_exception(at)
    spec = plotly_spec(at, "compare_cycle_chart")
    xs = trace_array(spec["data"][1]["x"])
    assert xs[0] == 0.0 and xs[-1] == 100.0
    at.file_uploader(key="compare_upload").set_value([("broken.edf", b"0       garbage", "application/octet-stream")])
    at.run()
    assert_no_exception(at)
    assert any("broken.edf" in e.value for e in at.error)


# ---- no filtering inside the comparison ----------------------------------------------------------
def test_compare_never_filters_inside_the_comparison(monkeypatch):
    """Sessions carry their filtered recordings from the shared processing cache."""
    import emgviz.pipeline as pipeline

    real = pipeline.preprocess
    callers = []

    def counting(*args, **kwargs):
        callers.append(sys._getframe(1).f_globals.get("__name__"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "preprocess", counting)
    at = view_app("compare", "uci-doubled", timeout=120).run()
    at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert len(at.dataframe) >= 1
    for tab in ("Envelopes", "Spectra", "Fatigue"):
        at.session_state["compare_tabs"] = tab
        at.run()
        assert_no_exception(at)
        assert not at.error, [e.value for e in at.error]
    assert "emgviz.compare" not in callers
