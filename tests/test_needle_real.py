"""The three bundled PhysioNet needle records: header facts, MUP patterns, reference comparison."""

import numpy as np
import pytest

import emgviz
from emgviz import samples
from emgviz.needle import muap_analysis, needle_summary, reference_for, reference_table
from emgviz.io.wfdb_comments import parse_wfdb_comments

NAMES = ("healthy", "myopathy", "neuropathy")


@pytest.fixture(scope="module")
def recs():
    return {n: emgviz.read_file(samples.sample_path(f"emgdb-{n}")) for n in NAMES}


@pytest.fixture(scope="module")
def analyses(recs):
    return {n: muap_analysis(recs[n]) for n in NAMES}


def test_header_comments_reach_meta(recs):
    m = recs["myopathy"].meta
    assert (m["age"], m["sex"], m["muscle"]) == (57, "M", "tibialis anterior")
    assert m["diagnosis"].startswith("myopathy due to long history")
    assert m["medications"] == "steroids, low-dose methotrexate"
    assert "concentric needle" in m["electrode"]
    assert m["task"].startswith("patient dorsiflexed the foot")
    n = recs["neuropathy"].meta
    assert n["diagnosis"] == "chronic low back pain and neuropathy due to a right L5 radiculopathy"
    assert recs["healthy"].meta["diagnosis"] == "no history of neuromuscular disease"
    assert recs["healthy"].meta["age"] == 44


def test_comment_parser_edge_cases():
    assert parse_wfdb_comments([]) == {}
    assert parse_wfdb_comments(["<age>: unknown <sex>: F"]) == {"sex": "F"}
    facts = parse_wfdb_comments(["EMG from fine wire electrode placed in the deltoid muscle"])
    assert (facts["electrode"], facts["muscle"]) == ("fine wire electrode", "deltoid")


def test_needle_samples_are_bundled():
    for key in samples.NEEDLE_SAMPLES:
        files = samples.sample_files(key)
        assert [name.rsplit(".", 1)[1] for name, _ in files] == ["hea", "dat"]


def test_myopathy_shows_more_polyphasic_mups_than_healthy(analyses):
    h, m = analyses["healthy"].table, analyses["myopathy"].table
    assert len(h) >= 5 and len(m) >= 5
    poly_h, poly_m = 100 * h["Polyphasic"].mean(), 100 * m["Polyphasic"].mean()
    assert poly_m >= poly_h + 30, (poly_h, poly_m)
    assert m["Phases"].median() > h["Phases"].median()


def test_satellites_are_reported_apart_from_duration(analyses):
    found = 0
    for res in analyses.values():
        for k, row in res.table.iterrows():
            meas = res.measures[k]
            assert row["Satellites"] == meas.n_satellites
            for a, b in meas.satellites:  # every satellite starts after the main potential ends
                assert a > meas.end
                assert row["Satellite latency (ms)"] > row["Duration (ms)"]
                found += 1
    assert found >= 1


def test_neuropathy_amplitude_clearly_larger_than_healthy(analyses):
    h = analyses["healthy"].table["Amplitude (µV)"].median()
    n = analyses["neuropathy"].table["Amplitude (µV)"].median()
    assert n > 2.5 * h, (h, n)


def test_needle_summary_against_the_reference(recs, analyses):
    pats = {n: needle_summary(recs[n], table=analyses[n].table) for n in NAMES}
    assert pats["healthy"].pattern == "within reference values"
    assert pats["myopathy"].pattern == "myopathic pattern"
    assert "polyphasic" in pats["myopathy"].findings
    assert pats["neuropathy"].pattern == "neurogenic pattern"
    assert "large" in pats["neuropathy"].findings
    s = pats["neuropathy"]
    assert s.muscle == "tibialis anterior" and s.age == 62
    assert s.mean_amplitude_uv == pytest.approx(analyses["neuropathy"].table["Amplitude (µV)"].mean())
    assert f"{s.mean_amplitude_uv:.0f} µV" in s.statements[0]
    comp = s.comparison()
    assert list(comp["Measure"]) == ["Mean duration (ms)", "Mean amplitude (µV)", "Polyphasic MUPs (%)"]
    assert comp.loc[1, "Deviation (%)"] == pytest.approx(100 * (s.mean_amplitude_uv / 661.5 - 1))


def test_reference_table_has_the_muscles_and_citations():
    ref = reference_table()
    for muscle in ("tibialis anterior", "biceps brachii", "deltoid", "first dorsal interosseous", "vastus lateralis"):
        assert (ref["muscle"] == muscle).any()
    assert ref["source"].str.len().min() > 20
    assert reference_for("TA", 44)["duration_mean_ms"] == 9.35
    assert reference_for("biceps", 65)["duration_mean_ms"] == 9.9
    with pytest.raises(ValueError, match="no reference values for muscle 'soleus'"):
        reference_for("soleus")


def test_summary_needs_a_muscle():
    rec, _ = emgviz.needle.synthetic_needle("normal", duration_s=2)
    with pytest.raises(ValueError, match="needs the muscle"):
        needle_summary(rec)
    s = needle_summary(rec, muscle="biceps brachii", age=30)
    assert s.pattern in ("within reference values", "myopathic pattern", "neurogenic pattern", "mixed pattern")
    assert any("not judged (polyphasic)" in t for t in s.statements)  # the biceps source gives no limit


def test_interference_pattern_turns_and_amplitude(recs):
    from emgviz.needle import interference_pattern, outside_cloud, turns_amplitude

    assert turns_amplitude(np.zeros(100)) == (0, float("nan")) or np.isnan(turns_amplitude(np.zeros(100))[1])
    ip = {n: interference_pattern(recs[n]) for n in NAMES}
    amp = {n: ip[n]["Mean amplitude (µV)"].median() for n in NAMES}
    assert amp["neuropathy"] > 2.5 * amp["healthy"]
    assert ip["myopathy"]["Turns/s"].median() > 2 * ip["healthy"]["Turns/s"].median()
    pct, band = outside_cloud(ip["neuropathy"], ip["healthy"])
    assert pct > 80 and band["high"] > band["low"]
    with pytest.raises(ValueError, match="epoch_s"):
        interference_pattern(recs["healthy"], epoch_s=5)
