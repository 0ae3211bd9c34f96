"""The Overview's figure from a decimation computed once: exactly the points and layout of
``stacked_figure`` decimating the whole recording, without holding the full-rate envelope."""

import numpy as np
import pytest

from emgviz.envelopes import rms_envelope
from emgviz.pipeline import preprocess
from emgviz.plotting.browser import stacked_figure
from emgviz.plotting.decimate import minmax_decimate
from emgviz.plotting.overview_stack import decimate_stack, decimated_stack_figure, stack_points
from emgviz.recording import Recording
from emgviz.settings import Settings


@pytest.fixture
def rec():
    rng = np.random.default_rng(7)
    n = 90_001  # not a multiple of the bucket size: a shorter last bucket
    data = rng.normal(0, 40e-6, (5, n)) * (1 + 3 * (np.arange(n) % 20_000 > 15_000))
    data[2, 12_345] = 2e-3  # a spike must survive
    return Recording(data, fs=2000.0, ch_names=[f"m{i}" for i in range(5)], t0=12.5)


def _same_figures(a, b):
    assert len(a.data) == len(b.data)
    for ta, tb in zip(a.data, b.data):
        assert ta.name == tb.name and ta.line == tb.line
        np.testing.assert_array_equal(ta.x, tb.x)
        np.testing.assert_array_equal(ta.y, tb.y)
    assert a.layout == b.layout


@pytest.mark.parametrize("settings", [Settings(), Settings(envelope="lowpass", notch_hz=50)], ids=["rms", "lowpass"])
def test_figure_from_the_decimation_equals_stacked_figure_of_the_whole_recording(rec, settings):
    out = preprocess(rec, settings)
    f = out.filtered
    dec = decimate_stack(f, n_out=stack_points(f.n_channels, True), envelope_channel=out.envelope_channel)
    assert not out.envelope_ready  # the full-rate envelope was never held
    fig = decimated_stack_figure(dec, f, overlay=True)
    direct = stacked_figure(f, t_start_s=f.t0, t_window_s=f.duration_s, overlay=out.envelope)
    _same_figures(fig, direct)
    no_env = stacked_figure(f, t_start_s=f.t0, t_window_s=f.duration_s)
    _same_figures(decimated_stack_figure(dec, f, overlay=False), no_env)


def test_a_page_of_channels_equals_the_picked_recording(rec):
    out = preprocess(rec, Settings())
    names = ("m3", "m1")
    dec = decimate_stack(out.filtered, names, n_out=stack_points(2, True), envelope_channel=out.envelope_channel)
    picked = out.filtered.pick(list(names))
    direct = stacked_figure(picked, t_start_s=picked.t0, t_window_s=picked.duration_s,
                            overlay=out.envelope.pick(list(names)))
    _same_figures(decimated_stack_figure(dec, out.filtered, overlay=True), direct)


def test_decimated_envelope_equals_decimating_the_full_rms_envelope(rec):
    out = preprocess(rec, Settings(rms_window_ms=50))
    n_out = 400
    dec = decimate_stack(out.filtered, n_out=n_out, envelope_channel=out.envelope_channel)
    t = out.filtered.t0 + np.arange(out.filtered.n_samples) / out.filtered.fs
    for i in range(rec.n_channels):
        full = rms_envelope(out.filtered.data[i], rec.fs, window_ms=50)
        te, ye = minmax_decimate(t, full, n_out=n_out)
        np.testing.assert_allclose(dec.overlay[i][1], ye, rtol=1e-12, atol=0)
        np.testing.assert_array_equal(dec.overlay[i][0], te)
        ts, ys = minmax_decimate(t, out.filtered.data[i], n_out=n_out)
        np.testing.assert_array_equal(dec.signal[i][0], ts)
        np.testing.assert_array_equal(dec.signal[i][1], ys)
    assert dec.signal[2][1].max() == pytest.approx(out.filtered.data[2].max())  # the spike is kept
    assert dec.nbytes < 6 * 2 * n_out * 8 * rec.n_channels


def test_short_recordings_keep_every_sample(rec):
    short = rec.with_data(rec.data[:, :500].copy())
    dec = decimate_stack(short, n_out=2800)
    np.testing.assert_array_equal(dec.signal[0][1], short.data[0])
    np.testing.assert_array_equal(dec.signal[0][0], short.t0 + np.arange(500) / short.fs)
    assert dec.overlay is None


@pytest.mark.parametrize("threads", ["1", "2"])
def test_two_threads_give_the_same_decimation(rec, monkeypatch, threads):
    out = preprocess(rec, Settings())
    monkeypatch.setenv("EMGVIZ_THREADS", "1")
    one = decimate_stack(out.filtered, n_out=1000, envelope_channel=out.envelope_channel)
    monkeypatch.setenv("EMGVIZ_THREADS", threads)
    other = decimate_stack(out.filtered, n_out=1000, envelope_channel=out.envelope_channel)
    for a, b in zip(one.signal + one.overlay, other.signal + other.overlay):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
