"""Signal quality: clean EMG is good; hum, flat channels, clipping and 60 Hz are caught with numbers."""

import numpy as np
import pytest

from emgviz.filters import bandpass
from emgviz.quality import (CLIP_RUN, GRADES, MAINS_CHECK, QUALITY_COLUMNS, signal_quality)
from emgviz.recording import Recording

FS = 2000.0


def clean_emg(seed=0, fs=FS, duration_s=20.0):
    """Band-limited (20–450 Hz) bursts 1 s on / 1 s off, 20 dB over a band-limited floor."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * fs)
    x = bandpass(rng.normal(size=n), fs, 20.0, 450.0)
    t = np.arange(n) / fs
    gate = np.where((t % 2.0) >= 1.0, 10.0, 1.0)
    return 1e-5 * x * gate / x.std()                           # volts


def with_hum(x, f_hz, fraction, fs=FS):
    """Add a sine carrying ``fraction`` of the total power of the result."""
    p = np.mean(x ** 2)
    amp = np.sqrt(2 * p * fraction / (1 - fraction))
    return x + amp * np.sin(2 * np.pi * f_hz * np.arange(x.size) / fs + 0.3)


def test_clean_emg_is_good():
    rec = Recording(np.vstack([clean_emg(s) for s in range(3)]), fs=FS, ch_names=["a", "b", "c"])
    q = signal_quality(rec)
    assert tuple(q.columns) == QUALITY_COLUMNS
    assert q["grade"].tolist() == ["good"] * 3, q["reason"].tolist()
    assert (q["mains_ratio_50"] < 0.01).all() and (q["mains_ratio_60"] < 0.01).all()
    assert (q["snr_db"] > 15).all()
    assert (q["clipping_fraction"] == 0).all() and not q["flat"].any()
    assert q["reason"].str.startswith("no problem found").all()


@pytest.mark.parametrize("fraction, grade", [(0.10, "check"), (0.38, "poor")])
def test_50_hz_hum_is_measured_and_named(fraction, grade):
    rec = Recording(with_hum(clean_emg(1), 50.0, fraction), fs=FS, ch_names=["BB"])
    row = signal_quality(rec).iloc[0]
    assert row["mains_ratio_50"] == pytest.approx(fraction, abs=0.02)
    assert row["mains_ratio_60"] < MAINS_CHECK
    assert row["grade"] == grade
    assert f"mains hum: {100 * row['mains_ratio_50']:.0f} % of power at 50 Hz and harmonics" in row["reason"]


def test_60_hz_hum_is_found_without_knowing_the_mains_frequency():
    rec = Recording(with_hum(clean_emg(2), 60.0, 0.3), fs=FS, ch_names=["BB"])
    row = signal_quality(rec).iloc[0]
    assert row["mains_ratio_60"] == pytest.approx(0.3, abs=0.02)
    assert row["mains_ratio_50"] < 0.01
    assert row["grade"] == "poor" and "60 Hz" in row["reason"]
    told_50 = signal_quality(rec, mains_hz=50).iloc[0]          # told the wrong mains: not graded on 60
    assert told_50["grade"] != "poor" and told_50["mains_ratio_60"] == pytest.approx(0.3, abs=0.02)


def test_harmonics_count_towards_the_mains_ratio():
    x = clean_emg(3)
    hum = with_hum(x, 50.0, 0.1) - x
    third = np.roll(with_hum(x, 150.0, 0.1) - x, 7)
    row = signal_quality(Recording(x + hum + third, fs=FS, ch_names=["m"])).iloc[0]
    # each sine carries p_x/9; together (2/9) / (1 + 2/9) = 2/11 of the power
    assert row["mains_ratio_50"] == pytest.approx(2 / 11, abs=0.02)


def test_a_flat_channel_is_poor():
    data = np.vstack([clean_emg(4), clean_emg(5), np.full(int(20 * FS), 0.25), 1e-4 * clean_emg(6)])
    q = signal_quality(Recording(data, fs=FS, ch_names=["a", "b", "dead", "tiny"]))
    assert q["flat"].tolist() == [False, False, True, True]
    assert q["grade"].tolist()[2:] == ["poor", "poor"]
    assert q["reason"].iloc[2].startswith("flat")
    assert q["reason"].iloc[3].startswith("flat")


def test_a_channel_stuck_at_a_rail_most_of_the_time_is_flat():
    x = clean_emg(7)
    x[: int(0.6 * x.size)] = 3.0
    row = signal_quality(Recording(x, fs=FS, ch_names=["m"])).iloc[0]
    assert row["flat"] and row["grade"] == "poor" and "60 % of samples" in row["reason"]


def test_clipping_fraction_counts_rail_runs_only():
    rng = np.random.default_rng(8)
    x = rng.uniform(-0.9, 0.9, size=20_000)
    for start in (1000, 3000, 5000, 7000, 9000):
        x[start:start + 10] = 1.0                               # 5 runs of 10 at the top rail
    for start in (12000, 14000, 16000):
        x[start:start + 10] = -1.0                              # 3 runs of 10 at the bottom rail
    x[18000] = 1.0                                              # one lone sample at the max: a peak
    x[19000:19000 + CLIP_RUN - 1] = -1.0                        # a run too short to count
    row = signal_quality(Recording(x, fs=1000.0, ch_names=["m"])).iloc[0]
    assert row["clipping_fraction"] == pytest.approx(80 / 20_000)
    assert row["grade"] == "check" and "clipping: 0.4 % of samples" in row["reason"]
    with_range = signal_quality(Recording(x, fs=1000.0, ch_names=["m"]), adc_range=(-1.0, 1.0)).iloc[0]
    assert with_range["clipping_fraction"] == pytest.approx((80 + 1 + CLIP_RUN - 1) / 20_000)


def test_heavy_clipping_is_poor():
    x = clean_emg(9)
    lim = np.percentile(np.abs(x), 90)
    row = signal_quality(Recording(np.clip(x, -lim, lim), fs=FS, ch_names=["m"])).iloc[0]
    assert row["clipping_fraction"] > 0.01 and row["grade"] == "poor" and "clipping" in row["reason"]


def test_white_noise_puts_a_tenth_of_its_power_in_the_top_tenth_of_the_band():
    x = np.random.default_rng(10).normal(size=40_000)
    row = signal_quality(Recording(x, fs=1000.0, ch_names=["m"])).iloc[0]
    assert row["hf_ratio"] == pytest.approx(0.10, abs=0.01)
    aliased = x + 3 * np.sin(2 * np.pi * 480 * np.arange(x.size) / 1000.0)
    row = signal_quality(Recording(aliased, fs=1000.0, ch_names=["m"])).iloc[0]
    assert row["hf_ratio"] > 0.5 and "above 450 Hz" in row["reason"]


def test_snr_with_a_given_rest_segment_uses_the_clock():
    x = clean_emg(11)                                           # rest in [0, 1) s, 20 dB bursts
    rec = Recording(x, fs=FS, ch_names=["m"], t0=50.0)
    row = signal_quality(rec, rest=(50.1, 50.9)).iloc[0]
    assert row["snr_db"] == pytest.approx(20.0, abs=2.0)
    with pytest.raises(ValueError, match="holds 0 samples"):
        signal_quality(rec, rest=(0.0, 1.0))


def test_grades_are_from_the_documented_set_and_bad_mains_is_rejected():
    rec = Recording(np.random.default_rng(0).normal(size=(2, 4000)), fs=1000.0, ch_names=["a", "b"])
    assert set(signal_quality(rec)["grade"]) <= set(GRADES)
    with pytest.raises(ValueError, match="60.0"):
        signal_quality(rec, mains_hz=55)


# ---- rest span -----------------------------------------------------------------------------------
def test_quality_bad_rest_is_a_value_error(emg_rec):
    with pytest.raises(ValueError, match=r"rest must be \(t0_s, t1_s\)"):
        signal_quality(emg_rec(), rest=5)
    with pytest.raises(ValueError, match="rest must be"):
        signal_quality(emg_rec(), rest=("a", "b"))
