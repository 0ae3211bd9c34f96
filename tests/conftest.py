"""Shared fixtures: paths to data, Streamlit cache hygiene."""

import logging
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "sample_data"
SHARED_DATA = Path(os.environ.get("EMGVIZ_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture
def shared_data() -> Path:
    """The folder of shared EMG files (GPL ones stay out of the repo); skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent (set EMGVIZ_SHARED_DATA)")
    return SHARED_DATA


def _sine(f_hz, fs, seconds, *, amp=1.0, phase=0.0, offset=0.0) -> np.ndarray:
    t = np.arange(int(round(seconds * fs))) / fs
    return offset + amp * np.sin(2 * np.pi * f_hz * t + phase)


@pytest.fixture
def sine():
    """``sine(f_hz, fs, seconds, *, amp=1.0, phase=0.0, offset=0.0)``: ``offset + amp·sin(2π f t + phase)``, t = n/fs.

    The one sine maker of the test suite (phase in rad; pick a phase so that no sample
    sits exactly on a zero crossing when a test counts crossings).
    """
    return _sine


def _emg_rec(names=("biceps", "triceps"), fs=1000.0, duration_s=6.0, seed=0, t0=0.0):
    from emgviz.recording import Recording
    rng = np.random.default_rng(seed)
    n = int(fs * duration_s)
    x = rng.normal(size=(len(names), n))
    x[:, n // 3:2 * n // 3] *= 6.0
    return Recording(x, fs=fs, ch_names=list(names), t0=t0)


@pytest.fixture
def emg_rec():
    """``emg_rec(names=("biceps", "triceps"), fs=1000.0, duration_s=6.0, seed=0, t0=0.0)``: white noise
    with a burst six times louder over the middle third, as a Recording."""
    return _emg_rec


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """st.cache_data / cache_resource are process-global: start every test clean."""
    try:
        import streamlit as st
    except ImportError:
        yield
        return
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).setLevel(logging.ERROR)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture
def shared_real(shared_data) -> Path:
    """The second batch of real exports (``<shared data>/real``, with SOURCES.md); skip when absent."""
    real = shared_data / "real"
    if not real.is_dir():
        pytest.skip(f"real-export folder {real} is absent (set EMGVIZ_SHARED_DATA)")
    return real


# Lab Streaming Layer stays on this machine in every test and in every process a test starts (#17):
# LSLAPICFG points at emgviz's loopback-only configuration before anything loads liblsl.
from emgviz.live.lslconfig import configure_lsl as _configure_lsl  # noqa: E402

_configure_lsl()
