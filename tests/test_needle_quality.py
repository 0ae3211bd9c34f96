"""Needle settings preset and needle-aware quality grading."""

import emgviz
from emgviz import Recording, Settings
from emgviz.quality import is_needle
from emgviz.settings import SETTINGS_PRESETS


def test_needle_preset_is_one_row_and_clips_at_fs():
    s = Settings.from_preset("needle")
    assert (s.low_hz, s.high_hz, s.order, s.notch_hz) == (10.0, 10000.0, 2, None)
    assert "needle" in SETTINGS_PRESETS and "10 Hz" in SETTINGS_PRESETS["needle"].label
    rec = emgviz.read_file("sample_data/emg_healthy.hea")
    out = emgviz.preprocess(rec, s)
    assert any("clipped to 1900 Hz" in w for w in out.warnings)


def test_needle_rest_is_not_low_snr():
    rec = emgviz.read_file("sample_data/emg_myopathy.hea")
    assert is_needle(rec)
    q = emgviz.signal_quality(rec).iloc[0]
    assert q["grade"] == "good" and q["snr_db"] > 12
    plain = Recording(rec.data, fs=rec.fs, ch_names=rec.ch_names)  # the same samples, no needle header
    assert not is_needle(plain)
    q2 = emgviz.signal_quality(plain).iloc[0]
    assert q2["snr_db"] < q["snr_db"]
