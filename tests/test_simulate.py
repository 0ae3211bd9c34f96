"""The simulator: physiology (spectrum, fatigue, recruitment), artefacts, truth, reproducibility."""

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import signal

from emgviz.simulate import ARTEFACTS, RECRUIT_RANGE, profile, score_onsets, simulate
from emgviz.spectral import median_frequency, welch_psd

FS = 2000.0


def mdf(x, fs=FS):
    f, p = welch_psd(x, fs, segment_s=0.25)
    return float(median_frequency(f, p))


def psd_at(x, hz, fs=FS):
    """PSD at ``hz`` over the median PSD of 20–300 Hz (a peak ratio)."""
    f, p = welch_psd(x, fs, segment_s=1.0)
    band = (f >= 20) & (f <= 300)
    return float(p[np.argmin(np.abs(f - hz))] / np.median(p[band]))


def span(rec, a_s, b_s):
    return rec.data[0, int(a_s * rec.fs):int(b_s * rec.fs)]


# --- physiology -------------------------------------------------------------------------------
def test_sustained_contraction_has_median_frequency_between_50_and_150_hz():
    sim = simulate(profile="sustained", level=0.5, duration_s=10)
    value = mdf(span(sim.recording, 2, 8))
    assert 50 <= value <= 150


def test_spectrum_is_smooth_muscle_not_white_noise():
    sim = simulate(profile="sustained", level=0.5, duration_s=6)
    f, p = welch_psd(span(sim.recording, 1.5, 4.5), FS)
    low, mid, high = p[(f > 60) & (f < 120)].mean(), p[(f > 400) & (f < 600)].mean(), p[f > 800].mean()
    assert mid < low / 5 and high < low / 50


def test_median_frequency_drops_during_a_fatiguing_hold():
    sim = simulate(profile="fatigue", level=0.5, duration_s=20)
    first, last = mdf(span(sim.recording, 1.5, 6.5)), mdf(span(sim.recording, 13.5, 18.5))
    assert last < 0.85 * first
    assert sim.truth.velocity[-1] == pytest.approx(0.7)


def test_no_fatigue_keeps_the_median_frequency():
    sim = simulate(profile="sustained", level=0.5, duration_s=20)
    first, last = mdf(span(sim.recording, 1.5, 6.5)), mdf(span(sim.recording, 13.5, 18.5))
    assert last == pytest.approx(first, rel=0.1)


def test_rms_rises_monotonically_with_contraction_level():
    levels = [0.1, 0.3, 0.5, 0.7, 0.9]
    rms = [np.sqrt(np.mean(span(simulate(profile="sustained", level=lv, duration_s=5).recording, 1, 4) ** 2))
           for lv in levels]
    assert np.all(np.diff(rms) > 0), rms


def test_full_contraction_rms_is_amplitude_v_and_matches_the_true_envelope():
    sim = simulate(profile="sustained", level=1.0, duration_s=5, amplitude_v=1e-3)
    x = span(sim.recording, 1, 4)
    assert np.sqrt(np.mean(x ** 2)) == pytest.approx(1e-3, rel=0.1)
    assert np.sqrt(np.mean(x ** 2)) == pytest.approx(span(sim.truth.envelope, 1, 4).mean(), rel=0.1)


def test_more_units_are_recruited_at_higher_drive():
    sim = simulate(profile="sustained", level=0.2, duration_s=4)
    units = sim.truth.units
    firing = units["n_spikes"] > 0
    assert firing.equals(units["threshold"] <= 0.2)
    assert units["threshold"].is_monotonic_increasing
    assert units["threshold"].iloc[0] == pytest.approx(RECRUIT_RANGE[0])


