"""The mounted Plotly component (emgviz/views/plotly_component.py): which charts use it, what it is handed,
the vendored plotly.js bundle it loads, and the fallback to st.plotly_chart. The browser side (drawn in
place, no Plotly chunk, zoom, click-to-jump): tests/e2e/test_plotly_component_browser.py."""

import json
import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from apptest_utils import assert_no_exception, new_app, plotly_component, plotly_spec, trace_array, view_app
from emgviz.views import plotly_component as pc

OVERVIEW = ("overview_chart", "overview_bars")
BROWSE = ("browse_chart", "browse_overview")


def _bundle_traces() -> set[str]:
    return set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', pc.PLOTLY_JS.read_text(encoding="utf-8")))


def test_the_vendored_bundle_is_plotly_py_s_own_version_with_its_licence():
    from plotly.offline import get_plotlyjs_version

    head = pc.PLOTLY_JS.read_text(encoding="utf-8")[:200]
    assert f"plotly.js (cartesian - minified) v{get_plotlyjs_version()}" in head
    assert pc.PLOTLY_JS.name == f"plotly-cartesian-{get_plotlyjs_version()}.min.js"
    assert "MIT License" in (pc.PLOTLY_JS.parent / "plotly.js-LICENSE.txt").read_text()
    assert {"scatter", "bar", "heatmap"} <= _bundle_traces()
    assert "scattergl" not in _bundle_traces()  # hence Browse draws SVG traces (stacked_figure's default)


def test_overview_uses_the_component_for_both_charts():
    at = new_app().run()
    assert_no_exception(at)
    assert not at.get("plotly_chart")  # no st.plotly_chart left on the page: no Plotly chunk to load
    for key in OVERVIEW:
        payload = plotly_component(at, key)
        assert payload is not None, key
        assert payload["src"] == "app/static/" + pc.PLOTLY_JS.name  # relative: resolved under the app's root
        assert {t.get("type", "scatter") for t in payload["figure"]["data"]} <= _bundle_traces()
    assert plotly_component(at, "overview_bars")["uirevision"] == at.selectbox(key="overview_feature").value
    # the stack as plotly.py encodes it: typed arrays (bdata) the browser decodes
    spec = plotly_spec(at, "overview_chart")
    assert {f"channel{i}" for i in range(1, 9)} <= {t.get("name") for t in spec["data"]}
    assert any(isinstance(t.get("y"), dict) and "bdata" in t["y"] for t in spec["data"])


def test_a_filter_change_hands_the_same_chart_new_data():
    at = new_app().run()
    before = plotly_spec(at, "overview_chart")
    at.number_input(key="set_high_hz").set_value(150.0).run()
    assert_no_exception(at)
    after = plotly_spec(at, "overview_chart")
    y0, y1 = trace_array(before["data"][0]["y"]), trace_array(after["data"][0]["y"])
    assert y0.shape == y1.shape and not np.allclose(y0, y1)
    assert before["layout"]["uirevision"] == after["layout"]["uirevision"]  # same window: a zoom survives


def test_browse_and_its_spectrum_panels_use_the_component():
    at = new_app()
    at.query_params["view"] = "Browse"
    at.run()
    assert_no_exception(at)
    for key in BROWSE:
        assert plotly_component(at, key) is not None, key
    assert plotly_component(at, "browse_overview")["select"] is True  # clicks come back
    assert plotly_component(at, "browse_chart")["select"] is False
    # the strip's page box is drawn over the plot by the component: a new page moves it without a Plotly redraw
    assert plotly_component(at, "browse_overview")["overlay"] is True
    assert plotly_component(at, "browse_chart")["overlay"] is False
    assert plotly_component(at, "browse_overview")["config"] == {"displayModeBar": False}
    at.session_state["browse_spec_on"] = True
    at.run()
    assert_no_exception(at)
    types = {t.get("type") for k in ("browse_psd", "browse_spectrogram") for t in plotly_spec(at, k)["data"]}
    assert "heatmap" in types and types <= _bundle_traces()


def test_falls_back_to_st_plotly_chart(monkeypatch):
    monkeypatch.setenv("EMGVIZ_PLOTLY_COMPONENT", "0")
    at = new_app().run()
    assert_no_exception(at)
    assert not [e for e in at.get("bidi_component") if e.key in OVERVIEW]
    spec = plotly_spec(at, "overview_chart")  # same key, drawn by st.plotly_chart
    assert {f"channel{i}" for i in range(1, 9)} <= {t.get("name") for t in spec["data"]}
    at.radio(key="view").set_value("Browse").run()
    assert_no_exception(at)
    assert not [e for e in at.get("bidi_component") if e.key in BROWSE]
    assert plotly_spec(at, "browse_chart")["layout"]["xaxis"]["range"]


def test_fallback_without_static_serving():
    from streamlit import config

    old = config.get_option("server.enableStaticServing")
    config.set_option("server.enableStaticServing", False)
    try:
        at = new_app()
        at.query_params["view"] = "Browse"
        at.run()
        assert_no_exception(at)
        assert not [e for e in at.get("bidi_component") if e.key in BROWSE]
        assert len(at.get("plotly_chart")) == 2
    finally:
        config.set_option("server.enableStaticServing", old)


def test_payload_is_the_figure_json_with_its_options():
    fig = go.Figure(go.Scatter(x=np.arange(5.0), y=np.arange(5.0) ** 2), layout={"title": {"text": "t"}})
    raw = pc.payload(fig, config={"scrollZoom": False}, select=True, uirevision="3.0/10")
    got = json.loads(raw)
    assert got["config"] == {"scrollZoom": False} and got["select"] is True and got["uirevision"] == "3.0/10"
    assert got["figure"] == json.loads(pio.to_json(fig, validate=False))
    np.testing.assert_array_equal(trace_array(got["figure"]["data"][0]["y"]), np.arange(5.0) ** 2)


SELECT_SCRIPT = """
import streamlit as st
from emgviz.views.plotly_component import selected_points
st.session_state["comp"] = {"select": {"points": [{"x": 12.5, "y": 1}]}}
st.session_state["chart"] = {"selection": {"points": [{"x": 3.0}], "point_indices": [0]}}
st.write(repr((selected_points("comp"), selected_points("chart"), selected_points("none"))))
"""


def test_selected_points_reads_the_component_and_st_plotly_chart():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(SELECT_SCRIPT).run()
    assert_no_exception(at)
    assert at.markdown[0].value == repr(([{"x": 12.5, "y": 1}], [{"x": 3.0}], []))


def test_fallback_when_the_app_has_no_static_bundle_beside_it():
    # a view run from a script elsewhere (here AppTest's own temporary script): nothing would serve the bundle
    at = view_app("browser", "browse-synthetic").run()
    assert_no_exception(at)
    assert not at.get("bidi_component")
    assert {json.loads(e.proto.spec)["layout"]["meta"].get("t_window_s") for e in at.get("plotly_chart")} == {10.0}
