"""Exports: CSV with provenance that reads back equal, offline HTML, PNG via kaleido."""

import io
import re
import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import emgviz
from emgviz import export
from emgviz.export import figure_html, figure_png, library_versions, table_csv
from emgviz.settings import Settings


def _table():
    return pd.DataFrame({
        "channel": ["biceps", "ch#2, left", '"quoted"', "triceps"],
        "RMS (V)": [1.234567890123e-4, 3.3e-5, np.pi * 1e-6, 0.0],
        "MDF (Hz)": [87.123456789, 65.0, 101.5, 1e-300],
        "n": [1, 2, 3, 4],
    })


def test_csv_reads_back_equal_to_the_table():
    df = _table()
    text = table_csv(df, settings=Settings(notch_hz=50), source_name="rec.csv", sha256="ab" * 32)
    back = pd.read_csv(io.StringIO(text), comment="#")
    pd.testing.assert_frame_equal(back, df, check_exact=True)


def test_csv_header_states_version_settings_file_and_hash():
    s = Settings(notch_hz=60, low_hz=10)
    text = table_csv(_table(), settings=s, source_name="my file.txt", sha256="f" * 64)
    comments = [line for line in text.splitlines() if line.startswith("#")]
    joined = "\n".join(comments)
    assert f"emgviz {emgviz.__version__}" in joined
    assert "my file.txt" in joined and "f" * 64 in joined
    assert s.describe() in joined
    json_line = next(c for c in comments if c.startswith("# settings json: "))
    assert Settings.from_dict(json.loads(json_line.split(": ", 1)[1])) == s
    # comments come first: the first non-comment line is the header
    first_data = next(line for line in text.splitlines() if not line.startswith("#"))
    assert first_data.startswith('"channel"')


def test_csv_keeps_a_newline_in_the_file_name_inside_the_comment():
    text = table_csv(_table(), settings=Settings(), source_name="evil\nchannel,1,2", sha256="0")
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert len(back) == len(_table())


def test_library_versions_names_the_stack():
    v = library_versions()
    assert set(v) == {"emgviz", "numpy", "scipy", "pandas", "plotly"}
    assert v["numpy"] == np.__version__ and v["pandas"] == pd.__version__


def test_figure_html_is_self_contained():
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    page = figure_html(fig)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert not re.search(r"<script[^>]+src=", page) and len(page) > 1_000_000  # plotly.js inlined
    div = figure_html(fig, include_plotlyjs=False, full_html=False)
    assert len(div) < 50_000 and "<html" not in div


@pytest.fixture
def no_kaleido_server():
    """figure_png keeps kaleido's server in module state: stop it so this test starts from the first call."""
    export._stop_server()
    yield
    export._stop_server()


def test_figure_png_without_a_browser_says_install_chromium(monkeypatch, no_kaleido_server):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(RuntimeError, match="apt-get install -y chromium"):
        figure_png(go.Figure(), width=300, height=200)


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")
def test_figure_png_makes_png_of_the_requested_size(monkeypatch, no_kaleido_server):
    monkeypatch.setenv("BROWSER_PATH", "/usr/bin/chromium")
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    assert not export._png_state["server"]
    for _ in range(2):  # the first call renders one-shot and starts the sync server; the second uses it
        png = figure_png(fig, width=640, height=320)
        assert export._png_state["server"]
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        w, h = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert (w, h) == (640, 320)


# ---- safe file names -----------------------------------------------------------------------------
@pytest.mark.parametrize("name, stem", [
    ("../../etc/passwd.csv", "etc_passwd"),
    ("C:\\Users\\me\\arm.edf", "C_Users_me_arm"),
    ("synthetic <b>arm</b>.csv", "synthetic_b_arm_b"),
    ("..", "recording"),
    ("uci_gestures_1_raw_data_11-08_21.03.16.txt", "uci_gestures_1_raw_data_11-08_21.03.16"),
])
def test_safe_stem_keeps_path_characters_out_of_file_names(name, stem):
    from emgviz.export import safe_stem

    assert safe_stem(name) == stem
    assert not set("/\\:<> ") & set(safe_stem(name))