def test_firing_rate_follows_the_drive_and_intervals_vary_with_cv_0_2():
    sim = simulate(profile="sustained", level=0.5, duration_s=12)
    spikes = sim.truth.spikes
    assert spikes["time_s"].is_monotonic_increasing
    hold = spikes[(spikes["time_s"] > 2) & (spikes["time_s"] < 10)]
    first = np.diff(hold.loc[hold["unit"] == 0, "time_s"].to_numpy())
    # unit 0 at drive 0.5: 8 + 27 * (0.5 - 0.01) / 0.99 ≈ 21.4 Hz
    assert 1 / first.mean() == pytest.approx(21.4, rel=0.1)
    assert first.std() / first.mean() == pytest.approx(0.2, abs=0.05)
    last_recruited = sim.truth.units.index[sim.truth.units["threshold"] <= 0.5][-1]
    late = np.diff(hold.loc[hold["unit"] == last_recruited, "time_s"].to_numpy())
    assert 6 < 1 / late.mean() < 12            # just above its threshold: near 8 Hz
    # at full drive every unit fires near 35 Hz
    full = simulate(profile="sustained", level=1.0, duration_s=6).truth.spikes
    isi = np.diff(full.loc[(full["unit"] == 99) & (full["time_s"].between(1.5, 4.5)), "time_s"].to_numpy())
    assert 1 / isi.mean() == pytest.approx(35, rel=0.1)


def test_channels_see_different_mixes_of_the_same_contractions():
    sim = simulate(profile="bursts", n_channels=3, duration_s=6)
    d = sim.recording.data
    assert not np.allclose(d[0], d[1])
    env = sim.truth.envelope.data
    active = sim.truth.drive > 0.2
    assert (env[:, active] > 0).all() and (env[:, sim.truth.drive == 0] == 0).all()


def test_ten_seconds_at_2khz_with_100_units():
    # the speed of this call is measured in benchmarks, not asserted here (no timed unit tests)
    sim = simulate(fs=2000.0, duration_s=10.0, n_units=100)
    assert sim.recording.n_samples == 20_000 and sim.recording.fs == 2000.0


# --- artefacts --------------------------------------------------------------------------------
@pytest.mark.parametrize("hz", [50.0, 60.0])
def test_mains_puts_a_peak_at_its_frequency(hz):
    sim = simulate(profile="bursts", artefacts={"mains": {"hz": hz, "amplitude": 50e-6}}, duration_s=6)
    x = sim.recording.data[0]
    other = 60.0 if hz == 50.0 else 50.0
    assert psd_at(x, hz) > 30  # a 50 µV hum on ~230 µV RMS EMG
    assert psd_at(x, other) < 10
    assert sim.truth.artefacts["mains"]["frequencies_hz"] == [hz, 2 * hz, 3 * hz]


def test_without_mains_there_is_no_peak_at_50_or_60_hz():
    x = simulate(profile="bursts", duration_s=6).recording.data[0]
    assert psd_at(x, 50) < 10 and psd_at(x, 60) < 10


def test_clipping_is_at_the_stated_level_exactly():
    level = 0.3e-3
    sim = simulate(profile="sustained", level=0.8, artefacts={"clipping": {"level": level}}, duration_s=4)
    x = sim.recording.data
    assert np.abs(x).max() == level
    assert (x == level).sum() > 10 and (x == -level).sum() > 10
    clean = simulate(profile="sustained", level=0.8, duration_s=4).recording.data
    assert np.abs(clean).max() > level


def test_dc_offset_shifts_the_mean():
    base = simulate(profile="bursts", duration_s=6).recording.data[0]
    shifted = simulate(profile="bursts", duration_s=6, artefacts={"dc": 5e-3}).recording.data[0]
    assert abs(base.mean()) < 1e-5
    assert shifted.mean() == pytest.approx(5e-3, abs=1e-5)
    np.testing.assert_allclose(shifted - base, 5e-3, atol=1e-15)


def test_dropouts_are_flat_zeros_at_the_truth_times():
    art = {"noise_snr_db": 20, "dropouts": {"count": 2, "duration_s": 0.1}}
    sim = simulate(profile="bursts", duration_s=6, artefacts=art)
    x = sim.recording.data[0]
    times = sim.truth.artefacts["dropouts"]["times_s"]
    assert len(times) == 2
    for tm in times:
        seg = x[int(round(tm * FS)):int(round((tm + 0.1) * FS))]
        assert seg.size == 200 and (seg == 0).all()
    assert (x == 0).sum() == 400
    noisy = simulate(profile="bursts", duration_s=6, artefacts={"noise_snr_db": 20}).recording.data[0]
    assert (noisy == 0).sum() == 0


def test_noise_at_the_requested_snr():
    sim = simulate(profile="sustained", level=0.5, duration_s=6, artefacts={"noise_snr_db": 10})
    noise = sim.recording.data[0] - sim.truth.clean.data[0]
    active = sim.truth.drive > 0.4
    snr = 10 * np.log10(np.mean(sim.truth.clean.data[0, active] ** 2) / np.mean(noise ** 2))
    assert snr == pytest.approx(10, abs=1)


