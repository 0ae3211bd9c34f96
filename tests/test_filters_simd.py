"""The SIMD-lane zero-phase filter (emgviz.iir_simd, numba) gives SciPy's numbers, and emgviz falls back
to SciPy's path without numba."""

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import signal

from emgviz import iir_simd
from emgviz._iir_lanes_gen import module_source
from emgviz.envelopes import linear_envelope
from emgviz.features import feature_table
from emgviz.filters import design_bandpass, design_notch, filtfilt, pad_length
from emgviz.pipeline import preprocess
from emgviz.recording import Recording
from emgviz.settings import Settings

FS = 2000.0
ROOT = Path(__file__).resolve().parents[1]
BANDPASS = design_bandpass(FS, 20, 450)
CASCADE = np.vstack([BANDPASS, design_notch(FS, 50, harmonics=3)])  # 7 sections: two pairs and a single

needs_numba = pytest.mark.skipif(not iir_simd.available(), reason=f"numba kernel unavailable: {iir_simd.failure}")


@pytest.fixture
def lanes(monkeypatch):
    """Filtering through the SIMD lanes whatever the size."""
    monkeypatch.setenv("EMGVIZ_IIR", "lanes")


def scipy_route(monkeypatch, fn):
    monkeypatch.setenv("EMGVIZ_IIR", "scipy")
    try:
        return fn()
    finally:
        monkeypatch.setenv("EMGVIZ_IIR", "lanes")


def rel_error(y, ref):
    return np.abs(y - ref).max() / np.sqrt(np.mean(ref ** 2))


def noise(m, n, seed=0):
    return np.random.default_rng(seed).standard_normal((m, n))


@needs_numba
@pytest.mark.parametrize("m", [1, 2, 5, 16, 17])
@pytest.mark.parametrize("sos", [BANDPASS, CASCADE], ids=["bandpass", "bandpass+3 notches"])
def test_agrees_with_sosfiltfilt_for_ragged_channel_groups(lanes, m, sos):
    x = noise(m, 5000, seed=m)
    ref = signal.sosfiltfilt(sos, x, axis=-1)
    y = filtfilt(sos, x)
    assert y.shape == x.shape and y.flags.c_contiguous
    assert rel_error(y, ref) <= 1e-12


@needs_numba
@pytest.mark.parametrize("n", [iir_simd.BLOCK - 1, iir_simd.BLOCK, iir_simd.BLOCK + 1, 3 * iir_simd.BLOCK + 17])
@pytest.mark.parametrize("padtype", ["odd", "even"])
def test_ragged_time_blocks_and_a_pad_longer_than_a_block(lanes, n, padtype):
    x = noise(9, n, seed=n)
    for padlen in (None, min(n - 1, iir_simd.BLOCK + 300)):
        ref = signal.sosfiltfilt(BANDPASS, x, axis=-1, padtype=padtype, padlen=padlen)
        assert rel_error(filtfilt(BANDPASS, x, padtype=padtype, padlen=padlen), ref) <= 1e-12


@needs_numba
@pytest.mark.parametrize("n", [1, 2, 5, pad_length(CASCADE), pad_length(CASCADE) + 1])
def test_short_signals_follow_the_short_pad_rule_like_scipys_route(lanes, monkeypatch, n):
    x = noise(6, n, seed=3) + 2.0
    y = filtfilt(CASCADE, x)
    ref = scipy_route(monkeypatch, lambda: filtfilt(CASCADE, x))
    np.testing.assert_allclose(y, ref, rtol=0, atol=1e-12 * max(1.0, np.abs(ref).max()))
    if n > pad_length(CASCADE):  # long enough for scipy's own default pad
        assert rel_error(y, signal.sosfiltfilt(CASCADE, x, axis=-1)) <= 1e-12


