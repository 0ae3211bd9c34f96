"""The bundled MUP reference table: traceable, plausible, and honest about what was not verified."""

import numpy as np
import pandas as pd
import pytest

from emgviz.needle import needle_summary, reference_for, reference_table
from emgviz.needle.muap import POLYPHASIC_MIN
from emgviz.needle.reference import (MUSCLES, PLAUSIBLE, SOURCE_STATUSES, amplitude_limits, check_reference_table,
                                     missing_measures)
from emgviz.recording import Recording

ISSUE_MUSCLES = ("tibialis anterior", "biceps brachii", "deltoid", "first dorsal interosseous", "vastus lateralis")
VALUES = [c for c in PLAUSIBLE if not c.startswith("age")]


def _rec(fs=4000.0):
    return Recording(np.zeros((1, 400)), fs, ("EMG",))


def _table(durations_ms, amplitudes_uv, phases):
    return pd.DataFrame({"channel": "EMG", "MUP": range(1, len(phases) + 1), "Amplitude (µV)": amplitudes_uv,
                         "Duration (ms)": durations_ms, "Phases": phases})


def test_every_issue_muscle_has_a_row_with_a_citation_and_a_status():
    ref = reference_table()
    assert set(ISSUE_MUSCLES) <= set(ref["muscle"])
    assert ref["source"].str.len().min() > 40
    assert set(ref["source_status"]) <= set(SOURCE_STATUSES)
    verified = ref[ref["source_status"] == "verified"]
    assert verified["read_at"].str.startswith("https://").all()  # where it was read, for every verified row
    check_reference_table(ref)  # the bundled table passes its own rules


def test_values_lie_in_physiological_ranges():
    ref = reference_table()
    for col in VALUES:
        lo, hi = PLAUSIBLE[col]
        vals = ref[col].dropna()
        assert ((vals >= lo) & (vals <= hi)).all(), col
    both = ref.dropna(subset=["duration_mean_ms", "duration_sd_ms"])
    assert (both["duration_sd_ms"] < 0.5 * both["duration_mean_ms"]).all()
    # MUP durations of adult limb muscles: 5-15 ms; amplitudes: 200 µV to 2 mV
    assert ref["duration_mean_ms"].dropna().between(5, 15).all()
    assert ref["amplitude_mean_uv"].dropna().between(200, 2000).all()


def test_values_as_read_in_the_sources():
    ta = reference_for("tibialis anterior")
    assert (ta["duration_mean_ms"], ta["duration_sd_ms"], ta["amplitude_mean_uv"], ta["amplitude_uln_uv"],
            ta["polyphasic_uln_pct"]) == (9.35, 0.93, 661.5, 845.5, 35)
    assert not ta["amplitude_uln_derived"]
    # the source's ULN is mean + 2 SD
    assert ta["amplitude_uln_uv"] == pytest.approx(ta["amplitude_mean_uv"] + 2 * ta["amplitude_sd_uv"])
    d = reference_for("deltoideus")
    assert (d["amplitude_mean_uv"], d["amplitude_sd_uv"]) == (550, 110)
    assert (d["duration_mean_ms"], d["duration_sd_ms"]) == (10.4, 1.3)
    assert (d["amplitude_outlier_low_uv"], d["amplitude_outlier_high_uv"]) == (162, 1531)
    assert d["amplitude_uln_derived"] and d["amplitude_uln_uv"] == 770  # 550 + 2 × 110
    assert amplitude_limits(d) == (330, 770)
    assert "legeforeningen.no" in reference_for("FDI")["read_at"]


def test_unverified_row_holds_no_values_and_says_so():
    vl = reference_for("vastus lateralis", 30)
    assert vl["source_status"] == "unverified"
    assert all(np.isnan(vl[c]) for c in VALUES)
    assert missing_measures(vl) == ["duration", "amplitude", "polyphasic"]
    assert vl["status"].startswith("unverified")


def test_check_refuses_untraceable_or_implausible_rows():
    good = reference_table()
    for muscle, column, value, message in [
            ("vastus lateralis", "duration_mean_ms", 11.0, "'vastus lateralis' is unverified but holds values"),
            ("deltoid", "amplitude_mean_uv", 0.55, "amplitude_mean_uv = 0.55 is outside the plausible"),  # mV as µV
            ("deltoid", "source", "", "'deltoid' has no citation"),
            ("biceps brachii", "read_at", "", "does not say where it was read"),
            ("biceps brachii", "source_status", "approximate", "source_status 'approximate' is not one of")]:
        bad = good.copy()
        bad.loc[bad["muscle"] == muscle, column] = value
        with pytest.raises(ValueError, match=message):
            check_reference_table(bad)