def test_ecg_crosstalk_is_a_periodic_qrs_near_1_hz():
    sim = simulate(profile="rest", duration_s=10, artefacts={"ecg": {"amplitude": 1e-4, "bpm": 60}})
    x = sim.recording.data[0]
    peaks, _ = signal.find_peaks(x, height=0.7e-4, distance=int(0.4 * FS))
    intervals = np.diff(peaks) / FS
    assert 8 <= peaks.size <= 11
    assert np.median(intervals) == pytest.approx(1.0, rel=0.1)
    np.testing.assert_allclose(peaks / FS, sim.truth.artefacts["ecg"]["beats_s"][:peaks.size], atol=0.01)
    # QRS is narrow: half the peak height lasts ~ 25 ms, not a sine
    i = peaks[1]
    assert (x[i - 100:i + 100] > 0.5e-4).sum() < 0.04 * FS
    assert not simulate(profile="rest", duration_s=10).recording.data.any()


def test_motion_adds_low_frequency_transients_at_contraction_edges():
    base = simulate(profile="bursts", duration_s=6)
    moved = simulate(profile="bursts", duration_s=6, artefacts={"motion": True})
    diff = moved.recording.data[0] - base.recording.data[0]
    f, p = welch_psd(diff, FS, segment_s=1.0)
    assert p[f < 20].sum() > 0.95 * p.sum()
    times = moved.truth.artefacts["motion"]["times_s"]
    expected = np.sort(np.concatenate([base.truth.bursts["onset_s"], base.truth.bursts["offset_s"]]))
    np.testing.assert_allclose(times, expected)
    peak_t = np.argmax(np.abs(diff[: int(expected[1] * FS - 0.2 * FS)])) / FS
    assert abs(peak_t - expected[0]) < 0.1


def test_wander_is_below_1_hz():
    base = simulate(profile="bursts", duration_s=10)
    wander = simulate(profile="bursts", duration_s=10, artefacts={"wander": {"amplitude": 1e-3, "hz": 0.3}})
    diff = wander.recording.data[0] - base.recording.data[0]
    assert np.abs(diff).max() == pytest.approx(1e-3, rel=1e-6)
    f = np.fft.rfftfreq(diff.size, 1 / FS)
    spec = np.abs(np.fft.rfft(diff)) ** 2
    assert spec[f < 1].sum() > 0.95 * spec.sum()


def test_no_artefacts_means_the_recording_is_the_clean_signal():
    sim = simulate(profile="bursts", duration_s=4)
    np.testing.assert_array_equal(sim.recording.data, sim.truth.clean.data)
    assert dict(sim.truth.artefacts) == {}


def test_unknown_artefact_names_the_known_ones():
    with pytest.raises(ValueError, match="mains"):
        simulate(artefacts={"hum": 50})
    with pytest.raises(ValueError, match="harmonics"):
        simulate(artefacts={"mains": {"hz": 50, "harmonic": 2}})


def test_every_artefact_at_once_runs_and_records_its_parameters():
    sim = simulate(duration_s=4, n_channels=2, artefacts={name: True for name in ARTEFACTS})
    assert set(sim.truth.artefacts) == set(ARTEFACTS)
    assert np.isfinite(sim.recording.data).all()


# --- truth and reproducibility ------------------------------------------------------------------
def test_truth_onsets_are_where_the_drive_crosses_the_first_units_threshold():
    sim = simulate(profile="bursts", duration_s=10, n_channels=2)
    th = sim.truth.units["threshold"].iloc[0]
    drive = sim.truth.drive
    b = sim.truth.bursts
    assert len(b) == 2 * 4 and set(b["channel"]) == {"emg1", "emg2"}
    for on, off in b.loc[b["channel"] == "emg1", ["onset_s", "offset_s"]].itertuples(index=False):
        i, j = int(round(on * FS)), int(round(off * FS))
        assert drive[i] >= th > drive[i - 1]
        assert drive[j - 1] >= th > drive[j]
    # nothing fires outside the true contractions
    env = sim.truth.envelope.data[0]
    inside = np.zeros(env.size, bool)
    for on, off in b.loc[b["channel"] == "emg1", ["onset_s", "offset_s"]].itertuples(index=False):
        inside[int(round(on * FS)):int(round(off * FS))] = True
    assert (env[~inside] == 0).all()
    ev = sim.recording.events
    np.testing.assert_allclose(ev["time_s"], b.loc[b["channel"] == "emg1", "onset_s"])
    assert (ev["label"] == "contraction").all()


