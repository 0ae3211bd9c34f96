"""Onset detectors: known bursts found within ±20 ms, none in pure noise, table facts."""

import numpy as np
import pandas as pd
import pytest

from emgviz.filters import bandpass
from emgviz.onsets import (BURST_COLUMNS, CONSENSUS_COLUMNS, DETECTION_METHODS, consensus,
                           detect_bursts, double_threshold_onsets, quietest_window,
                           threshold_onsets, tkeo_onsets)
from emgviz.recording import Recording
from emgviz import onset_rest, onsets
from emgviz.filters import clip_band
from emgviz.onsets import tkeo_conditioned

BURSTS = ((2.0, 3.0), (5.0, 5.8), (8.3, 9.5))
DETECTORS = {"threshold": threshold_onsets, "double": double_threshold_onsets, "tkeo": tkeo_onsets}


def band_noise(rng, n, fs, low=20.0, high=450.0):
    y = bandpass(rng.normal(size=n), fs, low, min(high, 0.45 * fs))
    return y / y.std()


def synth(fs, snr_db, seed, bursts=BURSTS, duration_s=12.0, white_floor=False):
    """Unit-variance noise floor plus band-limited (30–250 Hz) Gaussian bursts at ``snr_db``."""
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * fs))
    x = rng.normal(size=n) if white_floor else band_noise(rng, n, fs)
    amp = 10 ** (snr_db / 20)
    for a, b in bursts:
        i, j = int(round(a * fs)), int(round(b * fs))
        x[i:j] += amp * band_noise(rng, j - i, fs, 30.0, 250.0)
    return x


@pytest.mark.parametrize("method", DETECTION_METHODS)
@pytest.mark.parametrize("fs", [1000.0, 2000.0])
@pytest.mark.parametrize("snr_db", [10, 20])
@pytest.mark.parametrize("seed", [11, 12])
def test_each_detector_finds_each_onset_and_offset_within_20_ms(method, fs, snr_db, seed):
    x = synth(fs, snr_db, seed, white_floor=bool(seed % 2))
    rec = Recording(x, fs=fs, ch_names=["TA"])
    table = detect_bursts(rec, method=method)
    assert len(table) == len(BURSTS), table
    np.testing.assert_allclose(table["onset_s"], [b[0] for b in BURSTS], atol=0.020)
    np.testing.assert_allclose(table["offset_s"], [b[1] for b in BURSTS], atol=0.020)
    assert (table["method"] == method).all()
    assert not table["at_start"].any() and not table["at_end"].any()


@pytest.mark.parametrize("fs", [1000.0, 2000.0])
@pytest.mark.parametrize("seed", [21, 22, 23])
@pytest.mark.parametrize("floor", ["white", "band"])
def test_no_burst_in_60_s_of_pure_gaussian_noise(fs, seed, floor):
    rng = np.random.default_rng(seed)
    n = int(60 * fs)
    x = rng.normal(size=n) if floor == "white" else band_noise(rng, n, fs)
    for name, detector in DETECTORS.items():
        assert detector(x, fs) == [], name


def test_bursts_touching_the_start_and_the_end_are_flagged():
    fs = 1000.0
    x = synth(fs, 20, 5, bursts=((0.0, 0.8), (4.0, 5.0), (11.3, 12.0)))
    rec = Recording(x, fs=fs, ch_names=["VL"], t0=3.0)
    for method in DETECTION_METHODS:
        t = detect_bursts(rec, method=method)
        assert len(t) == 3, (method, t)
        assert t["at_start"].tolist() == [True, False, False]
        assert t["at_end"].tolist() == [False, False, True]
        assert t["onset_s"].iloc[0] == pytest.approx(3.0)          # the first sample, on the clock
        assert t["offset_s"].iloc[-1] == pytest.approx(15.0)       # t0 + duration
        assert t["onset_s"].iloc[1] == pytest.approx(7.0, abs=0.02)


def test_one_channel_alone_gives_the_same_table_as_inside_a_many_channel_recording():
    fs = 2000.0
    rows = [synth(fs, snr, seed) for snr, seed in [(10, 1), (20, 2), (15, 3), (12, 4), (25, 5)]]
    rows[2] = rows[2] * 1e-3                                       # a much smaller channel too
    big = Recording(np.vstack(rows), fs=fs, ch_names=list("ABCDE"))
    for method in DETECTION_METHODS:
        full = detect_bursts(big, method=method)
        assert len(full) > 0, method                               # else every comparison is of empties
        for name in big.ch_names:
            alone = detect_bursts(big.pick([name]), method=method)
            part = full[full["channel"] == name].reset_index(drop=True)
            pd.testing.assert_frame_equal(alone, part)


