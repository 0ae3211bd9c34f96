"""Normalisation: MVC references of known signals, %MVC and % peak."""

import numpy as np
import pandas as pd
import pytest

from emgviz.normalise import (PERCENT_MVC_UNIT, PERCENT_PEAK_UNIT, mvc_from_recording, mvc_reference,
                              peak_normalise, to_percent_mvc)
from emgviz.pipeline import preprocess
from emgviz.recording import Recording
from emgviz.settings import Settings

FS = 2000.0


def sine_trial(amps, fs=FS, duration_s=6.0, on=(2.0, 4.0), f_hz=80.0):
    """Channels of a sine of amplitude ``amps[i]`` switched on during ``on`` (s)."""
    t = np.arange(int(duration_s * fs)) / fs
    gate = (t >= on[0]) & (t < on[1])
    return Recording(np.array([a * np.sin(2 * np.pi * f_hz * t) * gate for a in amps]), fs=fs,
                     ch_names=[f"m{i}" for i in range(len(amps))], t0=5.0)


def test_mvc_reference_is_the_mean_rectified_value_of_the_strongest_500_ms():
    rec = sine_trial([1.0, 3.0])
    ref = mvc_reference(rec)                                    # default 500 ms
    # a sine of amplitude A has mean |x| = 2A/π
    np.testing.assert_allclose(ref.to_numpy(), [2 / np.pi, 6 / np.pi], rtol=3e-3)  # sampled: 25 per cycle
    assert ref.index.tolist() == ["m0", "m1"] and ref.attrs["unit"] == "V"


def test_a_single_spike_barely_moves_the_500_ms_reference():
    rec = sine_trial([1.0])
    data = rec.data.copy()
    data[0, int(3.0 * FS)] = 50.0                               # one 50 V artefact sample
    ref = mvc_reference(rec.with_data(data))["m0"]
    # the spike adds ≈ 50 / 1000 samples = 0.05 to a 500 ms average
    assert ref == pytest.approx(2 / np.pi + 50 / 1000, abs=0.01)
    assert mvc_reference(rec.with_data(data), window_ms=None)["m0"] == pytest.approx(50.0)


def test_segment_is_in_the_recording_clock():
    rec = sine_trial([1.0], on=(1.0, 2.0))
    t = rec.times
    data = rec.data.copy()
    data[0, (t >= 9.0) & (t < 10.0)] = 4.0 * np.sin(2 * np.pi * 80 * t[(t >= 9.0) & (t < 10.0)])
    rec = rec.with_data(data)
    whole = mvc_reference(rec)["m0"]
    first = mvc_reference(rec, segment=(5.5, 7.5))["m0"]        # clock: t0 = 5 s
    assert whole == pytest.approx(8 / np.pi, rel=0.01)
    assert first == pytest.approx(2 / np.pi, rel=0.01)
    with pytest.raises(ValueError, match="holds no samples"):
        mvc_reference(rec, segment=(0.0, 1.0))


def test_mvc_from_recording_uses_the_pipeline_envelope():
    rec = sine_trial([2.0])
    settings = Settings(envelope="rms", rms_window_ms=100)
    ref = mvc_from_recording(rec, settings=settings)
    assert ref["m0"] == pytest.approx(2.0 / np.sqrt(2), rel=0.01)  # RMS of a sine
    direct = mvc_reference(preprocess(rec, settings).envelope, window_ms=None)
    pd.testing.assert_series_equal(ref, direct)


def test_to_percent_mvc_divides_by_the_matching_channel():
    settings = Settings()
    mvc = mvc_from_recording(sine_trial([1.0, 3.0]), settings=settings)
    task = preprocess(sine_trial([0.5, 0.3]), settings).envelope
    pct = to_percent_mvc(task.pick(["m1", "m0"]), mvc)          # order differs: matched by name
    assert pct.unit == PERCENT_MVC_UNIT and set(pct.ch_units) == {PERCENT_MVC_UNIT}
    assert pct.ch_names == ("m1", "m0")
    mid = (pct.times >= 8.0) & (pct.times < 8.5)
    np.testing.assert_allclose(pct.data[:, mid].mean(axis=1), [10.0, 50.0], rtol=0.02)
    assert pct.t0 == task.t0


def test_missing_channels_are_listed():
    rec = Recording(np.ones((3, 10)), fs=100.0, ch_names=["BB", "TB", "DA"])
    with pytest.raises(ValueError, match=r"\['TB', 'DA'\]"):
        to_percent_mvc(rec, pd.Series({"BB": 1.0, "FCR": 2.0}))


def test_bad_references_are_rejected():
    rec = Recording(np.ones((1, 10)), fs=100.0, ch_names=["BB"])
    with pytest.raises(ValueError, match="above 0"):
        to_percent_mvc(rec, pd.Series({"BB": 0.0}))
    ref = pd.Series({"BB": 1.0})
    ref.attrs["unit"] = "a.u."
    with pytest.raises(ValueError, match="'a.u.'"):
        to_percent_mvc(rec, ref)


def test_peak_normalise_puts_each_channel_peak_at_100():
    rec = Recording(np.array([[0.0, -2.0, 1.0, 0.5], [3.0, 1.5, 0.0, 0.75]]), fs=10.0, ch_names=["a", "b"])
    out = peak_normalise(rec)
    np.testing.assert_allclose(out.data, [[0, -100, 50, 25], [100, 50, 0, 25]])
    assert out.unit == PERCENT_PEAK_UNIT and out.ch_units == (PERCENT_PEAK_UNIT,) * 2
    assert rec.data[0, 1] == -2.0                               # the input is untouched
    with pytest.raises(ValueError, match=r"\['z'\]"):
        peak_normalise(Recording(np.zeros((1, 4)), fs=10.0, ch_names=["z"]))
