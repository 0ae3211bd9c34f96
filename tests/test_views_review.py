"""Review fixes of the views: the report reproduces the app's table, shared caches, safe file names."""

import contextlib
import html
import io
import os
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st

import compare_host
from apptest_utils import assert_no_exception, media, new_app  # noqa: F401
from emgviz.samples import SAMPLE_DIR


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


def test_view_context_carries_the_reader_options():
    from emgviz.recording import Recording
    from emgviz.settings import Settings
    from emgviz.views.context import ViewContext

    rec = Recording(np.zeros((1, 100)), fs=100.0, ch_names=["a"])
    plain = ViewContext(rec=rec, full=rec, processed=None, settings=Settings(), name="a.csv", digest="0" * 64,
                        description="", key="k")
    assert plain.read_kwargs == {}
    typed = ViewContext(rec=rec, full=rec, processed=None, settings=Settings(), name="a.csv", digest="0" * 64,
                        description="", key="k", read_options={"fs": 1000.0, "options": {"unit": "mV"}})
    assert typed.read_kwargs == {"fs": 1000.0, "unit": "mV"}
    assert typed.settings_key == plain.settings_key and '"high_hz"' in typed.settings_key


def test_compare_never_filters_inside_the_comparison(monkeypatch):
    """Sessions carry their filtered recordings from the shared processing cache."""
    import emgviz.pipeline as pipeline

    real = pipeline.preprocess
    callers = []

    def counting(*args, **kwargs):
        callers.append(sys._getframe(1).f_globals.get("__name__"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "preprocess", counting)
    at = new_app(Path(compare_host.__file__).resolve(), timeout=120).run()
    at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert len(at.dataframe) >= 1
    for tab in ("Envelopes", "Spectra", "Fatigue"):
        at.session_state["compare_tabs"] = tab
        at.run()
        assert_no_exception(at)
        assert not at.error, [e.value for e in at.error]
    assert "emgviz.compare" not in callers


def test_synthetic_source_uses_the_teach_views_defaults():
    from emgviz.views.teach import DEFAULTS

    at = new_app(timeout=120).run()
    at.radio(key="source").set_value("Synthetic").run()
    assert_no_exception(at)
    caption = " ".join(c.value for c in at.caption)
    assert f"{DEFAULTS['n_channels']} EMG channel" in caption, caption


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


def test_quality_badges_are_computed_once_and_pass_through():
    from emgviz.plotting.summary import display_table, quality_badges

    q = pd.DataFrame({"channel": ["a", "b"], "grade": ["good", "poor"], "reason": ["", "flat line"]})
    badges = quality_badges(q)
    assert quality_badges(badges) is badges
    table = pd.DataFrame({"channel": ["a", "b"], "RMS (V)": [1e-4, 2e-4]})
    assert display_table(table, badges)[0].equals(display_table(table, q)[0])
