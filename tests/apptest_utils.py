"""Helpers for AppTest: one view host (context factory), Plotly specs, binary arrays, download bytes."""

import base64
import hashlib
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


# ---- one host for every view: the view module rendered on a named recording ----------------------
UCI_SAMPLE = APP.parent / "sample_data" / "uci_gestures_1_raw_data_11-08_21.03.16.txt"
#: The Summary host's settings and file name (the name needs escaping in HTML).
SUMMARY_SETTINGS_KW = {"notch_hz": 50}
SUMMARY_NAME = "synthetic <b>arm</b>.csv"


def summary_recording():
    """6 s at 1 kHz: bursts 1–2, 3–4, 5–6 s; the third muscle is weaker; names need escaping."""
    from emgviz.recording import Recording

    rng = np.random.default_rng(7)
    fs, n = 1000.0, 6000
    t = np.arange(n) / fs
    gate = ((t % 2) >= 1.0).astype(float)
    gains = np.array([[1.0], [2.0], [0.5]])
    data = rng.normal(size=(3, n)) * (5e-6 + 100e-6 * gate) * gains
    return Recording(data, fs=fs, ch_names=["biceps", "triceps", "<script>x</script>"], source=SUMMARY_NAME)


def _browse_synthetic():
    from emgviz.recording import Recording

    rng = np.random.default_rng(7)
    fs, n = 2000.0, 2000 * 30
    data = rng.normal(0, 20e-6, (3, n))
    data[1, 20_000:30_000] *= 8
    return Recording(data, fs=fs, ch_names=["biceps", "triceps", "deltoid"], unit="V", t0=5.0,
                     events=[(8.0, "go"), (20.0, 1.5, "lift")], source="synthetic")


def view_context(source: str):
    """The ViewContext a view host renders, by name of the recording.

    ``"uci"``: the bundled UCI sample as read without options (default settings);
    ``"uci-doubled"``: that sample in V at twice its amplitude (the Compare host);
    ``"browse-synthetic"``: 30 s, 3 channels, events, t0 = 5 s;
    ``"summary"``: :func:`summary_recording` with a 50 Hz notch;
    ``"needle-myopathy"``: the bundled needle sample ``emgdb-myopathy`` (1 ch, 4 kHz, V); likewise
    ``"needle-healthy"`` and ``"needle-neuropathy"``; ``"needle-unnamed"``: the healthy record as channel
    ``ch1`` with no muscle or age in its header.
    """
    from emgviz.io import read_file
    from emgviz.pipeline import preprocess
    from emgviz.settings import Settings
    from emgviz.views.context import ViewContext

    settings = Settings()
    if source == "uci":
        rec, digest = read_file(UCI_SAMPLE), hashlib.sha256(UCI_SAMPLE.read_bytes()).hexdigest()
        name, description, key = rec.source or source, repr(rec), digest[:12]
    elif source == "uci-doubled":
        rec = read_file(UCI_SAMPLE, unit="V")
        rec = rec.with_data(rec.data * 2.0, source="doubled")
        digest = hashlib.sha256(b"uci-doubled").hexdigest()
        name, description, key = "uci doubled", "test host", digest[:12]
    elif source == "browse-synthetic":
        rec = _browse_synthetic()
        digest = hashlib.sha256(rec.data.tobytes()).hexdigest()
        name, description, key = rec.source, repr(rec), digest[:12]
    elif source == "summary":
        rec, settings = summary_recording(), Settings(**SUMMARY_SETTINGS_KW)
        digest = hashlib.sha256(rec.data.tobytes()).hexdigest()
        name, description, key = SUMMARY_NAME, "synthetic, 3 EMG channels at 1000 Hz", digest[:12] + "-3ch"
    elif source in ("needle-healthy", "needle-myopathy", "needle-neuropathy"):
        from emgviz.samples import sample_path

        path = sample_path("emgdb-" + source.split("-", 1)[1])
        rec, digest = read_file(path), hashlib.sha256(path.read_bytes()).hexdigest()
        name, description, key = rec.source or source, repr(rec), digest[:12]
    elif source == "needle-unnamed":  # the healthy needle record, channel "ch1", header says the electrode only
        from emgviz.recording import Recording
        from emgviz.samples import sample_path

        path = sample_path("emgdb-healthy")
        src = read_file(path)
        rec = Recording(np.asarray(src.data), fs=src.fs, ch_names=["ch1"], ch_units=list(src.ch_units),
                        meta={"electrode": "concentric needle"}, source="unnamed needle")
        digest = hashlib.sha256(b"needle-unnamed").hexdigest()
        name, description, key = "unnamed needle", "test host", digest[:12]
    else:
        raise ValueError(f"unknown view host source {source!r}")
    processed = preprocess(rec, settings)
    return ViewContext(rec=rec, full=rec, processed=processed, settings=processed.settings, name=name,
                       digest=digest, description=description, key=key)


def _view_script(view: str, source):
    """The AppTest page: ``emgviz.views.<view>.render(ctx)`` (``render()`` when ``source`` is None)."""
    import importlib

    import streamlit as st

    from apptest_utils import view_context

    module = importlib.import_module(f"emgviz.views.{view}")
    if source is None:
        module.render()
    else:
        module.render(st.cache_resource(view_context)(source))


def view_app(view: str, source: str | None = None, timeout: float = 60) -> AppTest:
    """An AppTest (not yet run) of one view on :func:`view_context` ``(source)``, without app.py."""
    return AppTest.from_function(_view_script, default_timeout=timeout, args=(view, source))


def plotly_component(at, key):
    """The payload of the mounted Plotly component (views/plotly_component.py) with key ``key``, or None:
    ``{"figure", "config", "select", "uirevision", "src"}``."""
    found = [e for e in at.get("bidi_component") if getattr(e, "key", None) == key]
    if not found:
        return None
    proto = found[0].proto
    return json.loads(proto.bytes if proto.WhichOneof("data") == "bytes" else proto.json)


def overview_table(at):
    """The Overview's per-muscle table as shown (views/table_component.py, or st.dataframe in its fallback)."""
    from emgviz.views.table_component import shown_table

    return shown_table(at, "overview_table")


def plotly_spec(at, key):
    """The Plotly figure dict of the chart with key ``key`` (the mounted component's or ``st.plotly_chart``'s)."""
    payload = plotly_component(at, key)
    if payload is not None:
        return payload["figure"]
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

