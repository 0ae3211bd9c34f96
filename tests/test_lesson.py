"""The Teach lesson's state: parameters, presets, links, its own settings and the words for its processing."""

import numpy as np
import pytest

from emgviz import lesson
from emgviz.lesson import DEFAULTS, PARAMS, PRESETS, from_query, lesson_settings, sim_params, to_query
from emgviz.simulate import simulate


def test_a_link_round_trips_every_parameter():
    values = {**DEFAULTS, "profile": "ramp", "level": 0.65, "fs": 4000, "n_channels": 8, "mains": "60 Hz",
              "noise": False, "dc_mv": 2.5, "notch": "Off", "low_hz": 15.0, "method": DEFAULTS["method"],
              "presenter": True, "step": 3}
    query = to_query(values)
    assert "teach_method" not in query  # defaults stay out of the link
    back, problems = from_query(query)
    assert problems == [] and back == values


def test_bad_link_values_are_named_with_what_is_allowed():
    values, problems = from_query({"teach_level": "2", "teach_fs": "1234", "teach_noise": "maybe",
                                   "teach_bogus": "1", "teach_preset": "nope", "teach_seed": "3"})
    assert values["seed"] == 3 and values["level"] == DEFAULTS["level"]
    text = " | ".join(problems)
    assert "teach_level='2'" in text and "from 0.05 to 1" in text
    assert "one of 1000, 2000, 4000" in text and "1 or 0" in text
    assert "no parameter 'bogus'" in text and "no lesson preset 'nope'" in text
    assert len(problems) == 5


def test_a_preset_in_a_link_is_applied_then_single_values_over_it():
    values, problems = from_query({"teach_preset": "hum-and-drift", "teach_mains_uv": "300"})
    assert not problems
    assert values["wander_uv"] == 800 and values["mains"] == "50 Hz" and values["mains_uv"] == 300


def test_every_preset_names_only_known_parameters_with_allowed_values():
    assert [p.title for p in PRESETS] == ["clean biceps", "hum and drift", "fatiguing hold",
                                          "weak vs strong contraction"]
    for p in PRESETS:
        for name, value in p.values.items():
            assert PARAMS[name].parse(PARAMS[name].text(value)) == value, (p.key, name)
        simulate(**{**sim_params({**DEFAULTS, **p.values}), "duration_s": 3.0})  # each one simulates


def test_the_teach_notch_follows_the_hum_and_ignores_nothing_else():
    assert lesson_settings({"mains": "60 Hz"}).notch_hz == 60.0
    assert lesson_settings({"mains": "Off"}).notch_hz is None          # no hum, no notch
    assert lesson_settings({"mains": "50 Hz", "mains_uv": 0}).notch_hz is None
    assert lesson_settings({"mains": "Off", "notch": "50 Hz"}).notch_hz == 50.0
    assert lesson_settings({"mains": "50 Hz", "notch": "Off"}).notch_hz is None
    s = lesson_settings({"low_hz": 30.0, "high_hz": 400.0})
    assert (s.low_hz, s.high_hz) == (30.0, 400.0)


def test_weak_vs_strong_alternates_weak_and_strong_contractions():
    drive = np.array(lesson.weak_strong_drive(10, 0.8))
    on = drive > 0
    starts = np.flatnonzero(np.diff(on.astype(int)) == 1) + 1
    stops = np.flatnonzero(np.diff(on.astype(int)) == -1) + 1
    peaks = [drive[a:b].max() for a, b in zip(starts, stops)]
    assert len(peaks) == 4
    assert peaks == pytest.approx([0.2, 0.8, 0.2, 0.8])
    sim = simulate(**sim_params({"profile": "weak-strong", "level": 0.8, "n_channels": 1, "mains": "Off"}))
    rms = [np.sqrt(np.mean(sim.truth.clean.data[0][int(a * 2000 / 50):int(b * 2000 / 50)] ** 2))
           for a, b in zip(starts, stops)]
    assert rms[1] > 2 * rms[0] and rms[3] > 2 * rms[2]


@pytest.mark.parametrize("steps, text", [
    ([("raw", "Raw"), ("dc", "DC removed"), ("bandpass", "Band-pass 20–450 Hz"), ("notch", "notch at 50, 100 Hz"),
      ("rectified", "Rectified")], "after DC removal, band-pass 20–450 Hz and notch at 50, 100 Hz"),
    ([("raw", "Raw"), ("bandpass", "Band-pass 10–300 Hz"), ("rectified", "Rectified")],
     "after band-pass 10–300 Hz (no notch)"),
    ([("raw", "Raw"), ("rectified", "Rectified")], "unfiltered"),
])
def test_processing_text_names_exactly_the_filter_steps(steps, text):
    assert lesson.processing_text(steps) == text


def test_hum_text_lists_what_was_added():
    assert lesson.hum_text({"mains": "Off", "noise": False}) == "EMG"
    assert lesson.hum_text({"mains": "60 Hz", "mains_uv": 200, "wander_uv": 100, "noise": True}) == (
        "EMG + 60 Hz hum (200 µV) + baseline wander + amplifier noise")
