"""Helpers for AppTest: read Plotly specs, decode binary arrays, fetch download bytes."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import streamlit.testing.v1.app_test as app_test_mod
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app.py"


def new_app(script: str | Path | None = None, timeout: float = 60) -> AppTest:
    """An AppTest of ``script`` (default: the real app.py), not yet run."""
    return AppTest.from_file(str(script or APP), default_timeout=timeout)


def plotly_spec(at, key):
    """The Plotly figure dict of the chart with widget key ``key``."""
    return json.loads(at.get_by_key(key).proto.spec)


def all_plotly_specs(at):
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def trace_array(v):
    """Decode a Plotly trace array (plotly >= 6 stores numpy arrays as base64 'bdata')."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        return a.reshape(v["shape"]) if "shape" in v else a
    return np.asarray(v)


def assert_no_exception(at):
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def media(monkeypatch):
    """Capture AppTest's media store so download/audio bytes can be read: media(url) -> file."""
    stores = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            stores.append(self)

    monkeypatch.setattr(app_test_mod, "MemoryMediaFileStorage", Recording)
    return lambda url: stores[-1].get_file(url.rsplit("/", 1)[-1])


@pytest.fixture
def deferred(monkeypatch, media):
    """Build a deferred download (``data=callable``) as a click would: deferred(button) -> file.

    Request it before the fixture that runs the app, so the app's media manager is captured.
    """
    managers = []

    class Recording(MediaFileManager):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            managers.append(self)

    monkeypatch.setattr(app_test_mod, "MediaFileManager", Recording)

    def fetch(button):
        file_id = button.proto.deferred_file_id
        assert file_id, f"{button.proto.label!r} is not a deferred download"
        return media(managers[-1].execute_deferred(file_id))

    return fetch

