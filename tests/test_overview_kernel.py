"""The compiled one-pass decimation of the Overview (signal + moving RMS): the same indices and the
same float64 values as NumPy's path (``rms_envelope`` then ``minmax_indices``), to the bit."""

import numpy as np
import pytest

import emgviz
from emgviz.envelopes import rms_envelope, window_samples
from emgviz.pipeline import preprocess
from emgviz.plotting import overview_kernel, overview_stack
from emgviz.plotting.decimate import minmax_indices
from emgviz.plotting.overview_stack import decimate_stack, stack_points
from emgviz.recording import Recording
from emgviz.settings import Settings

pytestmark = [pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),  # NumPy's inf - inf
              pytest.mark.skipif(overview_kernel.kernel() is None,
                                 reason=f"numba kernel unavailable: {overview_kernel.failure}")]


def _reference(x, n_out, w):
    """NumPy's path: the full envelope, then minmax_indices of both."""
    env = rms_envelope(x, 1000.0, window_ms=w)  # fs 1000 Hz: w ms = w samples
    si = minmax_indices(x[np.newaxis], n_out=n_out)[0]
    ei = minmax_indices(env[np.newaxis], n_out=n_out)[0]
    return si, ei, env[ei]


def _check(x, n_out, w, n_workers=1):
    (sig, env, val), = overview_kernel.decimate_rows([x], n_out=n_out, window=w, n_workers=n_workers)
    si, ei, ev = _reference(x, n_out, w)
    np.testing.assert_array_equal(sig, si)
    np.testing.assert_array_equal(env, ei)
    assert val.dtype == np.float64
    np.testing.assert_array_equal(val, ev)  # NaN == NaN here; bit-identical values otherwise
    assert np.array_equal(val.view(np.int64), ev.view(np.int64))


@pytest.mark.parametrize("n, n_out, w", [
    (10_000, 400, 1), (10_000, 400, 2), (10_000, 400, 201), (10_000, 400, 200),   # w odd / even / 1 / 2
    (10_007, 398, 50), (9_999, 1000, 333),            # n not a multiple of the bucket: shorter last bucket
    (5_000, 20, 4_999), (5_000, 2, 4_000), (5_000, 3, 17),  # windows near n; one bucket; odd n_out
    (1_001, 1_000, 10), (3_000, 600, 2_500)])           # buckets of 1–2 samples; window wider than buckets
def test_equals_numpy_on_random_rows(n, n_out, w):
    rng = np.random.default_rng(n + n_out + w)
    x = rng.standard_normal(n) * 1e-4 * (1 + 5 * (np.arange(n) % 3000 > 2500))
    x[n // 3] = 7e-3                                   # a spike must survive
    _check(x, n_out, w)


@pytest.mark.parametrize("seed", range(40))
def test_equals_numpy_on_random_shapes(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 20_000))
    n_out = int(rng.integers(2, n))
    w = int(rng.integers(1, n))
    x = rng.standard_normal(n) * 10.0 ** rng.uniform(-7, 4)
    _check(x, n_out, w)


def test_ties_keep_the_first_occurrence():
    x = np.round(np.random.default_rng(1).standard_normal(12_000))  # few distinct values: many ties
    _check(x, 300, 1)   # envelope |x|: ties too
    _check(x, 300, 2)
    _check(np.zeros(5_000), 100, 7)
    _check(np.full(5_000, -3.25), 100, 8)                           # a constant row: flat envelope


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_behave_as_numpy(bad):
    x = np.random.default_rng(2).standard_normal(8_000)
    x[[0, 3_000, 3_001, 7_999]] = bad
    _check(x, 200, 25)
    y = np.random.default_rng(3).standard_normal(8_000)
    y[4_321] = bad
    _check(y, 100, 1_000)


def test_two_threads_equal_one():
    rng = np.random.default_rng(4)
    rows = [np.ascontiguousarray(r) for r in rng.standard_normal((5, 30_001))]
    one = overview_kernel.decimate_rows(rows, n_out=500, window=99, n_workers=1)
    two = overview_kernel.decimate_rows(rows, n_out=500, window=99, n_workers=2)
    for a, b in zip(one, two):
        for u, v in zip(a, b):
            np.testing.assert_array_equal(u, v)
    sig_only = overview_kernel.decimate_rows(rows, n_out=500, window=None, n_workers=2)
    for (s, e, v), (s1, _, _) in zip(sig_only, one):
        assert e is None and v is None
        np.testing.assert_array_equal(s, s1)


def _same(a, b):
    assert a.names == b.names and a.n_out == b.n_out and a.scales == b.scales
    pairs = [(a.signal, b.signal)] + ([(a.overlay, b.overlay)] if a.overlay or b.overlay else [])
    for pa, pb in pairs:
        assert len(pa) == len(pb)
        for (ta, ya), (tb, yb) in zip(pa, pb):
            assert ya.dtype == yb.dtype == np.float64
            np.testing.assert_array_equal(ta, tb)
            np.testing.assert_array_equal(ya, yb)


def _both(monkeypatch, rec, names, n_out, envelope_channel):
    """decimate_stack on NumPy's path and on the kernel (checking the kernel was taken)."""
    monkeypatch.setenv("EMGVIZ_OVERVIEW", "numpy")
    slow = decimate_stack(rec, names, n_out=n_out, envelope_channel=envelope_channel)
    monkeypatch.setenv("EMGVIZ_OVERVIEW", "kernel")
    index = [rec.channel_index(n) for n in (names or rec.ch_names)]
    assert overview_stack._one_pass(rec, tuple(names or rec.ch_names), index, n_out, envelope_channel) is not None
    fast = decimate_stack(rec, names, n_out=n_out, envelope_channel=envelope_channel)
    return slow, fast