def test_rest_has_no_bursts_and_no_signal():
    sim = simulate(profile="rest", duration_s=3)
    assert sim.truth.bursts.empty and not sim.recording.data.any()


def test_same_seed_same_signal_different_seed_different_signal():
    art = {"mains": 50, "noise_snr_db": 20, "ecg": True, "dropouts": 2}
    a = simulate(seed=3, artefacts=art, duration_s=4)
    b = simulate(seed=3, artefacts=art, duration_s=4)
    c = simulate(seed=4, artefacts=art, duration_s=4)
    np.testing.assert_array_equal(a.recording.data, b.recording.data)
    assert not np.allclose(a.recording.data, c.recording.data)


def test_params_are_json_safe_and_reproduce_the_recording():
    sim = simulate(duration_s=3, profile=np.linspace(0, 0.6, 50), artefacts={"mains": {"hz": 60}}, seed=7)
    params = json.loads(json.dumps(sim.params))
    again = simulate(**params)
    np.testing.assert_array_equal(again.recording.data, sim.recording.data)


def test_simulations_pickle_for_the_streamlit_cache():
    sim = simulate(duration_s=2, artefacts={"mains": 50})
    back = pickle.loads(pickle.dumps(sim))
    np.testing.assert_array_equal(back.recording.data, sim.recording.data)
    assert back.truth.artefacts["mains"]["hz"] == 50.0
    pd.testing.assert_frame_equal(back.truth.bursts, sim.truth.bursts)


def test_custom_profile_is_stretched_over_the_duration():
    sim = simulate(duration_s=4, profile=[0, 0, 1, 1])
    assert sim.truth.drive.size == 8000 and sim.truth.drive[-1] == 1.0
    with pytest.raises(ValueError, match="0–1"):
        simulate(profile=[0, 2.0])


def test_profile_builders():
    d = profile("bursts", fs=1000, duration_s=10, level=0.4)
    assert d.max() == pytest.approx(0.4) and d[:900].max() == 0
    assert not profile("rest", fs=1000, duration_s=2).any()
    r = profile("ramp", fs=1000, duration_s=10, level=0.8)
    assert np.argmax(r) == pytest.approx(5000, abs=2)
    with pytest.raises(ValueError, match="profile must be one of"):
        profile("jog", fs=1000, duration_s=2)


# --- scoring --------------------------------------------------------------------------------------
def test_score_onsets_counts_hits_misses_false_alarms_and_timing():
    truth = pd.DataFrame({"channel": ["a", "a", "a"], "onset_s": [1.0, 3.0, 5.0]})
    found = pd.DataFrame({"channel": ["a", "a", "a"], "onset_s": [1.02, 2.9, 7.0]})
    row = score_onsets(found, truth).iloc[0]
    assert (row["hits"], row["misses"], row["false_alarms"]) == (2, 1, 1)
    assert row["mean_error_ms"] == pytest.approx(-40.0)
    assert row["mean_abs_error_ms"] == pytest.approx(60.0)


# ---- pickling ------------------------------------------------------------------------------------
def test_simulation_pickles_without_its_own_recording_code():
    sim = simulate(duration_s=2, n_channels=2, artefacts={"mains": 50}, fatigue=0.2, seed=7)
    back = pickle.loads(pickle.dumps(sim))
    np.testing.assert_array_equal(back.recording.data, sim.recording.data)
    np.testing.assert_array_equal(back.truth.clean.data, sim.truth.clean.data)
    np.testing.assert_array_equal(back.truth.envelope.data, sim.truth.envelope.data)
    pd.testing.assert_frame_equal(back.truth.bursts, sim.truth.bursts)
    pd.testing.assert_frame_equal(back.recording.events, sim.recording.events)
    assert back.params == sim.params and back.recording.meta["simulation"] == sim.params
    assert back.truth.artefacts["mains"]["hz"] == 50
    with pytest.raises(TypeError):
        back.truth.artefacts["mains"]["hz"] = 60  # still read-only