def test_age_band_preference():
    ref = reference_table()
    assert ref[["age_min", "age_max"]].isna().all().all()  # no source read states an age band
    assert reference_for("biceps", 25)["muscle"] == reference_for("biceps", 85)["muscle"] == "biceps brachii"
    assert MUSCLES == tuple(dict.fromkeys(ref["muscle"]))


def test_summary_with_a_partial_row_judges_what_the_source_gives():
    # deltoid: duration 10.4 ms, amplitude ULN 770 µV (mean + 2 SD), no polyphasic limit
    t = _table([10.0, 11.0, 10.5, 10.2], [1000.0, 1100.0, 900.0, 1000.0], [POLYPHASIC_MIN] * 4)
    s = needle_summary(_rec(), "deltoid", 40, table=t)
    # 1000 µV > 770 µV; 100 % polyphasic is not judged
    assert s.pattern == "neurogenic pattern" and s.findings == ["large"]
    assert "upper limit 770 µV = mean + 2 SD" in s.statements[0]
    assert "age band not stated in the source" in s.statements[0]
    assert any(x.startswith("not judged (polyphasic)") for x in s.statements)
    comp = s.comparison()
    assert comp.loc[2, "Limit"] == "not in the reference source" and np.isnan(comp.loc[2, "Reference"])
    assert comp.loc[1, "Limit"] == "330–770 µV"


def test_summary_against_an_unverified_row_compares_nothing_and_says_why():
    t = _table([20.0, 21.0, 19.0], [3000.0, 3100.0, 2900.0], [7, 7, 7])  # would be long, large, polyphasic
    s = needle_summary(_rec(), "VL", 50, table=t)
    assert s.pattern == "no reference values" and s.findings == []
    assert s.statements[0] == ("no reference values: 3 MUPs, mean duration 20.0 ms, mean amplitude 3000 µV, "
                               "100 % polyphasic; the reference table has no verified values for vastus lateralis")
    assert s.statements[1].startswith("reference row for vastus lateralis is unverified")
    assert s.comparison()["Limit"].eq("not in the reference source").all()


def test_summary_against_the_verified_ta_row_is_within_reference():
    t = _table([9.0, 9.5, 10.0], [600.0, 650.0, 700.0], [3, 3, 4])
    s = needle_summary(_rec(), "TA", 44, table=t)
    assert s.pattern == "within reference values" and s.findings == []
    assert not any("unverified" in x or "not judged" in x for x in s.statements)


def test_needle_view_says_when_a_muscle_has_no_verified_reference():
    """AppTest of the Needle view on the myopathy record: choosing vastus lateralis (unverified row)
    gives "no reference values" and says why; deltoid (no polyphasic limit) says what is not judged."""
    from apptest_utils import assert_no_exception, view_app

    at = view_app("needle", "needle-myopathy", timeout=300).run()
    assert_no_exception(at)
    muscle = [s for s in at.selectbox if s.key.startswith("needle_muscle_")][0]
    assert muscle.value == "tibialis anterior" and "vastus lateralis" in muscle.options
    assert any("vs 9.35 ms" in w.value for w in at.warning)  # the reference as the table gives it
    muscle.set_value("vastus lateralis").run()
    assert_no_exception(at)
    assert at.warning[0].value.startswith("no reference values")
    lines = " ".join(m.value for m in at.markdown)
    assert "unverified" in lines and "no published value was found" in lines
    assert any("Reference: none read" in c.value and "unverified" in c.value for c in at.caption)
    muscle.set_value("deltoid").run()
    assert_no_exception(at)
    assert "not judged \\(polyphasic\\)" in " ".join(m.value for m in at.markdown)


def test_muscle_table_names_where_the_reference_was_read_once():
    from emgviz.io import read_file
    from emgviz.needle.muscles import muscle_mup_table
    from emgviz.samples import SAMPLE_DIR

    row = muscle_mup_table(read_file(SAMPLE_DIR / "emg_healthy.hea")).iloc[0]
    text = f"{row['Reference']} ({row['Reference status']})"
    assert row["Reference status"] == "verified"
    assert text.count("https://jnnp.bmj.com") == 1, text
