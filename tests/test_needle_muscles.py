"""The per-muscle MUP table (emgviz.needle.muscle_mup_table) and the needle part of the HTML report."""

import re

import numpy as np
import pytest

from emgviz.needle import muap_table, needle_summary
from emgviz.needle.muscles import MUSCLE_MUP_COLUMNS, muscle_mup_table, muscle_of, needle_channels
from emgviz.needle.synthetic import synthetic_needle
from emgviz.recording import Recording


@pytest.fixture(scope="module")
def three_channels():
    """TA-named myopathy-like channel, an unnamed normal one, and one in arbitrary units."""
    myo, _ = synthetic_needle("myopathy", duration_s=6, seed=4)
    nor, _ = synthetic_needle("normal", duration_s=6, seed=5)
    data = np.vstack([myo.data[0], nor.data[0], nor.data[0] * 1e3])
    return Recording(data, fs=myo.fs, ch_names=["TA", "needle 2", "counts"], ch_units=["V", "V", "a.u."],
                     meta={"age": 50})


def test_rows_equal_needle_summary_and_say_why_a_channel_is_not_compared(three_channels):
    rec = three_channels
    t = muscle_mup_table(rec)
    assert list(t.columns) == list(MUSCLE_MUP_COLUMNS) and list(t["channel"]) == ["TA", "needle 2", "counts"]
    ta = t.iloc[0]
    s = needle_summary(rec, muscle="TA", channel="TA")
    assert ta["Muscle"] == "tibialis anterior" and ta["Age (years)"] == 50
    assert ta["MUPs"] == s.n_mups and ta["Mean duration (ms)"] == pytest.approx(s.mean_duration_ms)
    assert ta["Mean amplitude (µV)"] == pytest.approx(s.mean_amplitude_uv)
    assert ta["Polyphasic (%)"] == pytest.approx(s.pct_polyphasic)
    assert ta["Pattern"] == s.pattern and ta["Statement"] == s.statements[0]
    assert ta["Duration deviation (%)"] == pytest.approx(100 * (s.mean_duration_ms / s.reference["duration_mean_ms"] - 1))
    # no muscle for the second channel: measured, not compared, and the row says so
    two = t.iloc[1]
    assert two["Pattern"] == "no reference" and "muscle is not known" in two["Statement"]
    assert two["MUPs"] == len(muap_table(rec, "needle 2")) and np.isnan(two["Reference duration (ms)"])
    # a channel in a.u. cannot give µV: not analysed, with the reader's hint
    assert t.iloc[2]["Pattern"] == "not analysed" and "not volts" in t.iloc[2]["Statement"]


def test_muscle_given_per_channel_and_precomputed_tables_are_used(three_channels):
    rec = three_channels
    table = muap_table(rec, "needle 2")
    t = muscle_mup_table(rec, channels=["needle 2"], muscle={"needle 2": "deltoid"}, tables={"needle 2": table})
    assert t.iloc[0]["Muscle"] == "deltoid" and t.iloc[0]["MUPs"] == len(table)
    assert "legeforeningen.no" in t.iloc[0]["Reference"] or "Norwegian" in t.iloc[0]["Reference"]
    assert muscle_of(rec, "needle 2", None) is None and muscle_of(rec, "TA", "biceps") == "biceps"


def test_slow_recordings_are_refused_and_have_no_needle_channels():
    rec = Recording(np.zeros((1, 2000)), fs=2000.0, ch_names=["TA"])
    assert needle_channels(rec) == []
    with pytest.raises(ValueError, match="fs ≥ 4000 Hz"):
        muscle_mup_table(rec)


def test_cli_report_of_a_needle_file_holds_the_mup_table(tmp_path):
    from emgviz.report import write_report
    from emgviz.samples import sample_path

    path = write_report(sample_path("emgdb-healthy"), tmp_path)
    page = path.read_text(encoding="utf-8")
    s = needle_summary(__import__("emgviz").read_file(sample_path("emgdb-healthy")))
    table_html = re.search(r'<table id="mup-muscle-table">(.*?)</table>', page, re.S).group(1)
    assert f"<td>{s.mean_duration_ms:.1f}</td>" in table_html and f"<td>{s.n_mups}</td>" in table_html
    assert f'<td class="text">{s.pattern}</td>' in table_html
    assert page.count('<details><summary>The ') == 1  # the MUPs of the one channel
    assert '<span id="settings-preset">surface</span>' in page
