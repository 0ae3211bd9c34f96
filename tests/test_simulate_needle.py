"""The intramuscular simulator: fibre physics, presets, recruitment, firing rates, spontaneous activity."""

import numpy as np
import pytest

from emgviz import muap_table
from emgviz.audio import to_wav
from emgviz.simulate import NEEDLE_PRESETS, SPONTANEOUS_KINDS, simulate_needle
from emgviz.simulate.fibres import fibre_potentials
from emgviz.simulate.needle import set_rates, unit_templates


# ---- fibre physics: near → sharp and large, far → blunt and small ------------------------------
def _centroid_hz(x, fs):
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(x.size, 1 / fs)
    return float((spec * f).sum() / spec.sum())


def test_a_fibre_far_from_the_needle_gives_a_smaller_blunter_potential():
    fs = 50_000
    near, mid, far = fibre_potentials([0.1, 0.5, 1.5], [0, 0, 0], [-12] * 3, [55] * 3, fs=fs, duration_s=0.03)
    amps = [np.ptp(p) for p in (near, mid, far)]
    assert amps[0] > 3 * amps[1] > 3 * amps[2] * 0.5
    assert 0.3e-3 < amps[0] < 3e-3                       # ~1 mV at 100 µm (single-fibre EMG range)
    assert _centroid_hz(near, fs) > 1.5 * _centroid_hz(far, fs)


def test_a_fibre_potential_is_initially_positive_when_recorded_away_from_the_end_plate():
    p = fibre_potentials([0.2], [0], [-12], [55], fs=50_000, duration_s=0.03)[0]
    first = p[np.nonzero(np.abs(p) > 0.05 * np.abs(p).max())[0][0]]
    assert first > 0 and abs(p.min()) > p.max()          # +, then the large negative spike


def test_faster_fibres_arrive_earlier():
    slow, fast = fibre_potentials([0.2, 0.2], [0, 0], [-12, -12], [35, 75], fs=50_000, duration_s=0.03)
    assert np.argmin(fast) < np.argmin(slow)


# ---- presets measured with muap_table --------------------------------------------------------
@pytest.fixture(scope="module")
def tables():
    out = {}
    force = {"normal": 0.15, "myopathic": 0.06, "neurogenic": 0.25}   # 2–4 units each
    for name in ("normal", "myopathic", "neurogenic"):
        sims = [simulate_needle(name, force=force[name], duration_s=6, fs=20_000, seed=s) for s in (0, 1, 2)]
        out[name] = (sims, [muap_table(s.recording) for s in sims])
    return out


def _median(tabs, col):
    return float(np.median(np.concatenate([t[col].to_numpy(float) for t in tabs])))


def test_muap_table_finds_the_preset_targets(tables):
    for name, (sims, tabs) in tables.items():
        targets = NEEDLE_PRESETS[name].targets
        dur, amp = _median(tabs, "Duration (ms)"), _median(tabs, "Amplitude (µV)")
        lo, hi = targets["Duration (ms)"]
        assert lo <= dur <= hi, (name, dur)
        lo, hi = targets["Amplitude (µV)"]
        assert lo <= amp <= hi, (name, amp)
        poly = 100 * np.mean(np.concatenate([t["Phases"].to_numpy() >= 5 for t in tabs]))
        lo, hi = targets["Polyphasic (%)"]
        assert lo <= poly <= hi, (name, poly)


def test_myopathic_is_shorter_and_smaller_neurogenic_longer_and_larger(tables):
    dur = {k: _median(t, "Duration (ms)") for k, (_, t) in tables.items()}
    amp = {k: _median(t, "Amplitude (µV)") for k, (_, t) in tables.items()}
    assert dur["myopathic"] < 0.85 * dur["normal"] < 0.85 * dur["neurogenic"]
    assert amp["myopathic"] < amp["normal"] < 0.8 * amp["neurogenic"]


