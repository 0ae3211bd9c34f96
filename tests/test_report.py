"""The HTML report: valid, complete, escaped, offline, and its snippet reproduces the numbers."""

import contextlib
import hashlib
import html
import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.offline
import pytest
import streamlit as st

import emgviz
from emgviz.features import feature_table
from emgviz.pipeline import preprocess
from emgviz.report import report_html, reproduce_snippet, standouts, write_report
from apptest_utils import assert_no_exception, media, new_app  # noqa: F401
from apptest_utils import summary_recording as build_recording
from emgviz.samples import SAMPLE_DIR
from emgviz.settings import Settings

EVIL = build_recording().ch_names[-1]  # "<script>x</script>": a channel name that must be escaped
VOID = {"meta", "br", "img", "hr", "input", "link", "col", "area", "base", "source", "wbr"}


def _rec():
    """3 muscles at 1 kHz with bursts every other second (the Summary view's test recording)."""
    return build_recording()


class _Balance(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.ids = [], [], {}
        self._in = None

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
        ident = dict(attrs).get("id")
        if ident in ("snippet", "feature-csv", "settings-json"):
            self._in, self.ids[ident] = ident, ""

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()
        if tag in ("code", "pre"):
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.ids[self._in] += data


def _parse(text):
    p = _Balance()
    p.feed(text)
    p.close()
    return p


@pytest.fixture(scope="module")
def report():
    return report_html(_rec(), Settings(notch_hz=50), file_name="arm <b>&</b> leg.csv", sha256="ab" * 32)


def test_report_parses_with_balanced_tags(report):
    p = _parse(report)
    assert not p.errors, p.errors[:5]
    assert p.stack == []
    assert report.startswith("<!DOCTYPE html>")


def test_report_escapes_text_from_the_file(report):
    assert EVIL not in report
    assert html.escape(EVIL) in report
    assert "arm <b>&</b> leg.csv" not in report and "arm &lt;b&gt;&amp;&lt;/b&gt; leg.csv" in report


def test_report_holds_channels_settings_versions_and_hash(report):
    text = html.unescape(report)
    for name in ("biceps", "triceps", EVIL):
        assert name in text
    s = Settings(notch_hz=50)
    assert s.describe() in text
    p = _parse(report)
    assert Settings.from_dict(__import__("json").loads(p.ids["settings-json"])) == s
    assert "ab" * 32 in report
    for lib, version in emgviz.export.library_versions().items():
        assert re.search(rf"<th[^>]*>{lib}</th><td[^>]*>{re.escape(version)}</td>", report), lib
    for section in ("quality-table", "feature-table", "bursts-table", "snippet"):
        assert f'id="{section}"' in report


def test_plotly_js_is_inlined_exactly_once_and_nothing_loads_from_the_net(report):
    marker = plotly.offline.get_plotlyjs()[:300]
    assert report.count(marker) == 1
    assert report.count("Plotly.newPlot") >= 4  # bars RMS, bars MDF, heatmaps, envelopes
    assert not re.search(r"<script[^>]+src=", report)


def test_embedded_csv_equals_the_feature_table(report):
    csv_text = _parse(report).ids["feature-csv"]
    back = pd.read_csv(io.StringIO(csv_text), comment="#")
    expected = feature_table(preprocess(_rec(), Settings(notch_hz=50)).filtered)
    pd.testing.assert_frame_equal(back, expected, check_exact=False, rtol=1e-12)


def _write_csv(path, names):
    rec = _rec()
    d = rec.data
    t = np.arange(d.shape[1]) / rec.fs
    lines = ["time," + ",".join(names)]
    lines += [f"{t[i]:.3f}," + ",".join(repr(float(v)) for v in d[:, i]) for i in range(d.shape[1])]
    path.write_text("\n".join(lines) + "\n")


def test_write_report_snippet_reproduces_the_table(tmp_path):
    src = tmp_path / "data dir" / "arm & leg.csv"
    src.parent.mkdir()
    _write_csv(src, ["biceps", "triceps", EVIL])
    settings = Settings(low_hz=25, notch_hz=60, envelope="lowpass")
    out = write_report(src, tmp_path, settings=settings)
    assert out == tmp_path / "arm & leg_report.html" and out.exists()
    report = out.read_text(encoding="utf-8")
    assert hashlib.sha256(src.read_bytes()).hexdigest() in report
    p = _parse(report)
    snippet = p.ids["snippet"]
    assert "import emgviz" in snippet
    # the emgviz under test, whatever the install looks like from another folder
    env = {**os.environ, "PYTHONPATH": str(Path(emgviz.__file__).resolve().parents[1])}
    run = subprocess.run([sys.executable, "-c", snippet], cwd=src.parent, capture_output=True, text=True,
                         timeout=120, env=env)
    assert run.returncode == 0, run.stderr
    got = pd.read_csv(io.StringIO(run.stdout))
    shown = pd.read_csv(io.StringIO(p.ids["feature-csv"]), comment="#")
    assert list(got["channel"]) == ["biceps", "triceps", EVIL]
    pd.testing.assert_frame_equal(got, shown, check_exact=False, rtol=1e-9, atol=0)
    direct = feature_table(preprocess(emgviz.read_file(src), settings).filtered)
    pd.testing.assert_frame_equal(got, direct, check_exact=False, rtol=1e-9, atol=0)


def test_snippet_picks_channels_when_the_report_shows_a_subset():
    s = reproduce_snippet("a.csv", Settings(), channels=["biceps"], read_kwargs={"fs": 1000.0})
    assert "read_file('a.csv', fs=1000.0)" in s and "rec.pick(['biceps'])" in s
    compile(s, "<snippet>", "exec")
    assert "pick" not in reproduce_snippet("a.csv", Settings())


def test_standouts_names_the_odd_muscle_and_ignores_poor_channels():
    table = pd.DataFrame({"channel": ["a", "b", "c", "d", "broken"],
                          "RMS (V)": [100e-6, 110e-6, 90e-6, 400e-6, 9e-3]})
    q = pd.DataFrame({"channel": ["a", "b", "c", "d", "broken"], "grade": ["good"] * 4 + ["poor"],
                      "reason": [""] * 4 + ["electrode off"]})
    lines = standouts(table, q)
    assert any(line.startswith("broken: signal quality is poor (electrode off)") for line in lines)
    odd = [line for line in lines if line.startswith("d:")]
    assert len(odd) == 1 and "400.0" in odd[0] and "above" in odd[0]
    assert not any(line.startswith(("a:", "b:", "c:")) for line in lines)
    assert not any(line.startswith("broken: RMS") for line in lines)  # never compared


def test_report_with_an_mvc_reference_adds_percent_mvc_tables():
    from emgviz.normalise import mvc_reference

    rec = _rec()
    ref = mvc_reference(preprocess(rec, Settings()).envelope, segment=(1.0, 2.0), window_ms=None)
    text = report_html(rec, Settings(), file_name="a.csv", sha256="0" * 64, mvc=ref, mvc_source="segment 1–2 s")
    assert 'id="mvc-table"' in text and "RMS (%MVC)" in text and "segment 1–2 s" in text
    assert not _parse(text).errors


def _spy_download(monkeypatch, key: str) -> dict:
    """Record the ``data`` given to the download button ``key`` (AppTest never runs a deferred callable)."""
    seen: dict = {}
    real = st.download_button

    def spy(*args, **kwargs):
        if kwargs.get("key") == key:
            seen["data"] = kwargs["data"]
        return real(*args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return seen


def _run_snippet(snippet: str, folder: Path) -> pd.DataFrame:
    out = io.StringIO()
    cwd = Path.cwd()
    try:
        os.chdir(folder)
        with contextlib.redirect_stdout(out):
            exec(compile(snippet, "<snippet>", "exec"), {"__name__": "snippet"})
    finally:
        os.chdir(cwd)
    return pd.read_csv(io.StringIO(out.getvalue()))

# ---- the app's report reproduces the app's table -------------------------------------------------
def test_report_snippet_reads_the_sample_as_the_app_did_and_gives_the_summary_table(media, monkeypatch):  # noqa: F811
    seen = _spy_download(monkeypatch, "summary_dl_report")
    at = new_app(timeout=120).run()
    at.radio(key="view").set_value("Summary").run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    shown = pd.read_csv(io.BytesIO(media(at.get_by_key("summary_dl_features").proto.url).content), comment="#")

    page = seen["data"]().decode("utf-8")
    snippet = html.unescape(re.search(r'<code id="snippet">(.*?)</code>', page, re.S).group(1))
    assert "unit='V'" in snippet  # the bundled sample's documented unit, as the sidebar read it
    table = _run_snippet(snippet, SAMPLE_DIR)
    assert list(table.columns) == list(shown.columns)
    assert list(table["channel"]) == list(shown["channel"])
    numeric = [c for c in shown.columns if c != "channel"]
    np.testing.assert_allclose(table[numeric].to_numpy(float), shown[numeric].to_numpy(float), rtol=1e-9)
