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
    lines = [d for d in spec["data"] if "lines" in d["mode"]]
    assert len(lines) == 10
    np.testing.assert_allclose(trace_array(lines[3]["customdata"]), x[1200:1600])
    at.radio(key="sweep_mode").set_value("Triggered").run()
    at.number_input(key="sweep_level").set_value(-300.0).run()
    assert_no_exception(at)
    spec = plotly_spec(at, "sweep_chart")
    lines = [d for d in spec["data"] if "lines" in d["mode"]]
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


def _cursor_lines_at(spec) -> list[float]:
    return sorted(float(sh["x0"]) for sh in spec["layout"]["shapes"]
                  if sh["line"].get("dash") == "dash" and sh["x0"] == sh["x1"])  # vertical lines only


def test_cursors_in_raster_mode_read_every_sweep(at, rec_uv):
    x, fs = rec_uv
    at.radio(key="sweep_mode").set_value("Raster").run()
    at.number_input(key="sweep_c1").set_value(12.5).run()
    at.number_input(key="sweep_c2").set_value(40.0).run()
    assert_no_exception(at)
    spec = plotly_spec(at, "sweep_chart")
    assert _cursor_lines_at(spec) == [12.5, 40.0]  # C1 and C2 drawn across the raster
    rows = [d for d in spec["data"] if d["name"].startswith("#") and "clipped" not in d["name"]]
    assert len(rows) == 10 and all(d["mode"] == "lines+markers" for d in rows)  # clickable
    df = next(d.value for d in at.dataframe if "sweep" in d.value.columns)
    assert len(df) == 10 and df["sweep"].iloc[3].startswith("#4 0.300 s")
    for i in range(10):  # row i starts at sample 400·i (100 ms sweeps at 4 kHz)
        assert df["V1 (µV)"].iloc[i] == pytest.approx(x[400 * i + 50])
        assert df["V2 (µV)"].iloc[i] == pytest.approx(x[400 * i + 160])
        assert df["ΔV (µV)"].iloc[i] == pytest.approx(x[400 * i + 160] - x[400 * i + 50])
    np.testing.assert_allclose(df["Δt (ms)"], 27.5)
    said = " ".join(m.value for m in at.markdown)
    assert "Δt 27.50 ms" in said and f"ΔV {x[160] - x[50]:.1f} µV" in said


def test_cursors_in_triggered_mode_are_ms_from_the_trigger(at, rec_uv):
    x, fs = rec_uv
    at.radio(key="sweep_mode").set_value("Triggered").run()
    at.number_input(key="sweep_level").set_value(-300.0).run()
    at.number_input(key="sweep_c1").set_value(-5.0).run()  # 5 ms before the trigger (inside the 20 ms delay)
    at.number_input(key="sweep_c2").set_value(10.0).run()
    assert_no_exception(at)
    assert at.number_input(key="sweep_c1").label == "Cursor 1 (ms from trigger)"
    spec = plotly_spec(at, "sweep_chart")
    assert _cursor_lines_at(spec) == [-5.0, 10.0]
    sweeps = [trace_array(d["customdata"]) for d in spec["data"] if d["name"].startswith("#") and "clipped" not in d["name"]]
    df = next(d.value for d in at.dataframe if "sweep" in d.value.columns)
    pre = int(20 * fs / 1000)
    assert len(df) == len(sweeps) >= 1
    for i, y in enumerate(sweeps):  # x = −5 ms and +10 ms from each trigger
        assert df["V1 (µV)"].iloc[i] == pytest.approx(y[pre - 20])
        assert df["V2 (µV)"].iloc[i] == pytest.approx(y[pre + 40])
    said = " ".join(m.value for m in at.markdown)  # the newest (bold) sweep is read above the chart
    assert f"{df['sweep'].iloc[-1][1:]}**: C1 -5.00 ms" in said and "**Sweep " in said and "Δt 15.00 ms" in said


def test_a_triggered_click_is_clamped_to_the_sweep_from_minus_the_delay(monkeypatch):
    import streamlit as st

    from emgviz.views import sweep

    state = {"sweep_chart": {"selection": {"points": [{"x": -50.0, "y": 0.0}]}}}
    monkeypatch.setattr(st, "session_state", state)  # the callback only reads and writes the session state
    sweep._on_chart_click(100.0, -20.0)  # a 100 ms sweep from −20 ms (the delay line at 0)
    assert state["sweep_c1"] == -20.0 and state["sweep__next_cursor"] == 2
    state["sweep_chart"] = {"selection": {"points": [{"x": 95.0, "y": 0.0}]}}
    sweep._on_chart_click(100.0, -20.0)
    assert state["sweep_c2"] == 80.0 and state["sweep__next_cursor"] == 1


def test_sound_of_the_span(at):
    at.toggle(key="sweep_audio_on").set_value(True).run()
    assert_no_exception(at)
    assert len(at.get("audio")) == 1
