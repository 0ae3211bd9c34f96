"""MUPs rejected in the Needle view are left out of the Summary's per-muscle MUP table, its CSV and the
HTML report (the real app.py in AppTest, on the bundled myopathy record)."""

import io
import re

import numpy as np
import pandas as pd
import pytest

from apptest_utils import assert_no_exception, deferred, media, new_app  # noqa: F401
from emgviz import samples
from emgviz.export import read_provenance
from emgviz.io import read_file
from emgviz.needle import muap_analysis, needle_summary

NUMBERS = ["MUPs", "Mean duration (ms)", "Mean amplitude (µV)", "Polyphasic (%)"]


def _summary_row(at) -> pd.Series:
    return next(d.value for d in at.dataframe if "Mean duration (ms)" in d.value.columns).iloc[0]


def test_needle_rejections_reach_the_summary_csv_and_report(media, deferred):  # noqa: F811
    rec = read_file(samples.sample_path("emgdb-myopathy"))
    ch = rec.ch_names[0]
    full = muap_analysis(rec, ch).table
    reject = [int(full["MUP"].iloc[0]), int(full["MUP"].iloc[-1])]
    kept = full[~full["MUP"].isin(reject)].reset_index(drop=True)
    expected = needle_summary(rec, table=kept)
    before = needle_summary(rec, table=full)
    assert expected.n_mups == before.n_mups - 2
    assert expected.mean_amplitude_uv != pytest.approx(before.mean_amplitude_uv, rel=1e-6)

    at = new_app(timeout=600)
    at.query_params["view"] = "Needle"
    at.run()
    at.radio(key="source").set_value("Needle examples").run()
    at.sidebar.selectbox(key="needle_sample").set_value("emgdb-myopathy").run()
    assert_no_exception(at)
    at.multiselect(key="needle_reject_emgdb-myopathy").set_value(reject).run()
    assert_no_exception(at)

    at.radio(key="view").set_value("Summary").run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    row = _summary_row(at)
    assert row["MUPs"] == expected.n_mups
    assert row["Mean duration (ms)"] == round(expected.mean_duration_ms, 1)  # shown rounded, as the report
    assert row["Mean amplitude (µV)"] == round(expected.mean_amplitude_uv)
    assert row["Polyphasic (%)"] == round(expected.pct_polyphasic)
    said = " ".join(c.value for c in at.caption)
    assert "rejected in the Needle view" in said and f"{ch} MUP {reject[0]}, {reject[1]}." in said

    # the CSV: the same numbers, and the rejected ids in its provenance
    text = media(at.get_by_key("summary_dl_mups").proto.url).content.decode("utf-8")
    back = pd.read_csv(io.StringIO(text), comment="#")
    np.testing.assert_allclose(back[NUMBERS].to_numpy(float)[0],
                               [expected.n_mups, expected.mean_duration_ms, expected.mean_amplitude_uv,
                                expected.pct_polyphasic], rtol=1e-12)
    assert read_provenance(text)["rejected MUPs"] == {ch: reject}

    # the report: the same numbers in the muscle table
    page = deferred(at.get_by_key("summary_dl_report")).content.decode("utf-8")
    table_html = re.search(r'<table id="mup-muscle-table">(.*?)</table>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table_html)
    assert str(expected.n_mups) in cells and f"{expected.mean_amplitude_uv:.0f}" in cells
    assert f"{expected.mean_duration_ms:.1f}" in cells

    # back in the Needle view the rejections are still there
    at.radio(key="view").set_value("Needle").run()
    assert_no_exception(at)
    assert at.multiselect(key="needle_reject_emgdb-myopathy").value == reject


def test_needle_example_titles_start_with_what_tells_them_apart():
    """The sidebar's select box cuts titles at ~20 characters at 1024 px: the diagnosis must come first."""
    titles = [samples.get_sample(k).title for k in samples.NEEDLE_SAMPLES]
    assert [t.split(" ·")[0] for t in titles] == ["Healthy", "Myopathy", "Neuropathy"]


def test_needle_view_asks_for_a_muscle_the_file_does_not_name():
    """The Needle view on a file naming no muscle or age: no comparison against an assumed muscle (it used
    to take the first in the list and age 40); picking the muscle gives the Summary's numbers."""
    from apptest_utils import view_app, view_context

    at = view_app("needle", "needle-unnamed", timeout=300).run()
    assert_no_exception(at)
    muscle = [s for s in at.selectbox if s.key.startswith("needle_muscle_")][0]
    age = [n for n in at.number_input if n.key.startswith("needle_age_")][0]
    assert muscle.value is None and age.value is None
    assert not at.success and not [w for w in at.warning if "pattern" in w.value]
    assert any("does not name the muscle" in i.value for i in at.info)
    muscle.set_value("tibialis anterior").run()
    assert_no_exception(at)
    s = needle_summary(view_context("needle-unnamed").rec, muscle="tibialis anterior")
    said = [w.value for w in at.warning] + [w.value for w in at.success]
    assert any(x.startswith(s.statements[0].split(":")[0]) and f"{s.n_mups} MUPs" in x for x in said), said


def test_surface_recording_says_what_to_do():
    """The default (surface, 1 kHz) sample in the Needle view: what is wrong and where the needle examples are."""
    at = new_app(timeout=300)
    at.query_params["view"] = "Needle"
    at.run()
    assert not at.exception
    assert any("MUP analysis needs fs ≥ 4000 Hz" in e.value and "fs=1000 Hz" in e.value for e in at.error)
    assert any("Source → Needle examples" in i.value for i in at.info), [i.value for i in at.info]
