"""No figure of the signal browser passes MAX_FIGURE_POINTS, however many channels the file has."""

import numpy as np
import pytest

from emgviz.plotting.browser import MAX_FIGURE_POINTS, overview_envelope, overview_figure, stacked_figure
from emgviz.recording import Recording


def _points(fig) -> int:
    return sum(len(t.y) for t in fig.data)


@pytest.fixture(scope="module")
def wide():
    rng = np.random.default_rng(3)
    data = rng.normal(0, 1e-4, (4096, 5000))
    data[7, 2500] = 1.0       # one spike: the decimated and merged traces must keep it
    return Recording(data, fs=1000.0, ch_names=[f"c{i}" for i in range(4096)], unit="V")


def test_stacked_figure_of_4096_channels_stays_under_the_cap_and_keeps_the_spike(wide):
    fig = stacked_figure(wide, t_start_s=0, t_window_s=5, scale=1e-4, overlay=wide)
    assert len(fig.data) == 2 * 4096
    assert _points(fig) <= MAX_FIGURE_POINTS
    spike = fig.data[7]
    centre = fig.layout.yaxis.tickvals[7]
    assert max(spike.y) == pytest.approx(centre + 1.0 / 1e-4, rel=1e-6)   # the spike, in divisions


def test_a_page_of_16_channels_is_not_thinned_by_the_cap(wide):
    page = wide.pick([f"c{i}" for i in range(16)])
    fig = stacked_figure(page, t_start_s=0, t_window_s=5, overlay=page, width_px=1400)
    from emgviz.plotting.decimate import minmax_decimate

    from emgviz.plotting.browser import _MARGIN_X, trace_points

    per_pixel = 2 * (1400 - _MARGIN_X)                   # two points per pixel of the plot area
    assert trace_points(16, True, 1400) == per_pixel     # 32 traces stay under the cap unthinned
    uncapped = len(minmax_decimate(np.arange(5000.0), np.zeros(5000), n_out=per_pixel)[0])
    assert {len(t.y) for t in fig.data} == {uncapped}


def test_overview_figure_of_4096_channels_merges_buckets_and_keeps_extremes(wide):
    t, lo, hi = overview_envelope(wide, n_points=2000)
    fig = overview_figure(wide, t_start_s=0, t_window_s=1, envelope=(t, lo, hi))
    assert _points(fig) <= MAX_FIGURE_POINTS
    n = len(fig.data[0].y)
    assert 2 <= n < len(t)
    # regular x: the merged buckets still span the recording
    x0, dx = fig.data[0].x0, fig.data[0].dx
    assert x0 + (n - 1) * dx == pytest.approx(t[-1], abs=2 * dx)
    # the spike's channel still reaches the top of its slot (clipped at +0.5)
    slot = 4096 - 1 - 7
    assert max(fig.data[2 * 7].y) == pytest.approx(slot + 1.0)
