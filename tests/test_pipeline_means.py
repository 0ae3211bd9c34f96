"""Channel means for the DC removal of preprocess (#21): the same numbers as NumPy's row means, on two
threads when a core is free, kept while a recording's frozen samples live (a filter change does not read
the hour again), never kept for samples that can change."""

import gc

import numpy as np
import pytest

from emgviz import _dc_means as M
from emgviz import pipeline as P
from emgviz.recording import Recording
from emgviz.settings import Settings


def _rec(n=300_000, seed=0):
    rng = np.random.default_rng(seed)
    return Recording(rng.standard_normal((9, n)) * 1e-4 + np.arange(9)[:, None] * 1e-3, fs=2000.0,
                     ch_names=[f"c{i}" for i in range(9)])


@pytest.mark.parametrize("threads", ["1", "2"])
def test_means_equal_numpys_row_means_bit_for_bit(monkeypatch, threads):
    monkeypatch.setenv("EMGVIZ_THREADS", threads)
    monkeypatch.setattr(M, "_MEANS", {})
    rec = _rec()
    np.testing.assert_array_equal(M.channel_means(rec.data), rec.data.mean(axis=-1, keepdims=True))


def test_means_of_a_recording_are_kept_while_it_lives(monkeypatch):
    monkeypatch.setattr(M, "_MEANS", {})
    rec = _rec()
    first = M.channel_means(rec.data)
    assert M.channel_means(rec.data) is first and not first.flags.writeable
    del rec
    gc.collect()
    assert M._MEANS == {}                                 # nothing held once the recording is gone


def test_writable_samples_are_never_kept(monkeypatch):
    monkeypatch.setattr(M, "_MEANS", {})
    x = np.random.default_rng(1).standard_normal((4, 1 << 20))
    a = M.channel_means(x)
    x += 1.0                                              # the caller changes its own array
    b = M.channel_means(x)
    np.testing.assert_allclose(b - a, 1.0, rtol=1e-12)
    assert M._MEANS == {}
    assert not M._frozen(np.broadcast_to(np.ones(3), (2, 3)))    # read-only, but not a frozen buffer


def test_a_filter_change_gives_the_same_samples_as_a_fresh_recording(monkeypatch):
    monkeypatch.setattr(M, "_MEANS", {})
    rec = _rec(n=250_000)                                  # 2.25 M values: the SIMD-lane route (numba) loads
    P.preprocess(rec, Settings())                          # keeps the means of rec
    changed = P.preprocess(rec, Settings(notch_hz=50))     # uses them
    fresh = P.preprocess(_rec(n=250_000), Settings(notch_hz=50))
    np.testing.assert_array_equal(changed.filtered.data, fresh.filtered.data)
    if P._lanes(rec.data) is not None:
        assert id(rec.data) in M._MEANS                    # that route kept them
