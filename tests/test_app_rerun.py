"""A rerun with nothing changed does no work: the real app.py counted call by call (AppTest).

Every function that reads, hashes, processes or draws the recording is wrapped with a counter;
a rerun with nothing changed must call none of them, a filter change only the processing and
the figures, and switching the filter back none again (everything is cached by content).
No timings: the counts say whether the work was skipped.
"""

from collections import Counter

import numpy as np
import pytest

from apptest_utils import assert_no_exception, media, new_app, overview_table  # noqa: F401  (media is a fixture)

#: (module, attribute) of every function whose calls are counted.
WATCHED = {
    "read": ("emgviz.views.cache", "read_files"),
    "hash": ("emgviz.views.sidebar", "_digest"),
    "process": ("emgviz.views.cache", "preprocess"),
    "features": ("emgviz.features", "feature_table"),
    "overview figure": ("emgviz.views.overview", "decimated_stack_figure"),
    "overview decimation": ("emgviz.views.overview", "decimate_stack"),
    "bar figure": ("emgviz.views.overview", "feature_bars_spec"),
    "table": ("emgviz.views.overview", "display_table"),
    "display unit": ("emgviz.units", "recording_display_unit"),
    "flat channels": ("emgviz.views.sidebar", "flat_channels"),
    "pick": ("emgviz.recording.Recording", "pick"),
}


@pytest.fixture
def calls(monkeypatch):
    import importlib

    counts = Counter()

    def counted(name, fn):
        def wrapper(*a, **k):
            counts[name] += 1
            return fn(*a, **k)
        return wrapper

    for name, (module, attr) in WATCHED.items():
        if module.endswith(".Recording"):
            owner = importlib.import_module(module.rsplit(".", 1)[0]).Recording
        else:
            owner = importlib.import_module(module)
        monkeypatch.setattr(owner, attr, counted(name, getattr(owner, attr)))
    return counts


def _edf_upload(tmp_path) -> bytes:
    """10 s of 9 EMG-like channels at 1 kHz (9 ≥ the sidebar's flat-channel threshold) as EDF."""
    from emgviz.io.write import write_file
    from emgviz.recording import Recording

    rng = np.random.default_rng(21)
    data = rng.normal(0, 50e-6, (9, 10_000)) * (1 + (np.arange(10_000) % 2000 > 1000))
    rec = Recording(data, fs=1000.0, ch_names=[f"m{i}" for i in range(9)], unit="V", source="rerun.edf")
    return write_file(rec, tmp_path / "rerun.edf").read_bytes()


def test_a_rerun_with_nothing_changed_reads_processes_and_draws_nothing(calls, tmp_path, media):  # noqa: F811
    from emgviz.views.sidebar import SETTING_KEYS

    at = new_app(timeout=120).run()
    at.sidebar.radio(key="source").set_value("Upload").run()
    at.sidebar.file_uploader(key="upload").set_value(("rerun.edf", _edf_upload(tmp_path),
                                                      "application/octet-stream")).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    first = Counter(calls)
    for name in WATCHED:
        if name != "pick":
            assert first[name] >= 1, f"{name} never ran: the counter is not wired ({dict(first)})"

    at.run()
    at.run()
    assert_no_exception(at)
    assert calls == first, f"a rerun with nothing changed did work: {dict(calls - first)}"

    # a filter change processes and draws again, but never re-reads or re-hashes the upload
    at.sidebar.radio(key=SETTING_KEYS["notch_hz"]).set_value("50 Hz").run()
    assert_no_exception(at)
    changed = Counter(calls)
    new = changed - first
    assert new["process"] == 1 and new["overview figure"] == 1 and new["features"] == 1, dict(new)
    assert new["overview decimation"] == 1, dict(new)
    assert new["read"] == new["hash"] == new["display unit"] == new["flat channels"] == 0, dict(new)

    # back to the first settings: everything comes from the caches
    at.sidebar.radio(key=SETTING_KEYS["notch_hz"]).set_value("Off").run()
    assert_no_exception(at)
    assert calls == changed, f"returning to computed settings did work: {dict(calls - changed)}"


def test_a_channel_pick_is_copied_once_not_on_every_rerun(calls, tmp_path, media):  # noqa: F811
    at = new_app(timeout=120).run()
    at.sidebar.radio(key="source").set_value("Upload").run()
    at.sidebar.file_uploader(key="upload").set_value(("rerun.edf", _edf_upload(tmp_path),
                                                      "application/octet-stream")).run()
    picker = [m for m in at.sidebar.multiselect if m.key and m.key.startswith("channels_")][0]
    picker.set_value(["m0", "m3"]).run()
    assert_no_exception(at)
    assert list(overview_table(at)["channel"]) == ["m0", "m3"]
    before = Counter(calls)
    assert before["pick"] >= 1
    at.run()
    at.run()
    assert calls == before, f"a rerun with nothing changed did work: {dict(calls - before)}"


def test_a_large_upload_is_taken_out_of_the_uploader_and_kept(calls, tmp_path, monkeypatch, media):  # noqa: F811
    """Streamlit deep-copies an uploader's files on every rerun: a large upload is held instead."""
    from emgviz.views import sidebar

    monkeypatch.setattr(sidebar, "HOLD_FROM_BYTES", 1000)   # the test file counts as large
    at = new_app(timeout=120).run()
    at.sidebar.radio(key="source").set_value("Upload").run()
    before = Counter(calls)
    at.sidebar.file_uploader(key="upload").set_value(("rerun.edf", _edf_upload(tmp_path),
                                                      "application/octet-stream")).run()
    assert_no_exception(at)
    assert list(overview_table(at)["channel"]) == [f"m{i}" for i in range(9)]
    once = calls - before
    assert once["read"] == once["hash"] == once["process"] == 1, dict(once)   # the held bytes: read once
    fresh = at.sidebar.file_uploader(key="upload_1")       # a new, empty uploader for the next file
    assert not fresh.value and fresh.label == "Open another file"
    assert any("rerun" in c.value and "kept on the server" in c.value for c in at.sidebar.caption)
    first = Counter(calls)
    at.run()
    assert calls == first, f"a rerun with nothing changed did work: {dict(calls - first)}"
    # a new upload replaces the held one
    at.sidebar.radio(key="source").set_value("Sample").run()
    at.sidebar.radio(key="source").set_value("Upload").run()
    assert list(overview_table(at)["channel"]) == [f"m{i}" for i in range(9)]   # still open
    at.sidebar.button(key="upload_close").click().run()
    assert_no_exception(at)
    assert any("Upload a recording" in i.value for i in at.info)