@needs_numba
def test_leading_dimensions_and_dc_subtraction_as_the_pipeline_uses_them(lanes, monkeypatch):
    from emgviz.filters import _filtfilt
    x = noise(12, 3000, seed=7).reshape(3, 4, 3000) + 5.0
    mean = x.mean(axis=-1, keepdims=True)
    y = _filtfilt(CASCADE, x, subtract=mean)
    ref = signal.sosfiltfilt(CASCADE, x - mean, axis=-1)
    assert y.shape == x.shape and rel_error(y, ref) <= 1e-12
    out = x.copy()  # writing over the input itself
    _filtfilt(CASCADE, out, subtract=mean, out=out)
    np.testing.assert_array_equal(out, y)


@needs_numba
def test_a_100_hz_sine_keeps_its_rms_times_the_filter_gain(lanes):
    amp = 3.0e-4
    t = np.arange(int(10 * FS)) / FS
    x = amp * np.sin(2 * np.pi * 100 * t + np.arange(16)[:, None] * 0.4)
    y = filtfilt(BANDPASS, x)[:, int(2 * FS):-int(2 * FS)]
    _, h = signal.sosfreqz(BANDPASS, worN=[100.0], fs=FS)
    expected = amp / np.sqrt(2) * np.abs(h[0]) ** 2  # forward-backward: |H|²
    np.testing.assert_allclose(np.sqrt(np.mean(y ** 2, axis=-1)), expected, rtol=1e-3)
    assert abs(np.abs(h[0]) ** 2 - 1) < 0.01  # and 100 Hz is in the pass band


@needs_numba
@pytest.mark.parametrize("m", [1, 8, 11])
def test_envelope_low_pass_agrees_with_sosfiltfilt_of_the_rectified_signal(lanes, m):
    x = noise(m, 20_000, seed=11)
    lp = signal.butter(2, 6.0, fs=FS, output="sos")
    ref = signal.sosfiltfilt(lp, np.abs(x), axis=-1, padtype="even", padlen=1000)
    env = linear_envelope(x, FS, cutoff_hz=6.0)
    assert rel_error(env, ref) <= 1e-12
    out = np.empty_like(x)
    assert linear_envelope(x, FS, cutoff_hz=6.0, out=out) is out
    np.testing.assert_array_equal(out, env)


@needs_numba
def test_nan_stays_in_its_channel_as_on_scipys_route(lanes, monkeypatch):
    x = noise(10, 4000, seed=5)
    x[3, 1500] = np.nan
    y = filtfilt(BANDPASS, x)
    ref = scipy_route(monkeypatch, lambda: filtfilt(BANDPASS, x))
    np.testing.assert_array_equal(np.isnan(y), np.isnan(ref))
    assert np.isnan(y[3]).all()
    others = np.delete(np.arange(10), 3)
    assert np.isfinite(y[others]).all()  # lanes do not leak into each other
    np.testing.assert_array_equal(y[others], ref[others])


@needs_numba
def test_float32_input_is_filtered_as_its_float64_values(lanes):
    x = noise(8, 3000, seed=2).astype(np.float32)
    y = filtfilt(BANDPASS, x)
    assert y.dtype == np.float64
    assert rel_error(y, signal.sosfiltfilt(BANDPASS, x.astype(np.float64), axis=-1)) <= 1e-12


@needs_numba
@pytest.mark.parametrize("threads", ["1", "2"])
def test_preprocess_and_feature_table_equal_the_scipy_route(monkeypatch, threads):
    monkeypatch.setenv("EMGVIZ_THREADS", threads)
    rng = np.random.default_rng(21)
    rec = Recording(rng.standard_normal((9, 40_000)) * 1e-4 + 2e-3, fs=FS, ch_names=[f"m{i}" for i in range(9)])
    settings = Settings(notch_hz=50, notch_harmonics=1, envelope="lowpass", lowpass_hz=6.0)
    runs = {}
    for route in ("scipy", "lanes"):
        monkeypatch.setenv("EMGVIZ_IIR", route)
        p = preprocess(rec, settings)
        runs[route] = (p.filtered.data, p.envelope.data, feature_table(p.filtered))
    (f0, e0, t0), (f1, e1, t1) = runs["scipy"], runs["lanes"]
    assert rel_error(f1, f0) <= 1e-12 and rel_error(e1, e0) <= 1e-12
    numeric = t0.select_dtypes("number").columns
    np.testing.assert_allclose(t1[numeric].to_numpy(float), t0[numeric].to_numpy(float), rtol=1e-9, atol=0)


