"""Clinical sweep: its state in the URL (sweep.*), cursors placed by a chart click, decimation at 20–50 kHz."""

import numpy as np
import pytest

from apptest_utils import assert_no_exception, new_app, plotly_spec, trace_array, view_context
from emgviz.plotting.sweep import MAX_POINTS, raster_figure, sweep_figure, triggered_figure


def _open_link(params: dict):
    """The app opened from a link holding ``params``, run once, without an exception."""
    at = new_app(timeout=300)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert_no_exception(at)
    return at


def test_a_link_opens_the_sweep_as_it_was_and_the_url_follows_the_controls():
    at = _open_link({"view": "Browse", "sample": "emgdb-myopathy", "sweep.tb": "5", "sweep.sens": "500",
                 "sweep.t": "2", "sweep.c1": "12.5", "sweep.c2": "40"})
    assert at.toggle(key="browse_sweep").value is True  # the link's sweep.* opened the clinical sweep
    assert at.selectbox(key="sweep_ms_div").value == 5.0 and at.selectbox(key="sweep_uv_div").value == 500.0
    assert at.number_input(key="sweep_c1").value == 12.5 and at.number_input(key="sweep_c2").value == 40.0
    spec = plotly_spec(at, "sweep_chart")
    assert spec["layout"]["title"]["text"].startswith("Sweep from 2.000 s · 5 ms/div · 500 µV/div")
    rec = view_context("needle-myopathy").rec
    x = rec.data[0] * 1e6
    np.testing.assert_allclose(trace_array(spec["data"][0]["customdata"]), x[8000:8200])  # 50 ms from 2 s
    readout = next(m.value for m in at.markdown if "Δt" in m.value)
    assert "Δt 27.50 ms" in readout and f"ΔV {x[8000 + 160] - x[8000 + 50]:.1f} µV" in readout
    # the controls write the URL back
    at.radio(key="sweep_mode").set_value("Triggered").run()
    at.number_input(key="sweep_level").set_value(-300.0).run()
    assert_no_exception(at)
    qp = at.query_params
    assert qp["sweep.mode"] == ["Triggered"] or qp["sweep.mode"] == "Triggered"
    level = qp["sweep.level"]
    assert (level[-1] if isinstance(level, list) else level) == "-300"
    # turning the sweep off drops its parameters, so the link no longer reopens it
    at.toggle(key="browse_sweep").set_value(False).run()
    assert_no_exception(at)
    assert not any(k.startswith("sweep.") for k in at.query_params)


def test_bad_link_values_are_warned_and_ignored():
    at = _open_link({"view": "Browse", "sample": "emgdb-myopathy", "sweep.tb": "7", "sweep.sens": "abc",
                 "sweep.mode": "Oscilloscope", "sweep.level": "0", "sweep.delay": "-5"})
    said = " ".join(w.value for w in at.warning)
    assert "sweep.tb='7'" in said and "5, 10, 20, 50, 100, 200 ms/div" in said
    assert "sweep.sens='abc'" in said and "not a number" in said
    assert "sweep.mode='Oscilloscope'" in said and "Sweep, Raster, Triggered" in said
    assert "sweep.level='0'" in said and "sweep.delay='-5'" in said
    assert at.selectbox(key="sweep_ms_div").value == 10.0 and at.radio(key="sweep_mode").value == "Sweep"


def _click_script():
    import streamlit as st

    from emgviz.views import sweep

    for x in (30.0, 75.0, 120.0, None):  # the third click is beyond the 100 ms sweep; None: an empty selection
        st.session_state["sweep_chart"] = {"selection": {"points": [] if x is None else [{"x": x, "y": 1.0}]}}
        sweep._on_chart_click(100.0)
        st.write(f"{st.session_state.get('sweep_c1')} {st.session_state.get('sweep_c2')}")


def test_clicks_place_cursor_1_then_2_then_alternate():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_click_script).run()
    assert_no_exception(at)
    assert [m.value for m in at.markdown] == ["30.0 None", "30.0 75.0", "100.0 75.0", "100.0 75.0"]


@pytest.mark.parametrize("fs", [20_000.0, 50_000.0])
def test_fast_recordings_are_drawn_decimated_with_every_spike(fs):
    rng = np.random.default_rng(1)
    n = int(round(10 * 200.0 * fs / 1000.0))  # one 2 s sweep at 200 ms/div
    x = rng.normal(0, 5.0, n)
    spikes = np.sort(rng.choice(n // 200, 40, replace=False)) * 200 + 100  # ≥ 200 samples apart: > 2 buckets
    x[spikes] = rng.choice([-1, 1], 40) * rng.uniform(300, 3000, 40)  # single-sample spikes, some beyond ±4 div
    fig = sweep_figure(x[None, :], fs, ch_names=["TA"], t_start_s=0.0, ms_per_div=200.0, uv_per_div=500.0)
    line = fig.data[0]
    assert len(line.x) <= MAX_POINTS < n
    drawn = np.asarray(line.customdata)
    assert set(np.round(x[spikes], 9)) <= set(np.round(drawn, 9))  # every spike's extreme is drawn
    assert drawn.max() == x.max() and drawn.min() == x.min()
    beyond = int((np.abs(x) > 2000).sum())
    assert f"{beyond} samples clipped" in fig.layout.title.text  # counted on every sample, not the drawn ones
    rows = x[: (n // 10) * 10].reshape(10, -1)
    tr = triggered_figure(rows, fs, trigger_times_s=np.arange(10.0), pre_ms=20.0, ms_per_div=20.0, uv_per_div=500.0,
                          level=-300.0)
    assert all(len(d.x) <= MAX_POINTS for d in tr.data)
    ra = raster_figure(x, fs, t0_s=0.0, start=0, ms_per_div=20.0, uv_per_div=500.0, n_sweeps=10)
    traces = [d for d in ra.data if "lines" in d.mode]
    assert len(traces) == 10 and sum(len(d.x) for d in traces) <= 10 * MAX_POINTS
