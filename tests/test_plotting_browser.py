"""Browser and spectrum figures: page range, decimation limits, scales, layers, overview, PSD."""

import numpy as np
import pandas as pd
import pytest

from emgviz.plotting.browser import (auto_scale, format_scale, nice_scale, overview_envelope, overview_figure,
                                     page_slice, scale_choices, stacked_figure)
from emgviz.plotting.spectra import psd_figure, spectrogram_figure
from emgviz.recording import Recording

FS = 2000.0


@pytest.fixture(scope="module")
def rec():
    rng = np.random.default_rng(3)
    data = rng.normal(0, 20e-6, (3, int(FS * 120)))
    data[2] *= 10
    data[0, 100_000] = 5e-3                      # one spike at t0 + 50 s
    return Recording(data, fs=FS, ch_names=["biceps", "triceps", "deltoid"], t0=2.0)


def test_x_range_is_exactly_the_page(rec):
    fig = stacked_figure(rec, t_start_s=12.5, t_window_s=10)
    assert fig.layout.xaxis.range == (12.5, 22.5)
    assert fig.layout.xaxis.autorange is False
    # ticks and their labels come from Plotly (labels match ticks at every zoom; see e2e)
    assert fig.layout.xaxis.dtick is None and fig.layout.xaxis.tickformat is None
    # the traces reach both edges (to within one min–max bucket: 20 000 samples over the plot area's pixels)
    x = np.asarray(fig.data[0].x)
    bucket_s = np.ceil(20_000 / (fig.layout.width - 205)) / FS
    assert 12.5 - 1 / FS <= x.min() <= 12.5 + bucket_s and 22.5 - bucket_s <= x.max() <= 22.5 + 1 / FS


def test_traces_are_decimated_to_two_points_per_pixel_and_keep_spikes(rec):
    fig = stacked_figure(rec, t_start_s=40, t_window_s=20, width_px=800)
    assert all(len(tr.y) <= 1600 for tr in fig.data)
    spike_y = np.asarray(fig.data[0].y).max()
    # the 5 mV spike is kept: at the automatic scale it is far above the band
    assert spike_y > fig.layout.yaxis.tickvals[0] + 20


def test_short_pages_send_the_exact_samples(rec):
    fig = stacked_figure(rec, t_start_s=10, t_window_s=0.5, channels=["triceps"], scale=50e-6)
    sl = page_slice(rec, 10, 0.5)
    y = np.asarray(fig.data[0].y, dtype=float)
    center = fig.layout.yaxis.tickvals[0]
    np.testing.assert_allclose((y - center) * 50e-6, rec.channel("triceps")[sl], rtol=1e-5, atol=1e-10)  # float32
    np.testing.assert_allclose(fig.data[0].x, rec.t0 + np.arange(sl.start, sl.stop) / FS)


def test_channel_order_names_and_scale_text(rec):
    fig = stacked_figure(rec, t_start_s=2, t_window_s=5, channels=["deltoid", "biceps"],
                         scale={"deltoid": 1e-3, "biceps": None}, divisions_per_channel=4)
    assert list(fig.layout.yaxis.ticktext) == ["deltoid", "biceps"]
    assert fig.layout.yaxis.tickvals[0] > fig.layout.yaxis.tickvals[1]       # first pick on top
    assert fig.layout.yaxis.range == (0, 8)
    texts = [a.text for a in fig.layout.annotations]
    assert texts[0] == "1 mV/div"
    assert texts[1] == format_scale(fig.layout.meta["scales"]["biceps"], "V")
    assert fig.layout.yaxis.minor.dtick == 1                                  # gridline per division


def test_auto_scale_is_robust_and_fits_the_band():
    x = np.random.default_rng(0).normal(0, 50e-6, 100_000)
    x[500] = 1.0                                       # a huge artefact does not shrink the traces
    s = auto_scale(x, divisions_per_channel=4)
    assert s in scale_choices("V")
    assert 50e-6 <= s <= 200e-6
    assert auto_scale(np.zeros(100), unit="a.u.") == 1.0


def test_nice_scale_and_formats():
    assert [nice_scale(v) for v in (0.9, 1, 1.1, 3, 7, 11)] == [1, 1, 2, 5, 10, 20]
    assert format_scale(100e-6, "V") == "100 µV/div"
    assert format_scale(2e-3, "V") == "2 mV/div"
    assert format_scale(50, "a.u.") == "50 a.u./div"
    assert scale_choices("V")[0] == pytest.approx(1e-6) and scale_choices("V")[-1] == pytest.approx(1e-2)


