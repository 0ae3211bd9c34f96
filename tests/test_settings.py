"""Settings: validation, text forms, URL query round trips."""

import pytest

from emgviz import Settings


def test_defaults_are_the_standard_pipeline():
    s = Settings()
    assert (s.remove_dc, s.bandpass, s.low_hz, s.high_hz, s.notch_hz, s.envelope) == (
        True, True, 20.0, 450.0, None, "rms")


@pytest.mark.parametrize("kw, match", [
    (dict(low_hz=500, high_hz=450), "below high_hz"),
    (dict(notch_hz=55), "notch_hz must be one of"),
    (dict(envelope="hilbert"), "envelope must be one of"),
    (dict(order=0), "order"),
    (dict(rms_window_ms=-5), "rms_window_ms"),
])
def test_bad_settings_name_the_problem(kw, match):
    with pytest.raises(ValueError, match=match):
        Settings(**kw)


def test_notch_accepts_text():
    assert Settings(notch_hz="50 Hz").notch_hz == 50.0
    assert Settings(notch_hz="off").notch_hz is None


def test_query_round_trip_keeps_only_changes():
    s = Settings(notch_hz=60, envelope="lowpass", lowpass_hz=4, bandpass=False)
    q = s.to_query()
    assert q == {"bandpass": "0", "notch_hz": "60", "envelope": "lowpass", "lowpass_hz": "4"}
    back, problems = Settings.from_query(q)
    assert back == s and problems == []
    assert Settings().to_query() == {}


def test_query_with_bad_values_keeps_the_good_ones():
    s, problems = Settings.from_query({"notch_hz": "50", "order": "many", "low_hz": "900", "view": "Browse"})
    assert s.notch_hz == 50.0 and s.order == 4 and s.low_hz == 20.0
    assert len(problems) == 2 and any("order" in p for p in problems)


def test_dict_round_trip_and_unknown_keys():
    s = Settings(notch_hz=50, rms_window_ms=250)
    assert Settings.from_dict(s.to_dict()) == s
    with pytest.raises(ValueError, match="unknown settings"):
        Settings.from_dict({"cutoff": 3})


def test_describe_mentions_every_active_step():
    text = Settings(notch_hz=50, envelope="lowpass", lowpass_hz=6).describe()
    assert "band-pass 20–450 Hz" in text and "notch 50 Hz" in text and "low-pass 6 Hz" in text


# ---- notch text ----------------------------------------------------------------------------------
def test_notch_text_has_one_parser():
    assert Settings(notch_hz=" 60 Hz ").notch_hz == 60.0
    assert Settings(notch_hz="none").notch_hz is None
    got, problems = Settings.from_query({"notch_hz": "50 Hz"})
    assert got.notch_hz == 50.0 and problems == []
    got, problems = Settings.from_query({"notch_hz": "mains"})
    assert got.notch_hz is None and "notch_hz" in problems[0]
