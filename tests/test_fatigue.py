"""Fatigue trends: a spectrum falling at a known rate gives that MDF slope; stationary → CI holds 0."""

import numpy as np
import pandas as pd
import pytest

from emgviz.fatigue import TREND_COLUMNS, WINDOW_COLUMNS, FatigueResult, fatigue_trend
from emgviz.recording import Recording


def compressing_noise(fs, duration_s=60.0, f_from=120.0, f_to=80.0, seed=0, n_tones=300):
    """A sum of random tones 70–170 Hz (median 120 Hz) whose frequencies all scale by s(t),
    s falling linearly from 1 to f_to/f_from: the median frequency falls linearly f_from → f_to."""
    n = int(duration_s * fs)
    t = np.arange(n) / fs
    rng = np.random.default_rng(seed)
    freqs = rng.uniform(f_from - 50, f_from + 50, size=n_tones)
    phases = rng.uniform(0, 2 * np.pi, size=n_tones)
    k = (1 - f_to / f_from) / duration_s
    phi = t - k * t ** 2 / 2                      # ∫ s(t) dt with s(t) = 1 − k·t
    x = np.zeros(n)
    for f, p in zip(freqs, phases):
        x += np.cos(2 * np.pi * f * phi + p)
    return x + 0.3 * rng.normal(size=n) * x.std()


@pytest.mark.parametrize("fs", [1000.0, 2000.0])
def test_mdf_slope_matches_a_spectrum_falling_from_120_to_80_hz_in_60_s(fs):
    rec = Recording(compressing_noise(fs, seed=int(fs)), fs=fs, ch_names=["VL"], t0=10.0)
    res = fatigue_trend(rec)
    assert isinstance(res, FatigueResult)
    assert tuple(res.table.columns) == TREND_COLUMNS
    row = res.table.set_index("feature").loc["MDF"]
    expected = -40.0 / 60.0                      # Hz/s
    assert row["slope_per_s"] == pytest.approx(expected, rel=0.10)
    assert row["ci_low"] < row["slope_per_s"] < row["ci_high"] < 0
    assert row["unit"] == "Hz"
    assert row["n_windows"] == 119               # (60 − 1) / 0.5 + 1
    # fitted start ≈ 120 Hz, so the change is ≈ −0.667·60/120·100 = −33 %/min
    assert row["change_pct_per_min"] == pytest.approx(-33.3, abs=4)
    mnf = res.table.set_index("feature").loc["MNF"]
    assert mnf["slope_per_s"] == pytest.approx(expected, rel=0.10)


def test_a_stationary_signal_has_a_slope_ci_containing_zero():
    covered = 0
    seeds = range(20)
    for seed in seeds:
        x = np.random.default_rng(seed).normal(size=30_000)
        rec = Recording(x, fs=1000.0, ch_names=["m"])
        row = fatigue_trend(rec, window_s=1.0, step_s=1.0, features=("MDF",)).table.iloc[0]
        covered += row["ci_low"] <= 0 <= row["ci_high"]
    # a 95 % interval: at least 17 of 20 (P(fewer) < 2 % if the coverage is right)
    assert covered >= 17


def test_windows_table_holds_every_fitted_point():
    rec = Recording(np.random.default_rng(1).normal(size=(2, 10_000)), fs=1000.0, ch_names=["a", "b"])
    res = fatigue_trend(rec, window_s=1.0, step_s=0.5, features=("RMS", "MDF"))
    assert tuple(res.windows.columns) == WINDOW_COLUMNS
    assert len(res.windows) == 2 * 2 * 19
    assert res.windows["feature"].unique().tolist() == ["RMS", "MDF"]
    assert res.table[["channel", "feature"]].values.tolist() == [["a", "RMS"], ["a", "MDF"], ["b", "RMS"], ["b", "MDF"]]
    assert (res.table["n_windows"] == 19).all()
    assert res.table.set_index(["channel", "feature"]).loc[("a", "RMS"), "unit"] == "V"


def test_rms_slope_of_a_linear_ramp_is_exact():
    fs = 1000.0
    t = np.arange(int(40 * fs)) / fs
    amp = 1.0 + 0.05 * t                           # RMS grows 0.05/√2 V per s for a sine
    x = amp * np.sin(2 * np.pi * 100 * t)
    res = fatigue_trend(Recording(x, fs=fs, ch_names=["m"]), features=("RMS",), step_s=1.0)
    row = res.table.iloc[0]
    assert row["slope_per_s"] == pytest.approx(0.05 / np.sqrt(2), rel=0.01)
    assert row["r2"] > 0.999
    assert row["intercept"] == pytest.approx(1 / np.sqrt(2), rel=0.01)
    start = row["intercept"] + row["slope_per_s"] * 0.5
    assert row["change_pct_per_min"] == pytest.approx(row["slope_per_s"] * 60 / start * 100)


def test_per_contraction_trend_uses_one_point_per_burst():
    fs = 1000.0
    x = compressing_noise(fs, seed=3)
    on = np.zeros_like(x)
    starts = np.arange(0.0, 60.0, 5.0)             # 3 s on, 2 s off
    for s in starts:
        on[int(s * fs):int((s + 3) * fs)] = 1.0
    x = x * on + 0.01 * np.random.default_rng(2).normal(size=x.size)
    rec = Recording(x, fs=fs, ch_names=["m"])
    bursts = pd.DataFrame({"channel": "m", "onset_s": starts, "offset_s": starts + 3.0})
    res = fatigue_trend(rec, contractions=bursts, features=("MDF",))
    row = res.table.iloc[0]
    assert row["n_windows"] == len(starts)
    assert row["slope_per_s"] == pytest.approx(-40 / 60, rel=0.10)
    assert res.windows["contraction"].tolist() == list(range(len(starts)))
    np.testing.assert_allclose(res.windows["time_s"], starts + 1.5)


def test_unknown_feature_and_short_recording_are_explained():
    rec = Recording(np.random.default_rng(0).normal(size=5000), fs=1000.0, ch_names=["m"])
    with pytest.raises(ValueError, match="MDF"):
        fatigue_trend(rec, features=("median",))
    with pytest.raises(ValueError, match="shorter than one window"):
        fatigue_trend(rec, window_s=10.0)


def test_fewer_than_three_windows_give_nan():
    rec = Recording(np.random.default_rng(0).normal(size=2500), fs=1000.0, ch_names=["m"])
    row = fatigue_trend(rec, window_s=1.0, step_s=1.0, features=("MDF",)).table.iloc[0]
    assert row["n_windows"] == 2 and np.isnan(row["slope_per_s"])
