"""Live figures: what they draw, checked against the samples they were given."""

import base64

import numpy as np

from emgviz.plotting.live import BAND_COLOURS, live_traces_figure, rms_bars_figure


def _arr(v):
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v)


def test_traces_are_stacked_in_microvolts_with_the_newest_sample_at_zero():
    fs, n = 1000, 3000
    t = 50.0 + np.arange(n) / fs
    data = np.vstack([np.full(n, 1e-3), np.r_[np.zeros(n - 1), 4e-4]])  # ch2 jumps 400 µV at the end
    fig = live_traces_figure(data, t, ['<a href="https://x">a</a>', "b"], ["V", "V"], window_s=5)
    js = fig.to_plotly_json()
    assert js["layout"]["meta"]["t_last"] == t[-1]
    assert js["layout"]["xaxis"]["range"] == [-5.0, 0.0]
    spacing = js["layout"]["yaxis"]["tickvals"][0] - js["layout"]["yaxis"]["tickvals"][1]
    assert spacing >= 400 * 1.1 - 1e-9                     # the largest peak-to-peak, in µV, never overlaps
    assert js["layout"]["yaxis"]["title"]["text"] == f"spacing {spacing:g} µV"
    assert js["layout"]["yaxis"]["ticktext"] == ['&lt;a href="https://x">a&lt;/a>', "b"]  # no link
    x0, y0 = _arr(fig.data[0].x), _arr(fig.data[0].y)
    assert len(x0) <= 401 and x0.max() == 0.0 and x0.min() >= -3.0
    np.testing.assert_allclose(y0, spacing)                # a constant channel sits on its own baseline
    y1 = _arr(fig.data[1].y)
    assert y1.max() - y1.min() == np.float32(400.0)        # the 400 µV step survives decimation


def test_bars_are_coloured_by_the_target_band():
    fig = rms_bars_figure(np.array([10.0, 30.0, 50.0]), ["a", "b", "c"], unit_label="RMS (%MVC)", target=(20, 40),
                          states=["below", "in", "above"], y_max=120)
    assert list(fig.data[0].marker.color) == [BAND_COLOURS["below"], BAND_COLOURS["in"], BAND_COLOURS["above"]]
    assert list(fig.data[0].y) == [10.0, 30.0, 50.0]
    rect = [s for s in fig.layout.shapes if s.type == "rect"][0]
    assert (rect.y0, rect.y1) == (20, 40)
    assert fig.layout.yaxis.range == (0, 120) and fig.layout.yaxis.title.text == "RMS (%MVC)"
