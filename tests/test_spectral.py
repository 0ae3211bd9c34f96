"""Facts about emgviz.spectral: tones, Parseval, hand-computed spectra."""

import numpy as np
import pytest

from emgviz.spectral import (band_power, mean_frequency, median_frequency, peak_frequency, total_power,
                             welch_psd)
from scipy import signal


@pytest.mark.parametrize("f_hz, fs", [(100.0, 2000.0), (83.0, 1000.0), (151.3, 2048.0)])
def test_a_tones_mean_median_and_peak_frequency_are_within_one_bin(sine, f_hz, fs):
    f, p = welch_psd(sine(f_hz, fs, 4.0, phase=0.3), fs)
    df = f[1] - f[0]
    assert df == pytest.approx(fs / round(0.25 * fs))
    assert abs(mean_frequency(f, p) - f_hz) <= df
    assert abs(median_frequency(f, p) - f_hz) <= df
    assert abs(peak_frequency(f, p) - f_hz) <= df / 2 + 1e-9


def test_total_power_of_a_sine_is_a_squared_over_two(sine):
    f, p = welch_psd(sine(100.0, 2000.0, 4.0, amp=3.0, phase=0.3), 2000.0)
    assert total_power(f, p) == pytest.approx(4.5, rel=0.01)
    assert band_power(f, p, 90, 110) == pytest.approx(4.5, rel=0.01)
    assert band_power(f, p, 200, 300) < 1e-6


def test_total_power_of_white_noise_is_its_variance():
    x = np.random.default_rng(1).normal(scale=2.0, size=200_000)
    f, p = welch_psd(x, 1000.0)
    assert total_power(f, p) == pytest.approx(4.0, rel=0.02)


def test_short_signal_is_one_segment_of_its_length():
    f, p = welch_psd(np.random.default_rng(0).normal(size=100), 1000.0)  # 0.1 s < 0.25 s
    assert f.shape == (51,) and p.shape == (51,) and f[1] == pytest.approx(10.0)
    f, p = welch_psd(np.ones(1), 1000.0)
    assert f.shape == (1,)


def test_hand_computed_spectral_features():
    f = np.array([0.0, 1.0, 2.0, 3.0])
    p = np.array([[0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 4.0, 0.0]])
    np.testing.assert_allclose(mean_frequency(f, p), [2.0, 2.0])
    np.testing.assert_allclose(median_frequency(f, p), [1.5, 2.0])
    np.testing.assert_allclose(peak_frequency(f, p), [1.0, 2.0])
    np.testing.assert_allclose(total_power(f, p), [2.0, 4.0])
    np.testing.assert_allclose(band_power(f, p, 1.0, 2.0), [1.0, 4.0])


def test_features_work_on_stacked_spectra_and_zero_spectra_give_nan(sine):
    fs = 1000.0
    x = np.stack([[sine(48, fs, 2.0, phase=0.3), sine(120, fs, 2.0, phase=0.3)], [sine(200, fs, 2.0, phase=0.3), np.zeros(2000)]])
    f, p = welch_psd(x, fs)
    assert p.shape == (2, 2, f.size)
    mnf = mean_frequency(f, p)
    assert mnf.shape == (2, 2) and np.isnan(mnf[1, 1])
    np.testing.assert_allclose(peak_frequency(f, p)[0], [48.0, 120.0])
    assert np.isnan(median_frequency(f, p)[1, 1])
    with pytest.raises(ValueError, match="match"):
        mean_frequency(f[:-1], p)


def test_welch_rejects_bad_overlap():
    with pytest.raises(ValueError, match="overlap"):
        welch_psd(np.zeros(100), 1000.0, overlap=1.0)


# ---- one Welch implementation --------------------------------------------------------------------
@pytest.mark.parametrize("overlap", [0.0, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("detrend", ["constant", "linear", False])
@pytest.mark.parametrize("shape", [(1500,), (3, 1001), (2, 2, 400), (7,)])
def test_welch_psd_equals_scipy(overlap, detrend, shape):
    x = np.random.default_rng(3).normal(size=shape)
    fs = 1000.0
    nper = min(250, shape[-1])
    f0, p0 = signal.welch(x, fs=fs, window="hann", nperseg=nper, noverlap=min(int(overlap * nper), nper - 1),
                          detrend=detrend, scaling="density", axis=-1)
    f1, p1 = welch_psd(x, fs, overlap=overlap, detrend=detrend)
    np.testing.assert_array_equal(f1, f0)
    assert p1.shape == p0.shape
    np.testing.assert_allclose(p1, p0, rtol=1e-12, atol=0)


def test_welch_psd_long_signal_is_batched_and_exact():
    x = np.random.default_rng(4).normal(size=(2, 300_000))
    f0, p0 = signal.welch(x, fs=2000.0, window="hann", nperseg=500, noverlap=250, axis=-1)
    np.testing.assert_allclose(welch_psd(x, 2000.0)[1], p0, rtol=1e-12, atol=0)


def test_welch_psd_rejects_an_unknown_detrend():
    with pytest.raises(ValueError, match="detrend"):
        welch_psd(np.ones(100), 100.0, detrend="quadratic")