def test_muap_table_rates_match_the_set_rates(tables):
    # muap_table may merge two near-identical units into one MUP (then its rate is their sum):
    # at least 80 % of the MUPs must fire at a set rate, within 5 %
    ok = total = 0
    for name, (sims, tabs) in tables.items():
        for sim, tab in zip(sims, tabs):
            set_rates_hz = sim.truth.units.query("n_discharges > 10")["set_rate_hz"].to_numpy()
            for r in tab["Firing rate (Hz)"]:
                ok += int(np.min(np.abs(set_rates_hz - r)) <= 0.05 * r)
                total += 1
    assert total >= 15 and ok >= 0.8 * total


# ---- recruitment and firing rates ------------------------------------------------------------
@pytest.mark.parametrize("preset", ["normal", "myopathic", "neurogenic"])
def test_firing_rates_are_within_5_percent_of_the_set_rates(preset):
    sim = simulate_needle(preset, force=0.3, duration_s=10, fs=10_000, seed=3)
    d = sim.truth.discharges
    checked = 0
    for u in sim.truth.units.itertuples():
        t = d.loc[d["unit"] == u.unit, "time_s"].to_numpy()
        if t.size < 20:
            continue
        measured = (t.size - 1) / (t[-1] - t[0])
        assert measured == pytest.approx(u.set_rate_hz, rel=0.05), (u.unit, measured, u.set_rate_hz)
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize("preset, lo, hi", [("normal", 8.5, 11.5), ("neurogenic", 20.0, 26.0),
                                            ("myopathic", 6.0, 8.0)])
def test_the_first_unit_fires_at_the_recruitment_rate_when_the_second_starts(preset, lo, hi):
    ramp = np.linspace(0, 0.5, 100)
    sim = simulate_needle(preset, force=ramp, duration_s=20, fs=10_000, seed=2)
    d = sim.truth.discharges
    t1 = d.loc[d["unit"] == 1, "time_s"].min()
    t0 = d.loc[(d["unit"] == 0) & (d["time_s"] > t1 - 1.0) & (d["time_s"] < t1 + 1.0), "time_s"].to_numpy()
    rate = (t0.size - 1) / (t0[-1] - t0[0])
    assert lo <= rate <= hi


def test_early_recruitment_in_myopathy_and_reduced_recruitment_in_neurogenic_muscle():
    active = {k: int((set_rates(k, 0.1) > 0).sum()) for k in NEEDLE_PRESETS}
    assert active["myopathic"] >= 3 * active["normal"] > 3 * active["neurogenic"] - 1
    assert active["neurogenic"] == 1


# ---- recording, truth, errors ----------------------------------------------------------------
def test_the_recording_is_the_templates_at_the_discharges_plus_noise():
    sim = simulate_needle("normal", force=0.05, duration_s=2, fs=50_000, noise_uv=0, seed=5)
    rec, tr = sim.recording, sim.truth
    assert rec.fs == 50_000 and rec.unit == "V" and rec.ch_names == ("needle",)
    rebuilt = np.zeros(rec.n_samples + tr.templates.shape[1])
    for r in tr.discharges.itertuples():
        i = int(round(r.time_s * rec.fs))
        rebuilt[i:i + tr.templates.shape[1]] += tr.templates[r.unit]
    np.testing.assert_allclose(rec.data[0], rebuilt[:rec.n_samples], atol=1e-12)


def test_noise_has_the_requested_rms():
    sim = simulate_needle("normal", force=0, duration_s=2, fs=10_000, noise_uv=7, seed=1)
    assert np.std(sim.recording.data[0]) * 1e6 == pytest.approx(7, rel=0.03)


def test_same_seed_same_signal_and_params_recreate_it():
    a = simulate_needle("myopathic", force=0.1, duration_s=1, fs=10_000, seed=4,
                        spontaneous={"fibrillation": 1})
    b = simulate_needle(**a.params)
    np.testing.assert_array_equal(a.recording.data, b.recording.data)


