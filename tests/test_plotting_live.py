"""Live figures: what they draw, checked against the samples they were given."""

import base64

import numpy as np

from emgviz.plotting.live import (BAND_COLOURS, live_traces_figure, live_traces_payload, rms_bars_figure,
                                  rms_bars_payload)


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


def test_sweeps_overlay_draws_each_sweep_once_the_newest_bold_and_marks_clipping():
    from emgviz.plotting.live import live_sweeps_figure

    fs, pre_ms = 10_000.0, 20.0
    rows = np.vstack([np.linspace(-100, 100, 1000) * (k + 1) for k in range(4)])  # row 3 reaches ±400 µV
    fig = live_sweeps_figure(rows, fs, pre_ms=pre_ms, ms_per_div=10.0, uv_per_div=50.0, level=-120.0, found=9)
    older, newest = fig.data[0], fig.data[1]
    ox, oy = _arr(older.x), _arr(older.y)
    assert np.isnan(oy).sum() == 3 and len(oy) == 3 * 1001  # three older sweeps, each ended by a gap
    np.testing.assert_allclose(oy[:1000], rows[0], rtol=1e-6)
    np.testing.assert_allclose(ox[:1000], np.arange(1000) / 10 - pre_ms, rtol=1e-6, atol=1e-4)
    ny = _arr(newest.y)
    limit = 4 * 50.0                                       # ±4 divisions on screen
    np.testing.assert_allclose(ny, np.clip(rows[3], -limit, limit), rtol=1e-6)
    assert newest.line.width > older.line.width
    clipped = fig.data[2]
    assert len(_arr(clipped.y)) == int((np.abs(rows) > limit).sum()) == fig.layout.meta["clipped"]
    assert fig.layout.meta["sweeps"] == 4
    assert fig.layout.xaxis.range == (-20.0, 80.0) and fig.layout.xaxis.dtick == 10.0
    level, delay = fig.layout.shapes
    assert level.y0 == level.y1 == -120.0 and delay.x0 == delay.x1 == 0.0
    assert fig.layout.title.text.startswith("Last 4 of 9 sweeps · trigger -120 µV falling · delay 20 ms")
    assert "50 µV/div" in fig.layout.title.text


def test_long_sweeps_are_decimated_keeping_every_peak():
    from emgviz.plotting.live import live_sweeps_figure

    rng = np.random.default_rng(1)
    rows = rng.normal(0, 30, (3, 10_000))                  # 200 ms sweeps at 50 kHz
    rows[1, 4321] = -170.0
    fig = live_sweeps_figure(rows, 50_000.0, pre_ms=40.0, ms_per_div=20.0, uv_per_div=50.0, level=-100.0)
    oy = _arr(fig.data[0].y)
    assert len(oy) <= 2 * (1000 + 1)                       # two older sweeps of ≤ 1000 points + a gap each
    assert np.nanmin(oy) == np.float32(-170.0)             # the spike of the middle sweep survives
    assert np.nanmax(_arr(fig.data[1].y)) == np.float32(rows[2].max())


def test_an_empty_overlay_still_shows_the_screen():
    from emgviz.plotting.live import live_sweeps_figure

    fig = live_sweeps_figure(np.empty((0, 500)), 10_000.0, pre_ms=10.0, ms_per_div=5.0, uv_per_div=100.0, level=50.0)
    assert fig.layout.meta["sweeps"] == 0 and len(_arr(fig.data[1].y)) == 0
    assert "trigger +50 µV rising" in fig.layout.title.text and fig.layout.yaxis.range == (-408.0, 408.0)


def test_canvas_payloads_hold_the_same_lines_and_bars_as_the_figures():
    rng = np.random.default_rng(5)
    fs, n = 2000, 12_000
    t = 7.0 + np.arange(n) / fs
    data = rng.normal(0, 1e-4, (3, n))
    names = ['<a href="https://x">a</a>', "b", "c"]
    fig = live_traces_figure(data, t, names, ["V"] * 3, window_s=5)
    pay = live_traces_payload(data, t, names, ["V"] * 3, window_s=5)
    assert pay["t_last"] == t[-1] and pay["window_s"] == 5.0 and pay["unit"] == "µV"
    assert pay["names"] == names                     # drawn with fillText: plain text, never markup
    assert pay["offsets"] == list(fig.layout.yaxis.tickvals)
    assert fig.layout.yaxis.title.text == f"spacing {pay['spacing']:g} µV"
    for i in range(3):
        np.testing.assert_allclose(pay["x"][i], _arr(fig.data[i].x), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(pay["y"][i], _arr(fig.data[i].y), rtol=1e-5, atol=1e-3)
    bars = rms_bars_payload(np.array([10.0, np.nan, 50.0]), ["a", "b", "c"], unit_label="RMS (%MVC)",
                            target=(20, 40), states=["below", "none", "above"], y_max=120)
    assert bars["values"] == [10.0, 0.0, 50.0] and bars["target"] == [20.0, 40.0] and bars["y_max"] == 120.0
    assert bars["colours"] == [BAND_COLOURS["below"], BAND_COLOURS["none"], BAND_COLOURS["above"]]
    assert bars["note"] == "0 of 3 muscles in the target band"


def test_sweeps_payload_holds_the_figures_lines():
    from emgviz.plotting.live import live_sweeps_figure, live_sweeps_payload

    rows = np.vstack([np.linspace(-100, 100, 500) * (k + 1) for k in range(3)])
    kw = dict(pre_ms=10.0, ms_per_div=5.0, uv_per_div=50.0, level=-120.0, found=4)
    fig, pay = live_sweeps_figure(rows, 10_000.0, **kw), live_sweeps_payload(rows, 10_000.0, **kw)
    assert len(pay["older"]) == 2 and pay["sweeps"] == 3 and pay["found"] == 4
    np.testing.assert_allclose(np.concatenate([pay["older"][0][1], [np.nan], pay["older"][1][1], [np.nan]]),
                               _arr(fig.data[0].y), rtol=1e-5)
    np.testing.assert_allclose(pay["newest"][1], _arr(fig.data[1].y), rtol=1e-5)
    assert len(pay["clip"][0]) == fig.layout.meta["clipped"] == int((np.abs(rows) > 200).sum())
    assert pay["x_range"] == [-10.0, 40.0] and pay["y_limit"] == 200.0 and pay["title"] == fig.layout.title.text