def test_without_numba_filtering_takes_scipys_route_with_the_same_result(tmp_path):
    """numba made unimportable in a fresh process: the kernel says why, and filtering still works."""
    script = (
        "import sys; sys.modules['numba'] = None\n"
        "import os, numpy as np; os.environ['EMGVIZ_IIR'] = 'lanes'\n"
        "from scipy import signal\n"
        "from emgviz import iir_simd; from emgviz.filters import filtfilt, design_bandpass\n"
        "sos = design_bandpass(2000.0, 20, 450); x = np.random.default_rng(0).standard_normal((16, 3000))\n"
        "y = filtfilt(sos, x); ref = signal.sosfiltfilt(sos, x, axis=-1)\n"
        "print(iir_simd.kernel() is None, iir_simd.failure, np.abs(y - ref).max() / ref.std())\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    is_none, *why, err = out.stdout.split()
    assert is_none == "True" and "numba" in " ".join(why)
    assert float(err) <= 1e-12


def test_a_failed_kernel_falls_back_in_process(monkeypatch):
    monkeypatch.setattr(iir_simd, "_kernel", False)  # as after an import or compile failure
    monkeypatch.setenv("EMGVIZ_IIR", "lanes")
    x = noise(16, 3000)
    assert iir_simd.usable(16, x.size) is None
    assert rel_error(filtfilt(BANDPASS, x), signal.sosfiltfilt(BANDPASS, x, axis=-1)) <= 1e-12


def test_small_work_does_not_load_numba_in_auto_mode(monkeypatch):
    monkeypatch.delenv("EMGVIZ_IIR", raising=False)
    monkeypatch.setattr(iir_simd, "_kernel", None)  # not loaded yet in this process
    monkeypatch.setattr(iir_simd, "kernel", lambda: pytest.fail("numba loaded for a small signal"))
    assert iir_simd.usable(8, 8 * 1000) is None
    assert iir_simd.usable(1, 10 ** 8) is None  # one row: SciPy's loop


def test_the_generated_lane_module_is_up_to_date():
    assert (ROOT / "emgviz" / "_iir_lanes.py").read_text() == module_source()


@needs_numba
@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="checks x86 vector instructions")
def test_the_lane_loop_compiles_to_packed_vector_arithmetic():
    import numba
    from emgviz import _iir_lanes
    with iir_simd._slp_vectorised():  # a fresh compile: numba keeps no assembly for cached code
        fresh = numba.njit(_iir_lanes._SIG, cache=False, nogil=True)(_iir_lanes.sec2_w8.py_func)
    asm = "".join(fresh.inspect_asm().values())
    assert asm.count("vmulpd") + asm.count("mulpd") >= 20  # 2 sections × 5 products × 8 lanes / ≤ 4 per op
    assert "vmulsd" not in asm and "vfmadd" not in asm  # no scalar fallback, no fused multiply-add


@needs_numba
def test_warm_up_async_starts_one_thread_and_leaves_the_kernel_loaded(monkeypatch):
    monkeypatch.delenv("EMGVIZ_IIR", raising=False)
    monkeypatch.setattr(iir_simd, "_warming", None)
    thread = iir_simd.warm_up_async()
    assert iir_simd.warm_up_async() is thread  # once per process
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert iir_simd.usable(2, 1000) is iir_simd.kernel() is not None  # loaded: used even for small work


@needs_numba
def test_big_endian_and_strided_rows_are_filtered_too(lanes):
    from emgviz.filters import _filtfilt
    x = noise(6, 4000, seed=9)
    big = x.astype(">f8")
    strided = np.asfortranarray(x)  # rows not contiguous
    ref = signal.sosfiltfilt(BANDPASS, x, axis=-1)
    for arr in (big, strided, x[:, ::-1][:, ::-1]):
        assert rel_error(_filtfilt(BANDPASS, arr), ref) <= 1e-12
