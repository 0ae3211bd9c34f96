"""minmax_decimate keeps every bucket's extremes, never exceeds n_out, passes short signals through."""

import numpy as np
import pytest

from emgviz.plotting.decimate import minmax_decimate


def _buckets(n, n_out):
    size = -(-n // (n_out // 2))
    return [(s, min(s + size, n)) for s in range(0, n, size)]


@pytest.mark.parametrize("n, n_out", [(10_000, 200), (10_001, 200), (9_999, 7), (2_801, 2_800), (123_457, 2_800)])
def test_every_bucket_keeps_its_min_and_max_in_time_order(n, n_out):
    rng = np.random.default_rng(n)
    t = np.arange(n) / 2000.0
    y = rng.standard_normal(n)
    t_out, y_out = minmax_decimate(t, y, n_out=n_out)
    assert len(y_out) <= n_out and len(t_out) == len(y_out)
    assert np.all(np.diff(t_out) >= 0), "kept samples must stay in time order"
    # every kept point is a real sample at its own time
    idx = np.rint(t_out * 2000).astype(int)
    np.testing.assert_array_equal(y[idx], y_out)
    for k, (a, b) in enumerate(_buckets(n, n_out)):
        pair = y_out[2 * k:2 * k + 2]
        assert pair.min() == y[a:b].min() and pair.max() == y[a:b].max()
    assert y_out.max() == y.max() and y_out.min() == y.min()


def test_a_single_spike_survives_heavy_decimation():
    y = np.zeros(1_000_000)
    y[654_321] = 7.0
    y[12_345] = -3.0
    t = np.arange(y.size) / 1000.0
    t_out, y_out = minmax_decimate(t, y, n_out=100)
    assert len(y_out) == 100
    assert 7.0 in y_out and -3.0 in y_out
    assert t_out[np.argmax(y_out)] == pytest.approx(654.321)


@pytest.mark.parametrize("n", [1, 5, 2800])
def test_short_signals_come_back_unchanged(n):
    t = np.arange(n) * 0.5
    y = np.sin(np.arange(n))
    t_out, y_out = minmax_decimate(t, y, n_out=2800)
    np.testing.assert_array_equal(t_out, t)
    np.testing.assert_array_equal(y_out, y)


def test_two_dimensional_input_is_decimated_per_channel():
    rng = np.random.default_rng(0)
    n = 50_000
    t = np.arange(n) / 1000.0
    y = rng.standard_normal((3, n))
    y[1] *= 100
    t_out, y_out = minmax_decimate(t, y, n_out=1000)
    assert y_out.shape == t_out.shape == (3, 1000)
    for ch in range(3):
        t1, y1 = minmax_decimate(t, y[ch], n_out=1000)
        np.testing.assert_array_equal(y_out[ch], y1)
        np.testing.assert_array_equal(t_out[ch], t1)
        assert y_out[ch].max() == y[ch].max()


def test_two_dimensional_passthrough_broadcasts_times():
    t = np.arange(4.0)
    y = np.arange(8.0).reshape(2, 4)
    t_out, y_out = minmax_decimate(t, y, n_out=10)
    assert t_out.shape == (2, 4)
    np.testing.assert_array_equal(y_out, y)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="n_out"):
        minmax_decimate(np.arange(10.0), np.arange(10.0), n_out=1)
    with pytest.raises(ValueError, match="one time per sample"):
        minmax_decimate(np.arange(9.0), np.arange(10.0), n_out=4)