def test_bad_inputs_say_what_to_do():
    with pytest.raises(ValueError, match="preset"):
        simulate_needle("dystrophic")
    with pytest.raises(ValueError, match="4 kHz to 50 kHz"):
        simulate_needle(fs=2000)
    with pytest.raises(ValueError, match="force"):
        simulate_needle(force=1.5)
    with pytest.raises(ValueError, match="unknown spontaneous"):
        simulate_needle(force=0, spontaneous={"cramp": 1})


def test_templates_have_the_requested_rate():
    t20, _ = unit_templates("normal", fs=20_000, seed=0)
    t4, _ = unit_templates("normal", fs=4_000, seed=0)
    assert t20.shape[1] == 5 * t4.shape[1]
    np.testing.assert_allclose(np.ptp(t4, axis=1), np.ptp(t20, axis=1), rtol=0.35)


# ---- spontaneous activity: the generators keep to their definitions ---------------------------
def test_fibrillations_are_brief_small_and_regular():
    sim = simulate_needle("neurogenic", force=0, duration_s=10, fs=20_000, seed=1,
                          spontaneous={"fibrillation": 3})
    ev = sim.truth.spontaneous
    assert (ev["duration_s"] <= 0.006).all() and ev["amplitude (µV)"].between(20, 1000).all()
    for _, g in ev.groupby("source"):
        isi = np.diff(g["time_s"].to_numpy())
        assert isi.std() / isi.mean() < 0.1
        assert 0.5 <= 1 / isi.mean() <= 15.5


def test_fasciculations_are_irregular_and_slow():
    sim = simulate_needle("neurogenic", force=0, duration_s=60, fs=10_000, seed=2,
                          spontaneous={"fasciculation": 1})
    t = sim.truth.spontaneous["time_s"].to_numpy()
    isi = np.diff(t)
    assert isi.std() / isi.mean() > 0.4 and 1 / isi.mean() < 1.0


def test_myotonic_discharges_wax_and_wane_between_20_and_150_hz():
    sim = simulate_needle("myopathic", force=0, duration_s=4, fs=20_000, noise_uv=0, seed=3,
                          spontaneous={"myotonic": {"count": 1, "rate_hz": (20, 150)}})
    run = sim.truth.spontaneous.iloc[0]
    assert run["type"] == "myotonic" and 0.5 <= run["duration_s"] <= 2.1
    assert 20 <= run["rate (Hz)"] <= 150


def test_complex_repetitive_discharges_keep_a_constant_rate():
    sim = simulate_needle("normal", force=0, duration_s=4, fs=20_000, noise_uv=0, seed=3,
                          spontaneous={"complex_repetitive": {"count": 1, "rate_hz": 30}})
    run = sim.truth.spontaneous.iloc[0]
    assert run["rate (Hz)"] == 30
    a, b = int(run["time_s"] * 20_000), int((run["time_s"] + run["duration_s"]) * 20_000)
    x = sim.recording.data[0]
    assert np.abs(x[:a - 10]).max() == 0 and np.abs(x[b + 10:]).max() == 0   # abrupt start and stop
    period = int(20_000 / 30)
    np.testing.assert_allclose(x[a + period:a + 2 * period], x[a + 2 * period:a + 3 * period], atol=2e-6)


def test_every_kind_can_be_simulated_and_sounded():
    sim = simulate_needle("neurogenic", force=0, duration_s=8, fs=20_000, seed=0,
                          spontaneous={k: 1 for k in SPONTANEOUS_KINDS})
    assert set(sim.truth.spontaneous["type"]) == set(SPONTANEOUS_KINDS)
    wav = to_wav(sim.recording.data[0], sim.recording.fs)
    assert wav[:4] == b"RIFF" and len(wav) > 44 + 2 * 44_100 * 7


def test_emgviz_simulate_stays_callable_after_the_package_is_imported():
    import emgviz
    import emgviz.simulate.needle  # noqa: F401 - binds emgviz.simulate to the package

    assert emgviz.simulate(duration_s=1, seed=1).recording.n_samples == 2000