def test_pairs_are_ordered_and_never_overlap():
    fs = 1000.0
    x = synth(fs, 10, 9, bursts=((1.5, 1.7), (1.9, 2.6), (2.7, 2.8), (4.0, 6.0)))
    for name, detector in DETECTORS.items():
        pairs = detector(x, fs)
        assert pairs, name
        flat = [v for pair in pairs for v in pair]
        assert all(a < b for a, b in zip(flat, flat[1:])), (name, pairs)


def test_gaps_shorter_than_min_off_are_merged_and_short_bursts_dropped():
    fs = 1000.0
    x = synth(fs, 20, 3, bursts=((2.0, 2.5), (2.58, 3.0), (5.0, 5.04), (7.0, 7.5)))
    pairs = threshold_onsets(x, fs, min_off_ms=150, min_on_ms=100)
    assert len(pairs) == 2                                 # 80 ms gap merged, 40 ms burst dropped
    assert pairs[0][0] == pytest.approx(2000, abs=20) and pairs[0][1] == pytest.approx(3000, abs=20)
    assert pairs[1][0] == pytest.approx(7000, abs=20)
    split = threshold_onsets(x, fs, min_off_ms=10, min_on_ms=10)
    assert len(split) == 4
    assert split[1][0] == pytest.approx(2580, abs=20)


def test_peak_and_area_are_measured_on_the_rectified_signal():
    fs = 1000.0
    x = np.zeros(8000)
    x[3000:4000] = 2.0 * np.sign(np.sin(2 * np.pi * 80 * np.arange(1000) / fs))   # ±2 V square wave
    x += np.random.default_rng(0).normal(scale=0.01, size=x.size)
    rec = Recording(x, fs=fs, ch_names=["m"])
    t = detect_bursts(rec, method="threshold", rest=(0.5, 2.5))
    assert len(t) == 1
    mean = x.mean()
    assert t["peak"].iloc[0] == pytest.approx(np.abs(x[3000:4000] - mean).max(), rel=1e-9)
    # |x| ≈ 2 over ≈ 1 s: the integral of the envelope is ≈ 2 V·s
    assert t["area"].iloc[0] == pytest.approx(2.0, rel=0.05)
    assert t["duration_s"].iloc[0] == pytest.approx(1.0, abs=0.03)


def test_explicit_rest_uses_the_recording_clock():
    fs = 1000.0
    x = synth(fs, 15, 8)
    rec = Recording(x, fs=fs, ch_names=["m"], t0=100.0)
    t = detect_bursts(rec, method="double", rest=(100.2, 101.5))
    np.testing.assert_allclose(t["onset_s"], [100 + b[0] for b in BURSTS], atol=0.02)
    with pytest.raises(ValueError, match="not inside the recording"):
        detect_bursts(rec, rest=(0.2, 1.5))


def test_quietest_window_lands_in_the_quiet_part():
    fs = 1000.0
    rng = np.random.default_rng(4)
    x = np.r_[5 * rng.normal(size=3000), rng.normal(size=1500), 5 * rng.normal(size=3000)]
    a, b = quietest_window(x, fs, window_s=1.0)
    assert 3000 <= a and b <= 4500


def test_table_columns_and_empty_table():
    rec = Recording(np.random.default_rng(1).normal(size=(2, 20_000)), fs=1000.0, ch_names=["a", "b"])
    t = detect_bursts(rec, method=DETECTION_METHODS)
    assert tuple(t.columns) == BURST_COLUMNS
    assert len(t) == 0 and t["at_start"].dtype == bool


def test_consensus_groups_the_three_detectors_on_each_burst():
    fs = 2000.0
    rec = Recording(np.vstack([synth(fs, 20, 31), synth(fs, 15, 32)]), fs=fs, ch_names=["L", "R"])
    together = detect_bursts(rec, method=DETECTION_METHODS)
    c = consensus(together, tolerance_ms=50)
    assert tuple(c.columns) == CONSENSUS_COLUMNS
    assert len(c) == 2 * len(BURSTS)
    assert (c["n_methods"] == 3).all()
    assert (c["methods"] == "double, threshold, tkeo").all()
    assert (c["onset_spread_ms"] <= 40).all()
    by_dict = consensus({m: detect_bursts(rec, method=m) for m in DETECTION_METHODS})
    pd.testing.assert_frame_equal(by_dict, c)


