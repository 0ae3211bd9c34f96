"""The one-pass compiled time-domain kernel (emgviz.td_kernel, #21) equals the NumPy path.

Every feature within 1e-9 relative (in practice ~1e-15) on random, analytic and real signals; the
counts exactly; constant, all-zero, NaN-containing, infinite and very short rows as the NumPy path.
"""

import numpy as np
import pandas as pd
import pytest

from emgviz import features as F
from emgviz import td_kernel
from emgviz.recording import Recording

numba = pytest.importorskip("numba", reason="numba is not installed: the NumPy path is the only one")

SUMS = ("Σx²", "Σ|x|", "max|x|", "Σ|Δx|", "ΣΔx²")


@pytest.fixture(scope="module")
def kern():
    k = td_kernel.kernel()
    assert k is not None, td_kernel.failure
    return k


def _same(got, ref, rtol=1e-12):
    """Sums within rtol (NaN where the reference has NaN), counts exactly."""
    for name, g, r in zip(SUMS, got[:5], ref[:5]):
        np.testing.assert_allclose(g, r, rtol=rtol, atol=0, equal_nan=True, err_msg=name)
    assert (int(got[5]), int(got[6])) == (int(ref[5]), int(ref[6])), "ZC, SSC"


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 1023, 1024, 1025, 1026, 1027, 2049, 2 ** 15 - 1, 2 ** 15,
                               2 ** 15 + 1, 2 ** 15 + 2, 100_003])
def test_kernel_equals_the_numpy_path_on_random_rows(kern, n):
    rng = np.random.default_rng(n)
    x = rng.normal(size=n) * 3e-4 + 1e-5
    x[::7] = 0.0                                   # exact zeros: neither a crossing nor an extremum
    x[5::11] = x[4::11][: x[5::11].size]           # repeats: a flat step is no extremum
    _same(kern(x), F._time_domain_numpy(x))
    _same(F._time_domain(x, kern), F._time_domain_numpy(x))


def test_kernel_of_a_long_row_within_1e_9_of_numpy_and_of_the_definitions(kern):
    x = np.random.default_rng(3).standard_normal(2_000_003) * 5e-5 + 2e-5 * np.sin(np.arange(2_000_003) * 1e-4)
    got = kern(x)
    _same(got, F._time_domain_numpy(x), rtol=1e-12)
    d = np.diff(x)
    np.testing.assert_allclose(got[:5], [np.sum(x * x), np.sum(np.abs(x)), np.abs(x).max(), np.sum(np.abs(d)),
                                         np.sum(d * d)], rtol=1e-12)
    assert got[5] == F.zero_crossings(x) and got[6] == F.slope_sign_changes(x)


def test_sine_of_amplitude_a_has_the_analytic_features(kern):
    fs, f, seconds, amp = 2000.0, 37.0, 60.0, 2.5e-3
    t = np.arange(int(fs * seconds)) / fs
    x = amp * np.sin(2 * np.pi * f * t + 0.3)     # no sample exactly at zero
    ss, sa, pk, wl, dd, zc, ssc = kern(x)
    n = x.size
    assert np.sqrt(ss / n) == pytest.approx(amp / np.sqrt(2), rel=1e-6)
    assert sa / n == pytest.approx(2 * amp / np.pi, rel=1e-4)
    assert zc == 2 * f * seconds
    assert ssc == 2 * f * seconds                  # one maximum and one minimum per period
    assert pk == pytest.approx(amp, rel=1e-4)
    # 4 A per period, less the peaks falling between samples (≤ 1 − cos(π f/fs) ≈ 1.7e-3)
    assert wl == pytest.approx(4 * amp * f * seconds, rel=2e-3)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("row", [np.zeros(5000), np.full(5000, 3.2e-4), np.full(5000, -1.0), np.zeros(1),
                                 np.array([-2.0]), np.array([1.0, -1.0]), np.array([0.0, 0.0, 0.0]),
                                 np.array([1e-200, -1e-200, 1e-200]),     # products underflow to −0: no crossing
                                 np.array([1e200, -1e200, 1e200, 5.0]),   # products overflow to −inf: crossings
                                 np.array([1.0, np.inf, -np.inf, 2.0, np.inf, np.inf])])
def test_constant_zero_short_and_extreme_rows_as_the_numpy_path(kern, row):
    ref = F._time_domain_numpy(row)
    got = F._time_domain(row, kern)
    _same(got, ref, rtol=1e-13)                    # sums to rounding (summation order)
    assert got[2] == ref[2] and got[5:] == ref[5:]  # peak and counts exactly
    if row.size <= 3 or not row.any():
        np.testing.assert_equal(got, ref)           # too short to sum in another order; zeros are zeros


@pytest.mark.parametrize("where", [[0], [3], [40_000], [5, 70_000], list(range(2 ** 15, 2 ** 15 + 40))])
def test_nan_rows_give_exactly_the_numpy_paths_numbers(kern, where):
    x = np.random.default_rng(7).normal(size=100_000)
    x[3] = 50.0                                    # the peak, in the first block
    x[where] = np.nan
    ref = F._time_domain_numpy(x)
    got = F._time_domain(x, kern)
    assert np.isnan(got[0]) and np.isnan(ref[0])
    np.testing.assert_equal(got, ref)              # the NumPy path itself: peak skips blocks holding a NaN