@pytest.fixture
def rec():
    rng = np.random.default_rng(7)
    n = 90_001
    data = rng.normal(0, 40e-6, (5, n)) * (1 + 3 * (np.arange(n) % 20_000 > 15_000))
    data[2, 12_345] = 2e-3
    return Recording(data, fs=2000.0, ch_names=[f"m{i}" for i in range(5)], t0=12.5)


@pytest.mark.parametrize("window_ms", [100.0, 50.25, 1.0])
def test_decimate_stack_equals_the_numpy_path(monkeypatch, rec, window_ms):
    out = preprocess(rec, Settings(rms_window_ms=window_ms))
    n_out = stack_points(5, True)
    slow, fast = _both(monkeypatch, out.filtered, None, n_out, out.envelope_channel)
    _same(slow, fast)
    assert not out.envelope_ready  # the full-rate envelope was never held
    slow, fast = _both(monkeypatch, out.filtered, ("m3", "m1"), 400, out.envelope_channel)
    _same(slow, fast)
    slow, fast = _both(monkeypatch, out.filtered, None, 400, None)  # the signal only
    _same(slow, fast)
    assert fast.overlay is None


def test_other_envelopes_and_edge_cases_keep_the_numpy_path(monkeypatch, rec):
    monkeypatch.setenv("EMGVIZ_OVERVIEW", "kernel")
    names, index = tuple(rec.ch_names), list(range(5))
    low = preprocess(rec, Settings(envelope="lowpass"))
    assert overview_stack._one_pass(low.filtered, names, index, 400, low.envelope_channel) is None
    rms = preprocess(rec, Settings())
    assert overview_stack._one_pass(rms.filtered, names, index, 400, lambda i, out=None: out) is None
    assert overview_stack._one_pass(rms.filtered, names, index, 10**6, rms.envelope_channel) is None  # n <= n_out
    short = preprocess(rec.crop(rec.t0, rec.t0 + 0.04), Settings(rms_window_ms=100))  # window >= n
    assert overview_stack._one_pass(short.filtered, names, index, 20, short.envelope_channel) is None
    rms.envelope  # held now: its rows are decimated as they are
    assert overview_stack._one_pass(rms.filtered, names, index, 400, rms.envelope_channel) is None


def test_without_numba_the_numpy_path_gives_the_same(monkeypatch, rec):
    out = preprocess(rec, Settings())
    monkeypatch.setenv("EMGVIZ_OVERVIEW", "kernel")
    fast = decimate_stack(out.filtered, n_out=600, envelope_channel=out.envelope_channel)
    monkeypatch.setattr(overview_kernel, "_kernel", False)       # as when numba cannot be imported
    monkeypatch.delenv("EMGVIZ_OVERVIEW")
    assert overview_kernel.usable(10**9) is None
    _same(decimate_stack(out.filtered, n_out=600, envelope_channel=out.envelope_channel), fast)


def test_warm_up():
    assert overview_kernel.warm_up()
    thread = overview_kernel.warm_up_async()
    thread.join(60)
    assert not thread.is_alive() and overview_kernel.warm_up_async() is thread  # once per process
    assert overview_kernel.usable(10**9) is not None


@pytest.mark.parametrize("name", ["emg_neuropathy.hea", "qualisys_ezc3d_testfile.c3d", "biosppy_emg_1.txt"])
def test_real_recordings(monkeypatch, shared_data, name):
    raw = emgviz.read_file(shared_data / name)
    out = preprocess(raw, Settings())
    f = out.filtered
    names = tuple(f.ch_names[:16])
    slow, fast = _both(monkeypatch, f, names, stack_points(len(names), True), out.envelope_channel)
    _same(slow, fast)
    w = window_samples(f.fs, out.settings.rms_window_ms)
    for i in range(min(3, f.n_channels)):
        _check(np.ascontiguousarray(f.data[i]), 1_000, w)


def test_mean_squares_one_ulp_apart_with_one_root_keep_the_earlier():
    """argmin/argmax of the roots keep the earlier of two mean squares that share a root."""
    from emgviz.plotting import _decimate_kernel as k
    y = 1.5
    while np.sqrt(np.nextafter(y, 0.0)) != np.sqrt(y):  # about 2 in 3 neighbours share a root here
        y = np.nextafter(y, 2.0)
    x = np.nextafter(y, 0.0)
    assert x < y and np.sqrt(x) == np.sqrt(y)          # the case: distinct values, one root
    e_max = np.array([1.0, x, 0.5, y, 1.5])
    assert k._first_same_root(e_max, 3, True) == int(np.argmax(np.sqrt(e_max))) == 1
    e_min = np.array([3.0, y, 2.5, x, 2.8])
    assert k._first_same_root(e_min, 3, False) == int(np.argmin(np.sqrt(e_min))) == 1
    assert k._first_same_root(np.array([np.nan, 1.0]), 0, True) == 0
    # through the kernel: values a few ulps apart, whose window mean squares share roots
    from emgviz.envelopes import _centred_mean
    rng = np.random.default_rng(5)
    seen = 0
    for w in (2, 3, 5, 2, 3, 5):
        row = np.sqrt(1.5) + np.spacing(1.5) * rng.integers(0, 6, 20_000)
        ms = _centred_mean(row, w, square=True)
        seen += np.unique(np.sqrt(ms)).size < np.unique(ms).size  # the case is there
        for n_out in (40, 400, 4000):
            _check(row, n_out, w)
    assert seen
