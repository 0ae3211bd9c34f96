"""Processing choices are tables: every reader of a choice follows its row, and a new row flows through.

A method added to :data:`emgviz.envelopes.ENVELOPE_METHODS` (here ``"average"``, the moving
average of the rectified signal, added for the test only) must be accepted by Settings,
computed by the pipeline, described, labelled by ``steps``, offered by the sidebar and the
CLI and explained in the Teach caption, with no other edit. An unknown name is an error.
"""

import argparse

import numpy as np
import pytest

from emgviz import envelopes, onsets, settings as settings_mod
from emgviz.cli import add_settings_args, settings_from_args
from emgviz.envelopes import ENVELOPE_METHODS, EnvelopeMethod, envelope_method, moving_average
from emgviz.onsets import DETECTION_METHODS, DETECTORS, Detector, detect_bursts
from emgviz.pipeline import preprocess, steps
from emgviz.plotting.teach import step_caption
from emgviz.recording import Recording
from emgviz.settings import SETTINGS_PRESETS, Settings, SettingsPreset

AVERAGE = EnvelopeMethod(label="Moving average (ARV)", param="rms_window_ms", unit="ms", compute=moving_average,
                         keyword="window_ms", short="ARV", how="a moving average over {value:g} {unit}",
                         bandwidth_hz=lambda ms: 1000.0 / ms, reference="De Luca 1997")


@pytest.fixture
def with_average(monkeypatch):
    monkeypatch.setitem(ENVELOPE_METHODS, "average", AVERAGE)
    return AVERAGE


def _rec(fs=1000.0, seconds=3.0, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, int(fs * seconds)))
    x[:, 1000:2000] *= 5.0
    return Recording(x, fs=fs, ch_names=["a", "b"])


# ---- envelope methods ------------------------------------------------------------------------
def test_unknown_envelope_method_is_an_error_everywhere():
    with pytest.raises(ValueError, match="envelope must be one of 'rms', 'lowpass', got 'average'"):
        Settings(envelope="average")
    with pytest.raises(ValueError, match="envelope must be one of"):
        envelope_method("hilbert")


@pytest.mark.parametrize("name", list(ENVELOPE_METHODS))
def test_pipeline_envelope_is_the_rows_function_of_the_filtered_signal(name):
    rec = _rec()
    s = Settings(envelope=name)
    out = preprocess(rec, s)
    method = ENVELOPE_METHODS[name]
    expect = method.compute(out.filtered.data, rec.fs, **{method.keyword: getattr(s, method.param)})
    np.testing.assert_array_equal(out.envelope.data, expect)
    assert s.describe().endswith(method.text(getattr(s, method.param)))
    assert steps(rec, s)[-1][0] == method.text(getattr(s, method.param))


def test_describe_and_labels_of_the_two_methods():
    assert Settings().envelope_text() == "envelope RMS 100 ms"
    assert Settings(envelope="lowpass", lowpass_hz=4).envelope_text() == "envelope low-pass 4 Hz"


def test_a_new_envelope_row_flows_through_settings_pipeline_steps_and_caption(with_average):
    rec = _rec()
    s = Settings(envelope="average", rms_window_ms=50)
    out = preprocess(rec, s)
    np.testing.assert_allclose(out.envelope.data, moving_average(out.filtered.data, rec.fs, window_ms=50))
    assert s.describe().endswith("envelope ARV 50 ms")
    assert steps(rec, s)[-1][0] == "envelope ARV 50 ms"
    caption = step_caption("envelope", "envelope ARV 50 ms", out.envelope.data[0], None, fs=rec.fs, settings=s)
    assert "a moving average over 50 ms" in caption and "below about 20 Hz" in caption
    assert Settings.from_query({"envelope": "average"})[0].envelope == "average"


def test_a_new_envelope_row_is_a_cli_choice(with_average):
    p = argparse.ArgumentParser()
    add_settings_args(p)
    assert settings_from_args(p.parse_args(["--envelope", "average"])).envelope == "average"
    with pytest.raises(SystemExit):
        p.parse_args(["--envelope", "hilbert"])


def test_an_envelope_cutoff_in_hz_is_clipped_below_nyquist_whatever_the_row(monkeypatch):
    rec = _rec(fs=100.0, seconds=20.0)
    out = preprocess(rec, Settings(envelope="lowpass", lowpass_hz=60.0, bandpass=False))
    assert out.settings.lowpass_hz == pytest.approx(0.95 * 50.0)
    assert any("lowpass_hz 60 Hz is at or above fs/2 = 50 Hz" in w for w in out.warnings)


# ---- mains notch and settings presets ---------------------------------------------------------
def test_notch_choices_come_from_the_mains_table(monkeypatch):
    from emgviz.filters import MAINS_HZ
    assert settings_mod.NOTCH_CHOICES == (None, *MAINS_HZ)
    p = argparse.ArgumentParser()
    add_settings_args(p)
    for hz in MAINS_HZ:
        assert settings_from_args(p.parse_args(["--notch", f"{hz:g}"])).notch_hz == hz


def test_presets_build_settings_and_a_new_preset_is_one_row(monkeypatch):
    assert Settings.from_preset("surface") == Settings()
    assert Settings.from_preset("surface", notch_hz=60).notch_hz == 60.0
    with pytest.raises(ValueError, match="preset must be one of 'surface'"):
        Settings.from_preset("needle-x")
    monkeypatch.setitem(SETTINGS_PRESETS, "wide", SettingsPreset("Wide band", {"low_hz": 10.0, "high_hz": 1000.0},
                                                                 "test"))
    assert (Settings.from_preset("wide").low_hz, Settings.from_preset("wide").high_hz) == (10.0, 1000.0)
    monkeypatch.setitem(SETTINGS_PRESETS, "bad", SettingsPreset("Bad", {"typo_hz": 1.0}, "test"))
    with pytest.raises(ValueError, match="unknown settings"):
        Settings.from_preset("bad")


# ---- onset detectors --------------------------------------------------------------------------
def test_detection_methods_are_the_detector_table():
    assert DETECTION_METHODS == tuple(DETECTORS) == ("threshold", "double", "tkeo")
    assert all(isinstance(d, Detector) and callable(d.find) for d in DETECTORS.values())


def test_a_new_detector_row_is_run_by_detect_bursts(monkeypatch):
    def middle_third(x, fs, *, rest):
        return [(len(x) // 3, 2 * len(x) // 3)]
    monkeypatch.setitem(DETECTORS, "middle", Detector("Middle third", middle_third, "test"))
    table = detect_bursts(_rec(), method="middle")
    assert table["onset_s"].tolist() == [1.0, 1.0] and table["offset_s"].tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="method must be one of"):
        detect_bursts(_rec(), method="nope")
