"""Facts about emgviz.filters: gains of analytic tones, warnings, short signals."""

import numpy as np
import pytest

from emgviz.filters import (bandpass, design_bandpass, design_notch, effective_band, effective_notch, filtfilt,
                            frequency_response, notch, pipeline_sos, rectify, remove_dc)
from emgviz.settings import Settings

FS = 2000.0


def tone(f_hz, fs=FS, seconds=4.0, amp=1.0, phase=0.3):
    t = np.arange(int(seconds * fs)) / fs
    return amp * np.sin(2 * np.pi * f_hz * t + phase)


def middle(x, fs=FS, trim_s=1.0):
    k = int(trim_s * fs)
    return x[..., k:-k]


def amplitude(x):
    return np.sqrt(2) * np.sqrt(np.mean(x ** 2, axis=-1))


def test_a_100_hz_tone_passes_the_default_bandpass_within_2_percent():
    y = bandpass(tone(100, amp=2.0), FS, 20, 450)
    assert amplitude(middle(y)) == pytest.approx(2.0, rel=0.02)


def test_a_2_hz_drift_is_reduced_by_at_least_40_db():
    x = tone(2, seconds=10)
    y = bandpass(x, FS, 20, 450)
    assert 20 * np.log10(amplitude(middle(y, trim_s=3)) / 1.0) <= -40


def test_a_50_hz_hum_is_reduced_by_at_least_40_db_by_the_notch():
    x = tone(50, seconds=10)
    y = notch(x, FS, 50)
    assert 20 * np.log10(amplitude(middle(y, trim_s=3))) <= -40
    # and a 100 Hz neighbour outside the notches' width passes
    assert amplitude(middle(notch(tone(80, seconds=10), FS, 50), trim_s=3)) == pytest.approx(1.0, rel=0.01)


def test_notch_harmonics_are_only_those_below_nyquist():
    assert design_notch(1000.0, 50, harmonics=3).shape == (3, 6)
    assert design_notch(250.0, 50, harmonics=3).shape == (2, 6)  # 150 Hz >= 125 Hz is left out
    with pytest.raises(ValueError, match="fs/2"):
        design_notch(100.0, 50)


def test_bandpass_rejects_a_band_above_nyquist():
    with pytest.raises(ValueError, match="fs/2"):
        bandpass(np.zeros(100), 1000.0, 20, 600)
    with pytest.raises(ValueError, match="order"):
        design_bandpass(1000.0, 20, 450, order=0)


def test_effective_band_clips_high_edge_at_fs_500_with_a_warning():
    low, high, warnings = effective_band(Settings(), 500.0)
    assert (low, high) == (20.0, 237.5)
    assert warnings == ["high_hz 450 Hz is at or above fs/2 = 250 Hz; clipped to 237.5 Hz"]
    assert effective_band(Settings(), 2000.0) == (20.0, 450.0, [])


def test_effective_band_skips_when_low_edge_ends_above_high_edge():
    low, high, warnings = effective_band(Settings(low_hz=240, high_hz=450), 500.0)
    assert low is None and high is None
    assert "clipped to 237.5 Hz" in warnings[0] and "skipped" in warnings[-1]
    low, high, warnings = effective_band(Settings(low_hz=300, high_hz=450), 500.0)
    assert low is None and any("low_hz 300 Hz" in w for w in warnings)
    assert effective_band(Settings(bandpass=False), 500.0) == (None, None, [])


def test_effective_notch_warns_about_dropped_harmonics():
    freqs, warnings = effective_notch(Settings(notch_hz=60), 200.0)
    assert freqs == (60.0,) and "1 of 3" in warnings[0]
    freqs, warnings = effective_notch(Settings(notch_hz=50), 90.0)
    assert freqs == () and "skipped" in warnings[0]


