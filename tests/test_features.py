"""Facts about emgviz.features: analytic sines, hand-computed arrays, tables."""

import numpy as np
import pandas as pd
import pytest

from emgviz.features import (FEATURE_COLUMNS, dasdv, feature_columns, feature_table, iemg, mav, peak, rms,
                             slope_sign_changes, var, waveform_length, willison_amplitude, windowed_features,
                             burst_features, zero_crossings)
from emgviz.recording import Recording
from emgviz.spectral import mean_frequency, median_frequency, welch_psd

X = np.array([1.0, -2.0, 3.0, 3.0, -1.0])


def test_sine_rms_mav_and_zero_crossings(sine):
    a, f, fs, T = 2.5, 50.0, 20000.0, 2.0
    x = sine(f, fs, T, amp=a, phase=1.0)
    assert rms(x) == pytest.approx(a / np.sqrt(2), rel=1e-9)
    assert mav(x) == pytest.approx(2 * a / np.pi, rel=1e-3)
    assert zero_crossings(x) == 2 * f * T
    assert iemg(x, fs) == pytest.approx(2 * a / np.pi * T, rel=1e-3)
    assert peak(x) == pytest.approx(a, rel=1e-3)


def test_hand_computed_small_array():
    # diffs: -3, 5, 0, -4 ; squares sum 24 ; |x| sum 10
    assert waveform_length(X) == 12.0
    assert iemg(X, 10.0) == 1.0            # 10 V·sample / 10 Hz
    assert var(X) == 6.0                   # 24 / (5 - 1)
    assert dasdv(X) == pytest.approx(np.sqrt(50 / 4))
    assert rms(X) == pytest.approx(np.sqrt(24 / 5))
    assert mav(X) == 2.0
    assert peak(X) == 3.0
    assert zero_crossings(X) == 3
    assert zero_crossings(X, threshold=4.0) == 2   # the 1 -> -2 step is only 3
    assert slope_sign_changes(X) == 1              # only -2 is a strict extremum (3, 3 is a plateau)
    assert slope_sign_changes(X, threshold=5.0) == 1
    assert slope_sign_changes(X, threshold=5.5) == 0
    assert willison_amplitude(X, threshold=4.0) == 2
    assert willison_amplitude(X, threshold=5.1) == 0


def test_features_reduce_the_last_axis():
    x = np.stack([X, 2 * X])
    np.testing.assert_allclose(rms(x), [rms(X), 2 * rms(X)])
    np.testing.assert_array_equal(zero_crossings(x), [3, 3])
    np.testing.assert_allclose(waveform_length(x), [12.0, 24.0])
    with pytest.raises(ValueError, match="threshold"):
        zero_crossings(X, threshold=-1)


def test_feature_columns_carry_the_unit():
    assert feature_columns("V")[:4] == ["channel", "RMS (V)", "MAV (V)", "iEMG (V·s)"]
    for col in ["WL (V)", "ZC (count)", "SSC (count)", "peak (V)", "MNF (Hz)", "MDF (Hz)", "duration (s)"]:
        assert col in FEATURE_COLUMNS
    assert "RMS (a.u.)" in feature_columns("a.u.")


def test_feature_table_of_a_sine(sine):
    fs = 2000.0
    rec = Recording(np.stack([sine(100, fs, 2.0, amp=1.0, phase=1.0), sine(60, fs, 2.0, amp=2.0, phase=1.0)]), fs=fs,
                    ch_names=["a", "b"], unit="a.u.")
    table = feature_table(rec)
    assert list(table.columns) == feature_columns("a.u.")
    assert list(table["channel"]) == ["a", "b"]
    np.testing.assert_allclose(table["RMS (a.u.)"], [1 / np.sqrt(2), 2 / np.sqrt(2)], rtol=1e-6)
    np.testing.assert_array_equal(table["ZC (count)"], [400, 240])
    np.testing.assert_allclose(table["MNF (Hz)"], [100, 60], atol=4.0)
    np.testing.assert_allclose(table["duration (s)"], [2.0, 2.0])
    np.testing.assert_allclose(table["total power (a.u.²)"], [0.5, 2.0], rtol=0.01)
    # the chunked Welch inside equals welch_psd
    f, p = welch_psd(rec.data, fs)
    np.testing.assert_allclose(table["MNF (Hz)"], mean_frequency(f, p), rtol=1e-10)
    np.testing.assert_allclose(table["MDF (Hz)"], median_frequency(f, p), rtol=1e-10)


def test_one_channel_alone_equals_the_same_channel_among_eight():
    rng = np.random.default_rng(3)
    data = rng.normal(size=(8, 3000))
    rec8 = Recording(data, fs=1000.0, ch_names=[f"m{i}" for i in range(8)])
    rec1 = rec8.pick(["m5"])
    pd.testing.assert_frame_equal(feature_table(rec8).iloc[[5]].reset_index(drop=True), feature_table(rec1))
    w8 = windowed_features(rec8, window_s=1.0, step_s=0.5)
    w1 = windowed_features(rec1, window_s=1.0, step_s=0.5)
    pd.testing.assert_frame_equal(w8[w8["channel"] == "m5"].reset_index(drop=True), w1)