def test_layers_bursts_events_markers_overlay(rec):
    bursts = pd.DataFrame({"channel": ["triceps", "biceps", "triceps"], "onset_s": [11.0, 30.0, 14.0],
                           "offset_s": [12.0, 31.0, 25.0]})
    events = pd.DataFrame({"time_s": [12.0, 50.0], "duration_s": [0.0, 0.0], "label": ["go", "far"]})
    markers = pd.DataFrame({"time_s": [13.25], "note": ["twitch"]})
    env = rec.with_data(np.abs(rec.data).copy())
    fig = stacked_figure(rec, t_start_s=10, t_window_s=10, bursts=bursts, events=events, markers=markers,
                         overlay=env)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2                                  # the biceps burst is on another page
    assert rects[1].x1 == 20.0                              # clipped to the page
    tri = fig.layout.yaxis.tickvals[1]
    assert rects[0].y0 < tri < rects[0].y1                  # in the triceps band
    lines = [s.x0 for s in fig.layout.shapes if s.type == "line"]
    assert lines == [12.0, 13.25]
    texts = [a.text for a in fig.layout.annotations]
    assert "go" in texts and "▼ twitch" in texts and "far" not in texts
    assert [tr.name for tr in fig.data][3:] == ["biceps envelope", "triceps envelope", "deltoid envelope"]


def test_page_past_the_end_is_empty_but_keeps_the_range(rec):
    fig = stacked_figure(rec, t_start_s=500, t_window_s=10)
    assert fig.layout.xaxis.range == (500, 510)
    assert all(len(tr.y) == 0 for tr in fig.data)


def test_bad_arguments(rec):
    with pytest.raises(ValueError, match="window above 0"):
        stacked_figure(rec, t_start_s=0, t_window_s=0)
    with pytest.raises(KeyError, match="channels are"):
        stacked_figure(rec, t_start_s=0, t_window_s=1, channels=["soleus"])
    with pytest.raises(ValueError, match="scale of 'biceps'"):
        stacked_figure(rec, t_start_s=0, t_window_s=1, scale={"biceps": -1})


def test_overview_envelope_keeps_extremes_and_shades_the_page(rec):
    t, lo, hi = overview_envelope(rec, n_points=1000)
    assert lo.shape == hi.shape == (3, t.size) and t.size <= 1000
    np.testing.assert_allclose(hi.max(axis=1), rec.data.max(axis=1))
    np.testing.assert_allclose(lo.min(axis=1), rec.data.min(axis=1))
    fig = overview_figure(rec, t_start_s=30, t_window_s=10, envelope=(t, lo, hi), channels=["triceps"])
    page = fig.layout.shapes[0]
    assert (page.x0, page.x1) == (30, 40)
    assert fig.layout.xaxis.range == (2.0, 122.0)
    assert len(fig.data) == 2 and fig.data[1].fill == "tonexty"
    assert len(fig.to_json()) < 100_000


def test_psd_figure_peak_units_and_response():
    t = np.arange(int(FS * 4)) / FS
    x = 100e-6 * np.sin(2 * np.pi * 120 * t)
    fig = psd_figure(x, FS, unit="V")
    f, p = np.asarray(fig.data[0].x), np.asarray(fig.data[0].y)
    assert f[np.argmax(p)] == pytest.approx(120)
    # mean power of a 100 µV sine = 5000 µV²
    assert np.sum(p) * (f[1] - f[0]) == pytest.approx(5000, rel=0.05)
    assert fig.layout.yaxis.title.text == "PSD (µV²/Hz)"
    freqs = np.linspace(0, 1000, 50)
    fig_db = psd_figure(x, FS, unit="V", db=True, response=(freqs, np.ones(50)))
    assert np.asarray(fig_db.data[0].y).max() == pytest.approx(10 * np.log10(p.max()), abs=1e-6)
    assert fig_db.data[1].yaxis == "y2"
    assert psd_figure(x, FS, unit="a.u.").layout.yaxis.title.text == "PSD (a.u.²/Hz)"


def test_spectrogram_shows_when_a_tone_starts():
    t = np.arange(int(FS * 10)) / FS
    x = np.random.default_rng(0).normal(0, 1e-6, t.size) + 1e-4 * np.sin(2 * np.pi * 200 * t) * (t >= 5)
    fig = spectrogram_figure(x, FS, t0_s=100.0, unit="V")
    heat = fig.data[0]
    tt, f, z = np.asarray(heat.x), np.asarray(heat.y), np.asarray(heat.z)
    assert 100 < tt[0] < 100.3 and 109.7 < tt[-1] < 110
    row = np.argmin(np.abs(f - 200))
    assert z[row, tt > 106].mean() > z[row, tt < 104].mean() + 30      # dB