def test_frequency_response_matches_the_filtered_tones():
    s = Settings(notch_hz=50)
    f = np.array([2.0, 20.0, 50.0, 80.0, 100.0, 300.0, 450.0])  # 50 and 100 Hz are notched
    h2 = frequency_response(s, FS, f)
    assert h2[1] == pytest.approx(0.5, rel=1e-3)      # -3 dB edge of one pass, squared
    assert h2[6] == pytest.approx(0.5, rel=1e-3)
    assert frequency_response(Settings(), FS, [20.0, 450.0]) == pytest.approx([0.5, 0.5], rel=1e-9)
    assert h2[3] == pytest.approx(1.0, abs=0.01)
    assert h2[0] < 1e-8 and h2[2] < 1e-8 and h2[4] < 1e-8
    sos, _ = pipeline_sos(s, FS)
    for fi, g in zip([20.0, 80.0, 300.0], h2[[1, 3, 5]]):
        y = filtfilt(sos, tone(fi, seconds=10))
        assert amplitude(middle(y, trim_s=3)) == pytest.approx(g, rel=0.01)
    assert np.all(frequency_response(Settings(bandpass=False), FS, f) == 1.0)


def test_short_signals_filter_with_a_shorter_pad():
    for n in (1, 2, 10, 40):
        y = bandpass(np.arange(n, dtype=float), FS, 20, 450)
        assert y.shape == (n,) and np.isfinite(y).all()
    y = notch(np.ones((3, 5)), FS, 50)
    assert y.shape == (3, 5)


def test_remove_dc_and_rectify_are_new_arrays_and_keep_shape():
    x = np.array([[1.0, 2.0, 3.0], [-4.0, 0.0, 4.0]])
    x.flags.writeable = False
    np.testing.assert_array_equal(remove_dc(x), [[-1, 0, 1], [-4, 0, 4]])
    np.testing.assert_array_equal(rectify(x), [[1, 2, 3], [4, 0, 4]])


def test_bandpass_works_along_the_last_axis_channel_by_channel():
    x = np.stack([tone(100), tone(5)])
    y = bandpass(x, FS, 20, 450)
    np.testing.assert_allclose(y[0], bandpass(x[0], FS, 20, 450), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(y[1], bandpass(x[1], FS, 20, 450), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("shape", [(1000,), (3, 1000), (2, 2, 300)])
@pytest.mark.parametrize("padtype", ["odd", "even"])
def test_filtfilt_equals_scipy_sosfiltfilt(shape, padtype):
    from scipy import signal
    sos, _ = pipeline_sos(Settings(notch_hz=50), FS)
    x = np.random.default_rng(4).normal(size=shape)
    np.testing.assert_array_equal(filtfilt(sos, x, padtype=padtype), signal.sosfiltfilt(sos, x, padtype=padtype))


# ---- the in-place section loop (#21) ------------------------------------------------------------
@pytest.mark.parametrize("padtype, shape", [("odd", (3, 5000)), ("even", (4000,)), ("odd", (2, 2, 700)),
                                            ("odd", (1, 20))])
def test_filtfilt_equals_scipy_sosfiltfilt_to_the_bit_with_either_kernel(monkeypatch, padtype, shape):
    from scipy import signal as sig

    from emgviz import filters
    x = np.random.default_rng(11).normal(size=shape)
    sos = np.vstack([design_bandpass(1000.0, 20, 450), design_notch(1000.0, 50, harmonics=2)])
    pad = min(filters.pad_length(sos), shape[-1] - 1)
    expect = sig.sosfiltfilt(sos, x, axis=-1, padtype=padtype, padlen=pad)
    np.testing.assert_array_equal(filtfilt(sos, x, padtype=padtype), expect)
    monkeypatch.setattr(filters, "_inplace_sosfilt", lambda: None)  # the public sosfilt route
    np.testing.assert_array_equal(filtfilt(sos, x, padtype=padtype), expect)
    assert x.flags.writeable  # the input was copied, not filtered in place
    np.testing.assert_array_equal(x, np.random.default_rng(11).normal(size=shape))
