"""Processed.derived computes a key once however many threads ask at once; Processed.pick picks the envelope
without computing it for the channels left out (the Summary's channel pages)."""

import threading
import time

import numpy as np
import pytest

from emgviz import pipeline
from emgviz.pipeline import preprocess
from emgviz.recording import Recording
from emgviz.settings import Settings


@pytest.fixture
def rec():
    rng = np.random.default_rng(7)
    data = rng.normal(0, 50e-6, (5, 20_000)) * (1 + (np.arange(20_000) % 4000 > 2000))
    return Recording(data, fs=2000.0, ch_names=["a", "b", "c", "d", "e"])


def test_two_threads_asking_for_one_key_compute_it_once(rec):
    out = preprocess(rec, Settings())
    calls = []
    start = threading.Barrier(2)

    def compute():
        calls.append(threading.get_ident())
        time.sleep(0.3)              # long enough for the other thread to ask meanwhile
        return object()

    got = [None, None]

    def ask(k):
        start.wait()
        got[k] = out.derived(("table",), compute)

    threads = [threading.Thread(target=ask, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert got[0] is got[1] is not None
    assert out.derived(("table",), lambda: pytest.fail("computed again")) is got[0]


def test_different_keys_do_not_wait_for_each_other(rec):
    out = preprocess(rec, Settings())
    inside = threading.Event()
    release = threading.Event()

    def slow():
        inside.set()
        release.wait(5)
        return "slow"

    t = threading.Thread(target=lambda: out.derived("slow", slow))
    t.start()
    assert inside.wait(5)
    assert out.derived("fast", lambda: "fast") == "fast"   # not blocked by the other key
    release.set()
    t.join()
    assert out.derived("slow", lambda: "again") == "slow"


def test_a_failed_computation_stores_nothing(rec):
    out = preprocess(rec, Settings())

    def fail():
        raise ValueError("no")

    with pytest.raises(ValueError):
        out.derived("k", fail)
    assert out.derived("k", lambda: 3) == 3


@pytest.mark.parametrize("settings", [Settings(), Settings(envelope="lowpass", lowpass_hz=6.0)], ids=["rms", "lowpass"])
def test_pick_computes_the_envelope_of_the_picked_channels_only(rec, settings, monkeypatch):
    full = preprocess(rec, settings)
    expected = full.envelope.data[[3, 1]].copy()
    out = preprocess(rec, settings)
    sizes = []
    real = pipeline._envelope_all
    monkeypatch.setattr(pipeline, "_envelope_all", lambda f, s: sizes.append(f.n_channels) or real(f, s))
    page = out.pick(["d", "b"])
    assert page.filtered.ch_names == page.raw.ch_names == ("d", "b")
    assert not page.envelope_ready and page.has_envelope
    np.testing.assert_array_equal(page.filtered.data, out.filtered.data[[3, 1]])
    np.testing.assert_array_equal(page.envelope.data, expected)   # the same numbers, bit for bit
    assert page.envelope.ch_names == ("d", "b")
    assert sizes == [2]                      # two channels' envelope, never all five
    assert not out.envelope_ready            # the whole recording's envelope was not computed
    assert page.settings == out.settings and page.warnings == out.warnings


def test_pick_takes_rows_of_a_held_envelope_and_none_stays_none(rec):
    out = preprocess(rec, Settings())
    env = out.envelope
    page = out.pick(["e"])
    assert page.envelope_ready
    np.testing.assert_array_equal(page.envelope.data, env.data[[4]])
    assert preprocess(rec, Settings(), envelope=False).pick(["a"]).envelope is None
