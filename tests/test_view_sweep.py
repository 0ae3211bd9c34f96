"""The clinical sweep in Browse (AppTest on the bundled needle myopathy record)."""

import numpy as np
import pytest

from apptest_utils import assert_no_exception, plotly_spec, trace_array, view_app, view_context


@pytest.fixture(scope="module")
def rec_uv():
    rec = view_context("needle-myopathy").rec
    return rec.data[0] * 1e6, rec.fs


@pytest.fixture
def at():
    app = view_app("browser", "needle-myopathy", timeout=120).run()
    assert_no_exception(app)
    app.toggle(key="browse_sweep").set_value(True).run()
    assert_no_exception(app)
    return app


def test_sweep_default_screen_and_cursors(at, rec_uv):
    x, fs = rec_uv
    spec = plotly_spec(at, "sweep_chart")
    line = spec["data"][0]
    # 10 ms/div × 10 div = 400 samples at 4 kHz from t = 0; hover = the raw data in µV
    np.testing.assert_allclose(trace_array(line["customdata"]), x[:400])
    assert spec["layout"]["xaxis"]["range"] == [0.0, 100.0]
    assert "µV" in line["hovertemplate"]
    # cursors: values at the cursors = the data at those samples
    at.number_input(key="sweep_c1").set_value(12.5).run()
    at.number_input(key="sweep_c2").set_value(40.0).run()
    assert_no_exception(at)
    df = at.dataframe[0].value
    assert df["V1 (µV)"].iloc[0] == pytest.approx(x[50])
    assert df["V2 (µV)"].iloc[0] == pytest.approx(x[160])
    assert df["Δt (ms)"].iloc[0] == pytest.approx(27.5)
    assert df["ΔV (µV)"].iloc[0] == pytest.approx(x[160] - x[50])


def test_sweep_time_base_sensitivity_and_paging(at, rec_uv):
    x, fs = rec_uv
    at.selectbox(key="sweep_ms_div").set_value(5.0).run()
    at.selectbox(key="sweep_uv_div").set_value(50.0).run()
    at.button(key="sweep_next").click().run()
    assert_no_exception(at)
    spec = plotly_spec(at, "sweep_chart")
    seg = x[200:400]  # the second 50 ms sweep
    np.testing.assert_allclose(trace_array(spec["data"][0]["customdata"]), seg)
    beyond = np.abs(seg) > 200
    if beyond.any():  # clip marks on exactly the samples beyond ±4 div
        assert trace_array(spec["data"][1]["customdata"]).size == beyond.sum()
    assert at.number_input(key="sweep_start").value == pytest.approx(0.05)


def test_raster_and_triggered(at, rec_uv):
    x, fs = rec_uv
    at.radio(key="sweep_mode").set_value("Raster").run()
    assert_no_exception(at)
    spec = plotly_spec(at, "sweep_chart")
    lines = [d for d in spec["data"] if d["mode"] == "lines"]
    assert len(lines) == 10
    np.testing.assert_allclose(trace_array(lines[3]["customdata"]), x[1200:1600])
    at.radio(key="sweep_mode").set_value("Triggered").run()
    at.number_input(key="sweep_level").set_value(-300.0).run()
    assert_no_exception(at)
    spec = plotly_spec(at, "sweep_chart")
    lines = [d for d in spec["data"] if d["mode"] == "lines"]
    assert 1 <= len(lines) <= 20
    pre = int(20 * fs / 1000)  # default delay 2 div = 20 ms
    for d in lines:  # every sweep crosses −300 µV at the delay line
        y = trace_array(d["customdata"])
        assert y[pre] <= -300 < y[pre - 1]
    assert "falling" in spec["layout"]["title"]["text"]
    at.radio(key="sweep_tdisplay").set_value("raster").run()
    assert_no_exception(at)
    assert len(plotly_spec(at, "sweep_chart")["layout"]["yaxis"]["ticktext"]) == len(lines)
    at.number_input(key="sweep_level").set_value(1e6).run()
    assert_no_exception(at)
    assert any("No crossing" in i.value for i in at.info)


def test_sound_of_the_span(at):
    at.toggle(key="sweep_audio_on").set_value(True).run()
    assert_no_exception(at)
    assert len(at.get("audio")) == 1
