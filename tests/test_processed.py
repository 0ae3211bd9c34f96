"""Processed: the envelope computed on its first read gives exactly the numbers it gave when computed
eagerly; one channel's envelope alone equals that channel's row; derived results are kept with it."""

import threading

import numpy as np
import pytest
from scipy import signal

from emgviz import pipeline
from emgviz.envelopes import linear_envelope, rms_envelope
from emgviz.pipeline import Processed, pipeline_sos, preprocess
from emgviz.recording import Recording
from emgviz.settings import Settings


@pytest.fixture
def rec():
    rng = np.random.default_rng(21)
    data = rng.normal(0, 50e-6, (3, 40_000)) * (1 + (np.arange(40_000) % 8000 > 4000)) + 1e-3
    return Recording(data, fs=2000.0, ch_names=["biceps", "triceps", "deltoid"])


SETTINGS = [Settings(), Settings(notch_hz=50, notch_harmonics=1), Settings(envelope="lowpass", lowpass_hz=6.0)]


@pytest.mark.parametrize("settings", SETTINGS, ids=["rms", "notch", "lowpass"])
def test_envelope_on_first_read_equals_the_envelope_of_the_filtered_signal(rec, settings):
    raw_before = rec.data.copy()
    out = preprocess(rec, settings)
    assert not out.envelope_ready and out.has_envelope
    # the filtered signal: mean removed, the band-pass + notch cascade forward and backward (plain SciPy)
    sos, _ = pipeline_sos(settings, rec.fs)
    ref = signal.sosfiltfilt(sos, rec.data - rec.data.mean(axis=-1, keepdims=True), axis=-1)
    np.testing.assert_allclose(out.filtered.data, ref, rtol=0, atol=1e-12 * np.abs(ref).max())
    env = out.envelope
    assert out.envelope_ready and out.envelope is env  # computed once, then the same object
    if settings.envelope == "rms":
        expected = rms_envelope(out.filtered.data, rec.fs, window_ms=settings.rms_window_ms)
    else:
        expected = linear_envelope(out.filtered.data, rec.fs, cutoff_hz=settings.lowpass_hz)
    np.testing.assert_array_equal(env.data, expected)  # identical, not merely close
    assert env.ch_names == rec.ch_names and env.fs == rec.fs
    np.testing.assert_array_equal(rec.data, raw_before)  # raw samples never modified


@pytest.mark.parametrize("settings", SETTINGS, ids=["rms", "notch", "lowpass"])
def test_one_channels_envelope_equals_its_row_without_computing_the_rest(rec, settings):
    out = preprocess(rec, settings)
    buf = np.empty(rec.n_samples)
    rows = [out.envelope_channel(i, out=buf).copy() for i in range(rec.n_channels)]
    assert not out.envelope_ready  # nothing kept
    for i, row in enumerate(rows):
        np.testing.assert_array_equal(row, out.envelope.data[i])
    np.testing.assert_array_equal(out.envelope_channel(1), out.envelope.data[1])  # now the held row


def test_threads_compute_the_envelope_once(rec, monkeypatch):
    out = preprocess(rec, Settings())
    calls = []
    real = pipeline._envelope_all

    def counting(*a):
        calls.append(1)
        return real(*a)

    monkeypatch.setattr(pipeline, "_envelope_all", counting)
    got = []
    threads = [threading.Thread(target=lambda: got.append(out.envelope)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and all(g is got[0] for g in got)


def test_no_envelope_asked_gives_none_and_a_clear_error_per_channel(rec):
    out = preprocess(rec, Settings(), envelope=False)
    assert out.envelope is None and not out.has_envelope and out.nbytes == rec.data.nbytes
    with pytest.raises(ValueError, match="no envelope"):
        out.envelope_channel(0)


def test_processed_is_immutable_and_keeps_derived_results(rec):
    out = preprocess(rec, Settings())
    with pytest.raises(AttributeError, match="immutable"):
        out.filtered = rec
    calls = []
    first = out.derived("k", lambda: calls.append(1) or [1, 2])
    assert out.derived("k", lambda: calls.append(1) or [3]) is first and calls == [1]
    assert out.nbytes == rec.data.nbytes
    out.envelope
    assert out.nbytes == 2 * rec.data.nbytes


def test_a_given_envelope_is_kept_as_given(rec):
    env = rec.with_data(np.abs(rec.data))
    out = Processed(raw=rec, filtered=rec, envelope=env, settings=Settings(), warnings=())
    assert out.envelope is env and out.envelope_ready
    np.testing.assert_array_equal(out.envelope_channel(2), env.data[2])
    assert "envelope computed" in repr(out)


def test_pickles_with_its_envelope(rec):
    import pickle

    out = preprocess(rec, Settings())
    back = pickle.loads(pickle.dumps(out))
    assert back.envelope_ready and back.settings == out.settings and back.warnings == out.warnings
    np.testing.assert_array_equal(back.envelope.data, out.envelope.data)
    np.testing.assert_array_equal(back.filtered.data, out.filtered.data)
