"""The compiled Welch steps (emgviz._welch_numba via td_kernel.welch_kernels, #21) give NumPy's PSD.

Segments prepared in one read (mean removed, Hann window) and squared magnitudes summed in one pass
around NumPy's FFT: equal to the NumPy steps within 1e-12 relative and to scipy.signal.welch within
1e-9, for any overlap, odd segment lengths, a large DC offset, NaN and ±inf; EMGVIZ_TD=numpy and a
missing numba keep NumPy's steps.
"""

import numpy as np
import pytest
from scipy import signal

from emgviz import spectral, td_kernel

pytest.importorskip("numba", reason="numba is not installed: the NumPy path is the only one")


@pytest.fixture(scope="module")
def kernels():
    k = td_kernel.welch_kernels()
    assert k is not None, td_kernel.failure
    return k


def _both(x, fs, nperseg, hop, kernels):
    n_seg = (x.size - nperseg) // hop + 1
    return (spectral._welch_sum(x, fs, nperseg, hop, n_seg, None),
            spectral._welch_sum(x, fs, nperseg, hop, n_seg, kernels))


@pytest.mark.parametrize("nperseg,hop", [(500, 250), (499, 250), (512, 128), (257, 257), (100, 70), (7, 3)])
def test_kernel_steps_equal_numpy_steps(kernels, nperseg, hop):
    rng = np.random.default_rng(nperseg + hop)
    x = rng.standard_normal(300_001) * 3e-5 + 2e-3 * np.sin(np.arange(300_001) * 1e-4)
    old, new = _both(x, 2000.0, nperseg, hop, kernels)
    np.testing.assert_allclose(new, old, rtol=1e-12, atol=0)


def test_large_dc_offset_is_removed_per_segment(kernels):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(200_000) * 1e-6 + 1.0        # 1 V offset on 1 µV of noise
    old, new = _both(x, 2000.0, 500, 250, kernels)
    np.testing.assert_allclose(new, old, rtol=1e-9, atol=1e-9 * old.max())
    assert new[0] < 1e-12                                # the 1 V offset is gone (it would put ~0.1 V²/Hz there)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_give_nan_like_numpy(kernels, bad):
    x = np.random.default_rng(4).standard_normal(100_000)
    x[55_555] = bad
    old, new = _both(x, 2000.0, 500, 250, kernels)
    assert np.isnan(old).all() and np.isnan(new).all()


def test_welch_psd_with_the_kernels_equals_scipy(monkeypatch):
    monkeypatch.setenv("EMGVIZ_TD", "numba")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 400_000)) * 5e-5
    x[1] += 4e-4
    f, p = spectral.welch_psd(x, 2000.0, segment_s=0.25)
    f0, p0 = signal.welch(x, fs=2000.0, window="hann", nperseg=500, noverlap=250, detrend="constant",
                          scaling="density")
    np.testing.assert_array_equal(f, f0)
    np.testing.assert_allclose(p, p0, rtol=1e-9, atol=0)


def test_the_kernels_are_used_for_long_rows_and_never_when_switched_off(monkeypatch, kernels):
    calls = []
    frames, power = kernels
    monkeypatch.setattr(td_kernel, "_welch", (lambda *a: (calls.append(1), frames(*a))[1], power))
    x = np.random.default_rng(6).standard_normal(200_000)
    monkeypatch.setenv("EMGVIZ_TD", "numba")
    spectral.welch_psd(x, 2000.0)
    assert calls                                         # the compiled steps prepared the batches
    calls.clear()
    monkeypatch.setenv("EMGVIZ_TD", "numpy")
    spectral.welch_psd(x, 2000.0)
    assert not calls                                     # NumPy's steps on request
    monkeypatch.setenv("EMGVIZ_TD", "")
    monkeypatch.setattr(td_kernel, "_welch", False)      # as when numba failed to import
    monkeypatch.setattr(td_kernel, "_kernel", False)
    monkeypatch.setattr(td_kernel, "_ready", False)
    f, p = spectral.welch_psd(x, 2000.0)
    assert not calls and np.isfinite(p).all()


def test_a_strided_row_takes_numpys_steps(kernels, monkeypatch):
    # a non-contiguous row would compile another specialisation on the request path: NumPy's steps instead
    monkeypatch.setattr(td_kernel, "_welch", (lambda *a: pytest.fail("kernel on a strided row"), kernels[1]))
    monkeypatch.setenv("EMGVIZ_TD", "numba")
    x = np.random.default_rng(7).standard_normal((2, 300_000))
    f, p = spectral.welch_psd(x[:, ::2], 2000.0)
    f0, p0 = signal.welch(x[:, ::2], fs=2000.0, nperseg=500, noverlap=250)
    np.testing.assert_allclose(p, p0, rtol=1e-9, atol=0)