def test_consensus_groups_overlapping_bursts_and_reports_their_onset_spread():
    a = pd.DataFrame({"channel": ["x", "x"], "onset_s": [1.0, 3.0], "offset_s": [2.0, 4.0]})
    b = pd.DataFrame({"channel": ["x"], "onset_s": [1.2], "offset_s": [2.0]})
    c = consensus({"threshold": a, "tkeo": b}, tolerance_ms=50)
    assert c["n_methods"].tolist() == [2, 1]  # same activation, found by both
    assert c["onset_spread_ms"].iloc[0] == pytest.approx(200.0)  # ... with onsets 200 ms apart


def test_consensus_tolerance_is_the_gap_that_still_joins():
    a = pd.DataFrame({"channel": ["x"], "onset_s": [1.0], "offset_s": [2.0]})
    b = pd.DataFrame({"channel": ["x"], "onset_s": [2.03], "offset_s": [2.5]})  # starts 30 ms after a ends
    assert consensus({"threshold": a, "tkeo": b}, tolerance_ms=50)["n_methods"].tolist() == [2]
    assert consensus({"threshold": a, "tkeo": b}, tolerance_ms=10)["n_methods"].tolist() == [1, 1]


def test_bad_method_and_options_are_rejected_with_the_choices():
    rec = Recording(np.zeros(3000), fs=1000.0, ch_names=["a"])
    with pytest.raises(ValueError, match="'threshold'"):
        detect_bursts(rec, method="magic")
    with pytest.raises(ValueError, match="one method"):
        detect_bursts(rec, method=("threshold", "tkeo"), k=4)
    with pytest.raises(ValueError, match="1-D"):
        threshold_onsets(np.zeros((2, 100)), 1000.0)


def test_flat_signal_gives_no_burst():
    for detector in DETECTORS.values():
        assert detector(np.zeros(5000), 1000.0) == []


def test_consensus_joins_one_long_burst_with_two_short_ones_over_it():
    long = pd.DataFrame({"channel": ["TA"], "onset_s": [1.00], "offset_s": [3.0]})
    split = pd.DataFrame({"channel": ["TA", "TA"], "onset_s": [1.03, 2.0], "offset_s": [1.8, 2.9]})
    apart = pd.DataFrame({"channel": ["TA"], "onset_s": [5.0], "offset_s": [5.5]})
    out = consensus({"threshold": pd.concat([long, apart]), "tkeo": split})
    assert out["n_methods"].tolist() == [2, 1]
    assert out.loc[0, "onset_spread_ms"] == pytest.approx(30.0)
    assert out.loc[0, "onset_s"] == pytest.approx(1.015) and out.loc[0, "offset_s"] == pytest.approx(2.95)


# ---- rest found once; rest in the recording's clock; TKEO band -----------------------------------
def test_detect_bursts_finds_the_rest_window_once_per_channel(emg_rec, monkeypatch):
    rec = emg_rec()
    expect = detect_bursts(rec, method=onsets.DETECTION_METHODS)
    calls = []
    real = onsets.quietest_window

    def counting(x, fs, **kw):
        calls.append(1)
        return real(x, fs, **kw)

    monkeypatch.setattr(onset_rest, "quietest_window", counting)
    got = detect_bursts(rec, method=onsets.DETECTION_METHODS)
    assert len(calls) == rec.n_channels
    pd.testing.assert_frame_equal(got, expect)


def test_detect_bursts_with_rest_equals_the_detectors_on_arrays(emg_rec):
    rec = emg_rec(t0=10.0)
    table = detect_bursts(rec, method="threshold", rest=(10.1, 11.5))
    pairs = onsets.threshold_onsets(rec.data[0], rec.fs, rest=(0.1, 1.5))
    got = table[table["channel"] == "biceps"]
    np.testing.assert_allclose(got["onset_s"], [10.0 + a / rec.fs for a, _ in pairs])


def test_tkeo_band_uses_the_pipeline_clip():
    x = np.random.default_rng(5).normal(size=3000)
    low, high, warn = clip_band(30.0, 300.0, 500.0)
    assert (low, high) == (30.0, 237.5) and warn
    expect = tkeo_conditioned(x, 500.0, band_hz=(30.0, 237.5))
    np.testing.assert_array_equal(tkeo_conditioned(x, 500.0), expect)
    np.testing.assert_array_equal(bandpass(x, 2000.0, 30, 300), bandpass(x, 2000.0, *clip_band(30, 300, 2000.0)[:2]))