def _two_tables(rec, monkeypatch, **kw):
    monkeypatch.setenv("EMGVIZ_TD", "numpy")
    old = F.feature_table(rec, **kw)
    monkeypatch.setenv("EMGVIZ_TD", "numba")
    new = F.feature_table(rec, **kw)
    return old, new


def _tables_agree(old, new):
    assert list(old.columns) == list(new.columns)
    assert (old["channel"] == new["channel"]).all()
    for c in old.columns[1:]:
        if c in ("ZC (count)", "SSC (count)"):
            assert old[c].dtype == new[c].dtype == np.int64
            pd.testing.assert_series_equal(old[c], new[c])
        else:
            np.testing.assert_allclose(new[c].to_numpy(), old[c].to_numpy(), rtol=1e-9, atol=0, err_msg=c)


@pytest.mark.parametrize("threads", ["1", "2"])
def test_feature_table_with_the_kernel_equals_the_numpy_path(kern, monkeypatch, threads):
    monkeypatch.setenv("EMGVIZ_THREADS", threads)
    rng = np.random.default_rng(21)
    n = 2 * 2 ** 15 + 777
    data = rng.standard_normal((4, n)) * 4e-5
    data[1] += 3e-4
    data[2] = 0.0
    data[3, ::3] = 0.0
    rec = Recording(data, fs=2000.0, ch_names=["a", "b", "c", "d"])
    old, new = _two_tables(rec, monkeypatch)
    _tables_agree(old, new)


def test_feature_table_of_a_real_recording_equals_the_numpy_path(kern, monkeypatch, shared_data):
    from emgviz.io import wfdbio
    from emgviz.pipeline import preprocess
    from emgviz.settings import Settings
    for stem in ("emg_healthy", "emg_myopathy", "emg_neuropathy"):
        rec = wfdbio.read_record((shared_data / f"{stem}.hea").read_bytes(), f"{stem}.hea",
                                 {f"{stem}.dat": (shared_data / f"{stem}.dat").read_bytes()})
        for r in (rec, preprocess(rec, Settings()).filtered):
            old, new = _two_tables(r, monkeypatch)
            _tables_agree(old, new)
            assert new["ZC (count)"].iloc[0] > 100


def test_numpy_path_without_numba_and_on_request(monkeypatch):
    monkeypatch.setenv("EMGVIZ_TD", "numpy")
    assert td_kernel.usable(10 ** 9) is None
    monkeypatch.setenv("EMGVIZ_TD", "")
    monkeypatch.setattr(td_kernel, "_kernel", False)   # as when numba failed to import
    monkeypatch.setattr(td_kernel, "_ready", False)
    assert td_kernel.kernel() is None and not td_kernel.available()
    assert td_kernel.usable(10 ** 9) is None
    rec = Recording(np.sin(np.arange(4000) * 0.3), fs=1000.0, ch_names=["x"])
    assert F.feature_table(rec)["ZC (count)"].iloc[0] == F.zero_crossings(rec.data[0])


def test_auto_mode_loads_numba_only_for_large_work(monkeypatch):
    monkeypatch.setenv("EMGVIZ_TD", "")
    monkeypatch.setattr(td_kernel, "_kernel", None)
    monkeypatch.setattr(td_kernel, "_ready", False)
    monkeypatch.setattr(td_kernel, "_warming", None)
    monkeypatch.setattr(td_kernel, "kernel", lambda: pytest.fail("numba loaded for a small row"))
    assert td_kernel.usable(1000) is None
    assert td_kernel.usable(td_kernel.LOAD_MIN_VALUES - 1) is None


def test_warm_up(kern):
    assert td_kernel.warm_up() is True
    assert td_kernel.available()


def test_warm_up_async_loads_the_kernel_and_numpy_is_used_meanwhile(kern, monkeypatch):
    import threading
    monkeypatch.setenv("EMGVIZ_TD", "")
    release = threading.Event()
    monkeypatch.setattr(td_kernel, "_ready", False)
    monkeypatch.setattr(td_kernel, "_warming", None)
    real = td_kernel.warm_up
    monkeypatch.setattr(td_kernel, "warm_up", lambda: (release.wait(10), real())[1])
    thread = td_kernel.warm_up_async()
    assert td_kernel.warm_up_async() is thread                  # once per process
    assert td_kernel.usable(10 ** 9) is None                     # still loading: NumPy's path, no wait
    release.set()
    thread.join(30)
    assert td_kernel._ready and td_kernel.usable(10) is kern     # loaded: every size


def test_warm_up_compiles_the_variants_a_feature_table_uses(monkeypatch):
    """A Recording's rows are read-only arrays, a numba type of their own: warm_up compiles (or loads) that
    variant too, so the first feature table after an install does not stop to compile (2.3 s measured)."""
    monkeypatch.setenv("EMGVIZ_TD", "numba")
    assert td_kernel.warm_up()
    kernel, (frames, _power) = td_kernel.kernel(), td_kernel.welch_kernels()
    before = (len(kernel.signatures), len(frames.signatures))
    rng = np.random.default_rng(3)
    rec = Recording(rng.standard_normal((2, 20_000)), fs=2000.0, ch_names=["a", "b"])
    assert not rec.data[0].flags.writeable
    F.feature_table(rec)
    assert (len(kernel.signatures), len(frames.signatures)) == before, (kernel.signatures, frames.signatures)
