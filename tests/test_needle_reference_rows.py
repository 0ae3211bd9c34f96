"""Every row of the MUP reference table by the same rule, and the vastus lateralis row end to end.

A verified row holds values read in its cited source (with where it was read); an unverified row holds
none and its notes name every source that was tried. The vastus lateralis row is unverified (no
published value could be read, see its notes); the library, the Summary's MUP table and the HTML
report must then compare nothing and say why, never fall back to another muscle's values.
"""

import re

import numpy as np
import pytest

from apptest_utils import assert_no_exception, deferred, media, view_app, view_context  # noqa: F401
from emgviz.needle import needle_summary, reference_table
from emgviz.needle.reference import PLAUSIBLE

VALUES = [c for c in PLAUSIBLE if not c.startswith("age")]
ROWS = reference_table()


@pytest.mark.parametrize("muscle", list(ROWS["muscle"]))
def test_each_row_follows_its_status(muscle):
    row = ROWS[ROWS["muscle"] == muscle].iloc[0]
    values = {c: row[c] for c in VALUES if not np.isnan(row[c])}
    assert len(row["source"]) > 40  # a citation, or what was searched when nothing could be read
    if row["source_status"] == "verified":
        assert values.keys() & {"duration_mean_ms", "amplitude_mean_uv"}, "a verified row gives a mean"
        assert row["read_at"].startswith("https://")
        assert not row["source"].startswith("none read")
    else:
        assert row["source_status"] == "unverified" and values == {}
        assert row["source"].startswith("none read") and row["read_at"] == ""
        assert "Tried:" in row["notes"]


def test_vastus_lateralis_notes_name_each_source_tried():
    notes = ROWS.loc[ROWS["muscle"] == "vastus lateralis", "notes"].iloc[0]
    for tried in ("legeforeningen.no", "ends at the word 'Vastus'", "Bischoff C", "Muscle Nerve 1994;17:842-851",
                  "Standards for quantification of EMG and neurography", "stalbergsoftware.com",
                  "Piasecki", "PMC8492837", "Buchthal & Rosenfalck 1955", "not used"):
        assert tried in notes, tried


def test_needle_summary_of_a_real_record_against_vastus_lateralis_compares_nothing():
    from emgviz.io import read_file
    from emgviz.samples import SAMPLE_DIR

    rec = read_file(SAMPLE_DIR / "emg_healthy.hea")
    vl, ta = needle_summary(rec, muscle="vastus lateralis"), needle_summary(rec, muscle="tibialis anterior")
    # the measurement does not depend on the muscle named; only the comparison does
    assert (vl.n_mups, vl.mean_duration_ms, vl.mean_amplitude_uv) == (ta.n_mups, ta.mean_duration_ms,
                                                                       ta.mean_amplitude_uv)
    assert vl.pattern == "no reference values" and vl.findings == []
    assert vl.reference["muscle"] == "vastus lateralis" and vl.reference["source_status"] == "unverified"
    assert all(np.isnan(vl.reference[c]) for c in VALUES)  # never the TA (or any other) row's values
    assert vl.statements[0].endswith("the reference table has no verified values for vastus lateralis")
    assert f"{vl.n_mups} MUPs" in vl.statements[0] and f"mean duration {vl.mean_duration_ms:.1f} ms" in vl.statements[0]
    comp = vl.comparison()
    assert comp["Reference"].isna().all() and comp["Limit"].eq("not in the reference source").all()


def test_summary_table_and_report_show_the_vastus_lateralis_row(deferred):  # noqa: F811
    at = view_app("summary", "needle-unnamed", timeout=300).run()
    assert_no_exception(at)
    picker = at.selectbox(key="summary_mup_muscle_ch1")
    assert "vastus lateralis" in picker.options
    picker.select("vastus lateralis").run()
    assert_no_exception(at)
    s = needle_summary(view_context("needle-unnamed").rec, muscle="vastus lateralis")
    shown = next(d.value for d in at.dataframe if "Mean duration (ms)" in d.value.columns).iloc[0]
    assert shown["Muscle"] == "vastus lateralis" and shown["Pattern"] == "no reference values" == s.pattern
    assert shown["MUPs"] == s.n_mups and shown["Mean duration (ms)"] == round(s.mean_duration_ms, 1)
    assert shown["Mean amplitude (µV)"] == round(s.mean_amplitude_uv)
    for col in ("Reference duration (ms)", "Reference amplitude (µV)", "Amplitude upper limit (µV)"):
        assert np.isnan(shown[col]), col
    caption = " ".join(c.value for c in at.caption if "Reference:" in c.value).replace("\\", "")  # markdown escapes
    assert "none read: no published vastus lateralis MUP value" in caption and "(unverified" in caption
    said = " ".join(w.value for w in at.warning) + " ".join(i.value for i in at.info)
    assert "no verified values for vastus lateralis" in said, said
    page = deferred(at.get_by_key("summary_dl_report")).content.decode("utf-8")
    table_html = re.search(r'<table id="mup-muscle-table">(.*?)</table>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table_html)
    assert "vastus lateralis" in cells and "no reference values" in cells and str(s.n_mups) in cells
    refs = re.search(r'id="mup-references"(.*?)</', page, re.S).group(1)
    assert "none read" in refs and "unverified" in refs
