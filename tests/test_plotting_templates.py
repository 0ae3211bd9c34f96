"""Lean templates and lighter stacked figures: the same drawing in fewer bytes (issue #21, browser targets)."""

import json

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from emgviz.plotting.browser import overview_figure, stacked_figure
from emgviz.plotting.summary import feature_bars
from emgviz.plotting.templates import lean_template
from emgviz.recording import Recording

FS = 2000.0


@pytest.fixture(scope="module")
def rec():
    rng = np.random.default_rng(5)
    return Recording(rng.normal(0, 20e-6, (2, int(FS * 60))), fs=FS, ch_names=["biceps", "triceps"], t0=0.0)


def test_a_lean_template_keeps_the_layout_and_only_the_named_trace_defaults():
    full = pio.templates["plotly_white"].to_plotly_json()
    lean = lean_template("plotly_white", ("bar", "scatter")).to_plotly_json()
    assert lean["layout"] == full["layout"]
    assert lean["data"] == {k: full["data"][k] for k in ("bar", "scatter")}
    assert len(json.dumps(lean)) < 0.6 * len(json.dumps(full))
    assert lean_template("plotly_white", ("bar", "scatter")) is lean_template("plotly_white", ("bar", "scatter"))


def test_feature_bars_draw_the_same_as_with_the_full_template():
    table = pd.DataFrame({"channel": ["biceps", "triceps", "deltoid"], "RMS (V)": [40e-6, 55e-6, 12e-6]})
    lean = json.loads(pio.to_json(feature_bars(table, "RMS (V)"), validate=False))
    full = json.loads(pio.to_json(feature_bars(table, "RMS (V)").update_layout(template="plotly_white"),
                                  validate=False))
    t_lean, t_full = lean["layout"].pop("template"), full["layout"].pop("template")
    assert lean == full                                   # traces, shapes, annotations, axes: identical
    assert t_lean["layout"] == t_full["layout"] and t_lean["data"]["bar"] == t_full["data"]["bar"]
    assert set(t_lean["data"]) == {"bar"}


def test_browser_figures_carry_simple_white_layout_with_scatter_defaults_only(rec):
    for fig in (stacked_figure(rec, t_start_s=0, t_window_s=10),
                overview_figure(rec, t_start_s=0, t_window_s=10)):
        t = fig.layout.template.to_plotly_json()
        assert t["layout"] == pio.templates["simple_white"].to_plotly_json()["layout"]
        assert set(t["data"]) <= {"scatter", "scattergl"}


def test_stacked_traces_keep_two_points_per_pixel_of_the_plot_area(rec):
    fig = stacked_figure(rec, t_start_s=0, t_window_s=30, width_px=1000)   # 60 000 samples a channel
    plot_px = 1000 - 205                                                     # the margins hold names and scales
    assert all(len(tr.y) <= 2 * plot_px for tr in fig.data)
    assert all(len(tr.y) >= 0.95 * 2 * plot_px for tr in fig.data)   # equal buckets: a few fewer
    assert fig.layout.margin.l + fig.layout.margin.r == 205


def test_times_go_as_float32_only_when_exact_to_a_twentieth_of_a_pixel(rec):
    fig = stacked_figure(rec, t_start_s=10, t_window_s=10)
    x = fig.data[0].x
    assert x.dtype == np.float32
    # every point is a sample time, rounded by float32 by far less than a pixel (10 s over ~1200 px)
    xd = x.astype(float)
    assert np.abs(xd - np.rint(xd * FS) / FS).max() < 10 / 1195 / 20
    # a clock far from 0 (a day in, a 0.5 s page): float32 would round by more than that, so float64 stays
    far = Recording(rec.data[:, :4000], fs=FS, ch_names=rec.ch_names, t0=86_400.0)
    fig = stacked_figure(far, t_start_s=86_400.5, t_window_s=0.5)
    assert fig.data[0].x.dtype == np.float64
    np.testing.assert_array_equal(fig.data[0].x[:3], 86_400.0 + np.arange(999, 1002) / FS)
