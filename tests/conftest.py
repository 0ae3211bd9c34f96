"""Shared fixtures: paths to data, Streamlit cache hygiene."""

import logging
import os
from pathlib import Path

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


# Lab Streaming Layer stays on this machine in every test and in every process a test starts (#17):
# LSLAPICFG points at emgviz's loopback-only configuration before anything loads liblsl.
from emgviz.live.lslconfig import configure_lsl as _configure_lsl  # noqa: E402

_configure_lsl()
