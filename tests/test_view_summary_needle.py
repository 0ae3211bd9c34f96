"""The Summary view of a needle recording: the per-muscle MUP table (AppTest on the bundled needle samples),
its CSV and the HTML report; the Settings preset named in every export; channel paging of a wide file."""

import io
import re

import numpy as np
import pandas as pd
import pytest

from apptest_utils import assert_no_exception, deferred, media, new_app, view_app, view_context  # noqa: F401
from emgviz.export import provenance_preset, read_provenance
from emgviz.needle import needle_summary
from emgviz.needle.muscles import MUSCLE_MUP_COLUMNS

NUMBERS = ["MUPs", "Mean duration (ms)", "Mean amplitude (µV)", "Polyphasic (%)"]
EXPECTED_PATTERN = {"needle-healthy": "within reference values", "needle-myopathy": "myopathic pattern",
                    "needle-neuropathy": "neurogenic pattern"}


@pytest.mark.parametrize("source", sorted(EXPECTED_PATTERN))
def test_summary_shows_the_mup_table_equal_to_needle_summary(source, media, deferred):  # noqa: F811
    at = view_app("summary", source, timeout=300).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    shown = next(d.value for d in at.dataframe if "Mean duration (ms)" in d.value.columns)
    rec = view_context(source).rec
    s = needle_summary(rec)  # the library's answer for the same recording, muscle and age from the header
    row = shown.iloc[0]
    assert len(shown) == 1 and row["channel"] == rec.ch_names[0] and row["Muscle"] == "tibialis anterior"
    assert row["MUPs"] == s.n_mups == len(s.table)
    # shown rounded as the statement and the report round them (Python, half to even): 62.5 % reads 62 everywhere
    assert row["Mean duration (ms)"] == round(s.mean_duration_ms, 1)
    assert row["Mean amplitude (µV)"] == round(s.mean_amplitude_uv)
    assert row["Polyphasic (%)"] == round(s.pct_polyphasic) and f"{s.pct_polyphasic:.0f} % polyphasic" in s.statements[0]
    assert s.mean_amplitude_uv == pytest.approx(s.table["Amplitude (µV)"].mean(), rel=1e-12)
    assert row["Pattern"] == s.pattern == EXPECTED_PATTERN[source]
    assert row["Reference duration (ms)"] == pytest.approx(s.reference["duration_mean_ms"])
    # the pattern statement with its numbers, as needle_summary words it
    said = [w.value for w in at.warning] + [w.value for w in at.success]
    assert any(s.statements[0].split(":")[0] in x and f"{s.n_mups} MUPs" in x for x in said), said
    assert any("Reference:" in c.value and "jnnp" in c.value for c in at.caption)

    # the CSV: every column back, the same numbers, the provenance naming the preset and the method
    text = media(at.get_by_key("summary_dl_mups").proto.url).content.decode("utf-8")
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert list(back.columns) == list(MUSCLE_MUP_COLUMNS)
    np.testing.assert_allclose(back[NUMBERS].to_numpy(float)[0],  # the CSV keeps full precision
                               [s.n_mups, s.mean_duration_ms, s.mean_amplitude_uv, s.pct_polyphasic], rtol=1e-12)
    assert back["Statement"].iloc[0] == s.statements[0]
    prov = read_provenance(text)
    assert prov["settings preset"] == "surface" and provenance_preset(prov) == "surface"  # the host's Settings()
    assert "muap_table" in prov["MUP analysis"] and prov["input"]["sha256"] == view_context(source).digest

    # the HTML report holds the same table and the reference citation
    page = deferred(at.get_by_key("summary_dl_report")).content.decode("utf-8")
    assert 'id="mup-muscle-table"' in page and 'id="mup-references"' in page and "jnnp.bmj.com" in page
    table_html = re.search(r'<table id="mup-muscle-table">(.*?)</table>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table_html)
    assert f"{s.mean_duration_ms:.1f}" in cells and f"{s.mean_amplitude_uv:.0f}" in cells
    assert f"{s.pct_polyphasic:.0f}" in cells and s.pattern in cells and str(s.n_mups) in cells
    assert "<th>Mean amplitude (µV)</th>" in table_html and "<th>Mean duration (ms)</th>" in table_html
    csv_in_page = re.search(r'<pre id="mup-csv">(.*?)</pre>', page, re.S).group(1)
    import html

    again = pd.read_csv(io.StringIO(html.unescape(csv_in_page)), comment="#")
    np.testing.assert_allclose(again[NUMBERS].to_numpy(float), back[NUMBERS].to_numpy(float), rtol=1e-12)


def test_surface_recording_has_no_mup_section(media):  # noqa: F811
    at = view_app("summary", "summary").run()
    assert_no_exception(at)
    assert not any("Mean duration (ms)" in d.value.columns for d in at.dataframe)
    assert not any("Motor-unit potentials" in m.value for m in at.markdown)


def test_a_channel_without_a_muscle_gets_a_picker_and_then_its_comparison(deferred):  # noqa: F811
    at = view_app("summary", "needle-unnamed", timeout=300).run()
    assert_no_exception(at)
    shown = next(d.value for d in at.dataframe if "Mean duration (ms)" in d.value.columns)
    assert shown["Pattern"].iloc[0] == "no reference" and np.isnan(shown["Reference duration (ms)"].iloc[0])
    at.selectbox(key="summary_mup_muscle_ch1").select("tibialis anterior").run()
    assert_no_exception(at)
    shown = next(d.value for d in at.dataframe if "Mean duration (ms)" in d.value.columns)
    s = needle_summary(view_context("needle-unnamed").rec, muscle="tibialis anterior")
    assert shown["Muscle"].iloc[0] == "tibialis anterior" and shown["Pattern"].iloc[0] == s.pattern
    assert shown["Mean amplitude (µV)"].iloc[0] == round(s.mean_amplitude_uv)
    page = deferred(at.get_by_key("summary_dl_report")).content.decode("utf-8")
    table_html = re.search(r'<table id="mup-muscle-table">(.*?)</table>', page, re.S).group(1)
    assert "tibialis anterior" in table_html and s.pattern in table_html
