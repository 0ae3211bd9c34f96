"""The Needle EMG lesson in Streamlit (AppTest): every step of every preset, sound, legible figures."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest_utils import view_app

ROOT = Path(__file__).resolve().parents[1]


def _run(preset, stage):
    at = view_app("needle_lesson", timeout=120)
    at.session_state["needle_lesson_preset"] = preset
    at.session_state["needle_lesson_stage"] = stage
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _fonts(spec):
    lay = spec["layout"]
    return [lay["font"]["size"], lay["xaxis"]["tickfont"]["size"], lay["yaxis"]["tickfont"]["size"],
            lay["title"]["font"]["size"]]


@pytest.mark.parametrize("preset", ["normal", "myopathic", "neurogenic"])
@pytest.mark.parametrize("stage", ["insertion", "rest", "minimal", "strong"])
def test_every_step_draws_with_sound_and_legible_text(preset, stage):
    at = _run(preset, stage)
    assert len(at.get("audio")) == 1
    spec = json.loads(at.get_by_key("needle_lesson_trace").proto.spec)
    assert min(_fonts(spec)) >= 20
    assert spec["layout"]["yaxis"]["autorange"] == "reversed"          # negative up, as on an EMG machine
    captions = [m.value for m in at.markdown if "font-size:" in m.value]
    assert captions and all("font-size:22px" in c for c in captions)
    if stage == "minimal":
        assert at.get_by_key("needle_lesson_sweep") is not None
    if stage in ("rest", "insertion") and preset != "normal":
        assert len(at.dataframe) >= 1


def test_minimal_contraction_scores_the_mups_against_the_truth():
    at = _run("myopathic", "minimal")
    df = at.dataframe[0].value
    assert {"Amplitude (µV)", "true amplitude (µV)", "Firing rate (Hz)", "set rate (Hz)"} <= set(df.columns)
    assert len(df) >= 3
    good = df[df["matched (%)"] >= 90]
    assert len(good) >= 3
    assert ((good["Amplitude (µV)"] - good["true amplitude (µV)"]).abs() <= 0.15 * good["true amplitude (µV)"]).all()
    assert ((good["Firing rate (Hz)"] - good["set rate (Hz)"]).abs() <= 0.05 * good["set rate (Hz)"] + 0.3).all()


def test_the_app_offers_the_needle_lesson_in_teach():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["view"] = "Teach"
    at.session_state["lesson_choice"] = "Needle EMG"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get_by_key("needle_lesson_trace") is not None
    assert len(at.get("audio")) == 1