@pytest.mark.parametrize("window_s, step_s, segment_s", [(1.0, 0.5, None), (0.3, 0.13, None), (0.5, 0.25, 0.1)])
def test_windowed_features_equal_the_features_of_each_window(window_s, step_s, segment_s):
    fs = 1000.0
    rng = np.random.default_rng(7)
    x = rng.normal(size=4321)
    rec = Recording(x, fs=fs, ch_names=["emg"], t0=5.0)
    table = windowed_features(rec, window_s=window_s, step_s=step_s, segment_s=segment_s)
    win, step = int(round(window_s * fs)), int(round(step_s * fs))
    n_win = (x.size - win) // step + 1
    assert len(table) == n_win
    seg = min(0.25, window_s) if segment_s is None else segment_s
    for w in [0, 1, n_win // 2, n_win - 1]:
        row = table.iloc[w]
        xs = x[w * step:w * step + win]
        assert row["t_start_s"] == pytest.approx(5.0 + w * step / fs)
        assert row["t_end_s"] == pytest.approx(5.0 + (w * step + win) / fs)
        assert row["RMS (V)"] == pytest.approx(rms(xs), rel=1e-9)
        assert row["MAV (V)"] == pytest.approx(mav(xs), rel=1e-9)
        assert row["WL (V)"] == pytest.approx(waveform_length(xs), rel=1e-9)
        assert row["ZC (count)"] == zero_crossings(xs)
        assert row["SSC (count)"] == slope_sign_changes(xs)
        f, p = welch_psd(xs, fs, segment_s=seg)
        assert row["MNF (Hz)"] == pytest.approx(mean_frequency(f, p), rel=1e-9)
        assert row["MDF (Hz)"] == pytest.approx(median_frequency(f, p), rel=1e-9)


def test_windowed_features_of_a_sine_and_of_a_short_recording(sine):
    fs = 2000.0
    rec = Recording(sine(100, fs, 3.0, amp=2.0, phase=1.0), fs=fs, ch_names=["a"])
    table = windowed_features(rec, window_s=1.0, step_s=0.5)
    assert len(table) == 5
    np.testing.assert_allclose(table["RMS (V)"], np.sqrt(2), rtol=1e-3)
    np.testing.assert_allclose(table["MNF (Hz)"], 100, atol=4)
    np.testing.assert_array_equal(table["ZC (count)"], 200)
    empty = windowed_features(rec, window_s=5.0, step_s=1.0)
    assert len(empty) == 0 and "MNF (Hz)" in empty.columns


def test_burst_features_equal_features_of_the_cropped_channel():
    fs = 1000.0
    rng = np.random.default_rng(2)
    rec = Recording(rng.normal(size=(2, 5000)), fs=fs, ch_names=["a", "b"], t0=10.0)
    bursts = pd.DataFrame({"channel": ["b", "a"], "onset_s": [11.0, 12.5], "offset_s": [12.0, 13.0],
                           "note": ["x", "y"]})
    out = burst_features(rec, bursts)
    assert list(out.columns[:4]) == ["channel", "onset_s", "offset_s", "note"]
    ref = feature_table(rec.pick(["b"]).crop(11.0, 12.0))
    assert out.loc[0, "RMS (V)"] == pytest.approx(ref.loc[0, "RMS (V)"], rel=1e-12)
    assert out.loc[0, "MDF (Hz)"] == pytest.approx(ref.loc[0, "MDF (Hz)"], rel=1e-12)
    assert out.loc[1, "duration (s)"] == pytest.approx(0.5)
    with pytest.raises(KeyError, match="no channel"):
        burst_features(rec, pd.DataFrame({"channel": ["z"], "onset_s": [11.0], "offset_s": [12.0]}))


# ---- one pass over the samples (#21) ------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3, 5, 2 ** 15 - 1, 2 ** 15, 2 ** 15 + 1, 2 ** 15 + 2, 100_003])
def test_one_pass_time_domain_features_equal_the_single_feature_functions(n):
    from emgviz import features
    x = np.random.default_rng(n).normal(size=n)
    x[::7] = 0.0  # exact zeros: neither a crossing nor an extremum
    got = features._channel_features(x, 1000.0, 0.25)
    expect = [rms(x), mav(x), iemg(x, 1000.0), features.var(x), features.waveform_length(x), dasdv(x),
              features.zero_crossings(x), features.slope_sign_changes(x), peak(x)]
    np.testing.assert_allclose(got[:9], [float(v) for v in expect], rtol=1e-12, equal_nan=True)
    assert got[6:8] == [int(expect[6]), int(expect[7])]  # the counts exactly
