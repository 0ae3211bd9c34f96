"""spontaneous_activity: event F1 on simulator truth (thresholds that can fail) and the real records."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import emgviz
from emgviz import Recording, simulate_needle, spontaneous_activity
from emgviz.needle import SPONTANEOUS_COLUMNS
from emgviz.simulate import score_events

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_spontaneous import f1_table  # noqa: E402


@pytest.fixture(scope="module")
def f1():
    scenarios = {"fibrillation": {"fibrillation": 2}, "positive_sharp_wave": {"positive_sharp_wave": 2},
                 "fasciculation": {"fasciculation": 2}}
    return f1_table(4, scenarios=scenarios, presets=("normal",)).set_index(["scenario", "type"])


@pytest.mark.parametrize("kind", ["fibrillation", "positive_sharp_wave", "fasciculation"])
def test_event_f1_is_at_least_0_9_at_realistic_noise(f1, kind):
    row = f1.loc[(kind, kind)]
    assert row["true"] > 10
    assert row["F1"] >= 0.9, f1


def test_one_kind_is_not_reported_as_another(f1):
    other = f1.reset_index()
    wrong = other[other["scenario"] != other["type"]]
    right = other[other["scenario"] == other["type"]]
    assert wrong["detected"].sum() <= 0.1 * right["hits"].sum()


@pytest.mark.parametrize("kind", ["myotonic", "complex_repetitive", "insertional"])
def test_runs_are_found_with_their_type(kind):
    hits = true = 0
    for seed in range(3):
        sim = simulate_needle("myopathic", force=0, duration_s=8, fs=20_000, noise_uv=8, seed=seed,
                              spontaneous={kind: 1})
        sc = score_events(spontaneous_activity(sim.recording), sim.truth.spontaneous).set_index("type")
        hits += sc.loc[kind, "hits"]
        true += sc.loc[kind, "true"]
    assert true == 3 and hits >= 2


def test_the_table_has_the_contract_columns_and_units():
    sim = simulate_needle("neurogenic", force=0, duration_s=3, fs=10_000, seed=4,
                          spontaneous={"fibrillation": {"count": 1, "rate_hz": 8, "amplitude_uv": 200}})
    table = spontaneous_activity(sim.recording)
    assert list(table.columns) == SPONTANEOUS_COLUMNS == ["time_s", "duration_s", "type", "rate (Hz)",
                                                          "amplitude (µV)"]
    fib = table[table["type"] == "fibrillation"]
    assert len(fib) >= 20
    assert fib["rate (Hz)"].median() == pytest.approx(8, rel=0.05)
    assert fib["amplitude (µV)"].median() == pytest.approx(200, rel=0.25)
    assert (fib["duration_s"] < 0.008).all()


def test_voluntary_contraction_is_not_rest():
    sim = simulate_needle("normal", force=0.3, duration_s=4, fs=10_000, seed=1)
    table = spontaneous_activity(sim.recording)
    assert len(table) == 0 and "rest: 0 %" in table.attrs["notes"][1]


def test_rest_can_be_given():
    sim = simulate_needle("normal", force=0, duration_s=4, fs=10_000, seed=1,
                          spontaneous={"fibrillation": {"count": 1, "rate_hz": 10}})
    first_half = spontaneous_activity(sim.recording, rest=[(0.0, 2.0)])
    assert len(first_half) > 0 and first_half["time_s"].max() < 2.0


def test_low_sampling_rate_and_unknown_channel_say_what_to_do():
    rec = Recording(np.zeros((1, 4000)), fs=2000, ch_names=("emg",), unit="V")
    with pytest.raises(ValueError, match="4000 Hz"):
        spontaneous_activity(rec)
    with pytest.raises(ValueError, match="no channel"):
        spontaneous_activity(rec, channel="biceps")


def test_score_events_counts_hits_misses_and_false_alarms():
    truth = pd.DataFrame({"time_s": [1.0, 2.0, 5.0], "duration_s": [0.003, 0.003, 1.0],
                          "type": ["fibrillation", "fibrillation", "myotonic"]})
    found = pd.DataFrame({"time_s": [1.004, 2.2, 5.5, 9.0], "duration_s": [0.003, 0.003, 0.2, 0.5],
                          "type": ["fibrillation", "fibrillation", "myotonic", "myotonic"]})
    sc = score_events(found, truth).set_index("type")
    assert sc.loc["fibrillation", "hits"] == 1 and sc.loc["fibrillation", "F1"] == pytest.approx(0.5)
    assert sc.loc["myotonic", "hits"] == 1 and sc.loc["myotonic", "precision"] == 0.5


@pytest.mark.parametrize("name", ["emg_healthy", "emg_myopathy", "emg_neuropathy"])
def test_real_records_are_continuous_contractions_so_no_false_alarms(shared_data, name):
    # "patient dorsiflexed the foot gently against resistance": MUPs fire throughout, the RMS never
    # returns to the baseline noise, so the rest screen finds no rest and reports no events.
    rec = emgviz.read_file(shared_data / f"{name}.hea")
    table = spontaneous_activity(rec)
    assert len(table) == 0
    assert table.attrs["notes"][1].startswith("rest: 0 %")
