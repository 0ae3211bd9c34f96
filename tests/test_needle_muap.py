"""muap_table against seeded synthetic needle signals with known ground truth, and the measures."""

import numpy as np
import pytest

import emgviz
from emgviz import Recording
from emgviz.needle import MUP_COLUMNS, count_phases, count_turns, measure_template, muap_analysis
from emgviz.needle.synthetic import UnitSpec, synthetic_needle, template_wave


def _match(table, truth):
    """Pair each true unit with the found MUP of nearest amplitude; every unit must be found once."""
    found = table["Amplitude (µV)"].to_numpy()
    pairs = []
    for _, unit in truth.iterrows():
        k = int(np.argmin(np.abs(found - unit["Amplitude (µV)"])))
        pairs.append((unit, table.iloc[k]))
    assert len({p[1]["MUP"] for p in pairs}) == len(truth), "two units matched the same MUP"
    return pairs


@pytest.mark.parametrize("fs", [4000.0, 10000.0])
@pytest.mark.parametrize("pattern,seed", [("normal", 1), ("myopathy", 2), ("neurogenic", 3)])
def test_every_unit_found_once_with_its_measures(pattern, seed, fs):
    rec, truth = synthetic_needle(pattern, fs=fs, duration_s=10, seed=seed)
    table = emgviz.muap_table(rec)
    assert list(table.columns[: len(MUP_COLUMNS)]) == list(MUP_COLUMNS)
    assert len(table) == len(truth), table.iloc[:, :9].to_string()
    for unit, mup in _match(table, truth):
        amp, dur = unit["Amplitude (µV)"], unit["Duration (ms)"]
        assert mup["Amplitude (µV)"] == pytest.approx(amp, rel=0.15)
        assert abs(mup["Duration (ms)"] - dur) <= max(1.5, 0.2 * dur)
        assert abs(mup["Phases"] - unit["Phases"]) <= 1
        assert abs(mup["Firing rate (Hz)"] - unit["Firing rate (Hz)"]) <= 1.5
        assert mup["Discharges"] >= 0.5 * unit["Discharges"]
        assert mup["Satellites"] == 0


def test_patterns_differ_as_clinicians_expect():
    """Myopathy-like MUPs are shorter, smaller and polyphasic; neurogenic-like longer and larger."""
    med = {}
    for p in ("normal", "myopathy", "neurogenic"):
        t = emgviz.muap_table(synthetic_needle(p, duration_s=8, seed=5)[0])
        med[p] = t[["Amplitude (µV)", "Duration (ms)", "Phases"]].median()
    assert med["myopathy"]["Duration (ms)"] < 0.6 * med["normal"]["Duration (ms)"]
    assert med["myopathy"]["Phases"] >= 5 > med["normal"]["Phases"]
    assert med["neurogenic"]["Amplitude (µV)"] > 2 * med["normal"]["Amplitude (µV)"]
    assert med["neurogenic"]["Duration (ms)"] > 1.3 * med["normal"]["Duration (ms)"]


def test_analysis_keeps_templates_and_discharge_times():
    rec, truth = synthetic_needle("normal", duration_s=6, seed=7)
    res = muap_analysis(rec)
    assert len(res.templates) == len(res.table) == len(res.snippets) == len(res.discharge_s)
    for k, row in res.table.iterrows():
        tm = res.templates[k]
        assert tm.shape == res.t_ms.shape
        assert res.snippets[k].shape[1] == tm.size
        assert row["Onset (ms)"] < 0 < row["End (ms)"]
        # discharge times agree with the true onsets (template peak lies inside the potential)
        true = truth.iloc[int(np.argmin(np.abs(truth["Amplitude (µV)"] - row["Amplitude (µV)"])))]
        lag = np.array([np.min(np.abs(true["onsets_s"] - t)) for t in res.discharge_s[k]])
        assert np.median(lag) < true["Duration (ms)"] / 1000
    assert any("clipped to 1900 Hz" in n for n in res.notes)


def _template(spec, fs, pre_ms=20.0, post_ms=30.0, extra=None):
    t_ms = np.arange(-pre_ms, post_ms, 1000.0 / fs)
    x = template_wave(spec, t_ms)
    if extra is not None:
        x = x + extra(t_ms)
    return t_ms, x


def test_measure_template_exact_on_an_analytic_triphasic_potential():
    spec = UnitSpec((3.0, 2.0, 4.0), (0.4, -1.0, 0.5), 600.0, 10.0)
    fs = 20000.0
    t_ms, x = _template(spec, fs)
    m = measure_template(x, fs)
    assert m.amplitude_uv == pytest.approx(600.0, rel=0.01)
    assert m.duration_ms == pytest.approx(9.0, abs=0.3)
    assert (m.phases, m.turns, m.n_satellites) == (3, 3, 0)
    # area of half-sines: Σ |a|·w·2/π, in µV·ms
    scale = 600.0 / 1.5
    area = sum(abs(a) * scale * w * 2 / np.pi for a, w in zip(spec.weights, spec.widths_ms))
    assert m.area_uv_ms == pytest.approx(area, rel=0.03)
    assert m.size_index == pytest.approx(2 * np.log10(0.6) + area / 600.0, rel=0.03)


def test_satellite_reported_apart_from_duration():
    spec = UnitSpec((2.0, 1.5, 2.5), (0.4, -1.0, 0.5), 500.0, 10.0)
    sat = UnitSpec((0.6, 0.6), (-1.0, 1.0), 80.0, 10.0)
    fs = 20000.0
    t_ms, x = _template(spec, fs, extra=lambda t: template_wave(sat, t - 14.0))  # 8 ms of baseline between
    m = measure_template(x, fs)
    assert m.duration_ms == pytest.approx(6.0, abs=0.3)
    assert m.n_satellites == 1
    a, b = m.satellites[0]
    assert t_ms[a] == pytest.approx(14.0, abs=0.3)


def test_phase_and_turn_rules():
    t = np.linspace(0, 5 * np.pi, 1000)
    assert count_phases(100 * np.sin(t), 10.0) == 5
    assert count_turns(100 * np.sin(t)) == 5
    wiggle = 100 * np.sin(t) + 8 * np.sin(40 * t)  # 8 µV ripples are below the 25 µV turn rule
    assert count_turns(wiggle) == 5
    assert count_phases(5 * np.sin(t), 10.0) == 0


def test_bad_input_gives_clear_messages():
    rec, _ = synthetic_needle("normal", duration_s=1, seed=0)
    with pytest.raises(ValueError, match="fs ≥ 4000"):
        emgviz.muap_table(Recording(rec.data[:, ::2], fs=2000.0, ch_names=["EMG"]))
    with pytest.raises(ValueError, match="not volts"):
        emgviz.muap_table(Recording(rec.data, fs=rec.fs, ch_names=["EMG"], unit="a.u."))
    with pytest.raises(ValueError, match="no channel 'TA'"):
        emgviz.muap_table(rec, channel="TA")
    with pytest.raises(TypeError, match="unknown muap_table option"):
        emgviz.muap_table(rec, treshold_sd=4)


def test_quiet_channel_gives_an_empty_table_with_the_columns():
    rng = np.random.default_rng(0)
    rec = Recording(rng.normal(0, 5e-6, (1, 20000)), fs=4000.0, ch_names=["EMG"])
    table = emgviz.muap_table(rec)
    assert len(table) == 0 and list(table.columns[:9]) == list(MUP_COLUMNS)
