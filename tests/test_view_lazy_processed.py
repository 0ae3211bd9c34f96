"""Memory of the app's processed recordings (#21): room made before filtering, the view context's
processing fetched only when read and held weakly, a switch back to cached settings that filters nothing,
and Browse after an eviction showing the same numbers."""

import gc
import weakref

import numpy as np
import pytest

from emgviz import Settings, preprocess
from emgviz.recording import Recording
from emgviz.views import cache
from emgviz.views.context import LazyProcessed
from emgviz.views.lru import ByteLRU

MiB = 1024 ** 2


# ---- ByteLRU.make_room / reserve --------------------------------------------------------------------
def test_room_is_made_before_computing_when_the_budget_cannot_hold_both():
    lru = ByteLRU(100)
    lru.get_or_compute("raw", lambda: "r", lambda v: 40)
    lru.get_or_compute("A", lambda: "a", lambda v: 40, keep=("raw",))
    seen = []

    def compute_b():
        seen.append(lru.keys())  # what the store holds while B is computed
        return "b"

    lru.get_or_compute("B", compute_b, lambda v: 40, keep=("raw",), reserve=40)
    assert seen == [["raw"]]  # A was evicted BEFORE B was computed (40 + 40 + 40 > 100)
    assert lru.keys() == ["raw", "B"] and lru.nbytes == 80


def test_without_a_reserve_the_old_entry_is_evicted_only_after():
    lru = ByteLRU(100)
    lru.get_or_compute("raw", lambda: "r", lambda v: 40)
    lru.get_or_compute("A", lambda: "a", lambda v: 40, keep=("raw",))
    seen = []
    lru.get_or_compute("B", lambda: seen.append(lru.keys()) or "b", lambda v: 40, keep=("raw",))
    assert seen == [["raw", "A"]] and lru.keys() == ["raw", "B"]


def test_make_room_evicts_nothing_when_it_fits_and_keeps_the_inputs():
    lru = ByteLRU(100)
    _ = [lru.put(k, k, 30) for k in ("a", "b", "c")]
    lru.make_room(10)
    assert lru.keys() == ["a", "b", "c"]
    lru.make_room(40, keep=("a",))  # 90 + 40 > 100: the oldest other, b, goes (60 + 40 fits)
    assert lru.keys() == ["a", "c"]
    lru.make_room(1000, keep=("a",))  # cannot fit: everything but what is kept goes
    assert lru.keys() == ["a"]


def test_make_room_also_leaves_a_slot_for_the_entry_bound():
    lru = ByteLRU(10_000, max_entries=2)
    lru.put("a", 1, 1)
    lru.put("b", 2, 1)
    lru.make_room(1)
    assert lru.keys() == ["b"]


def test_touch_marks_used_without_counting_a_hit():
    lru = ByteLRU(100)
    _ = [lru.put(k, k, 40) for k in ("a", "b")]
    assert lru.touch("a") and not lru.touch("zz")
    assert lru.keys() == ["b", "a"] and lru.hits == 0
    lru.put("c", "c", 40)
    assert lru.keys() == ["a", "c"]  # b, not a, was the least recently used


def test_process_cached_reserves_the_filtered_size(monkeypatch):
    """The app's store: a second setting evicts the first processed copy before filtering."""
    monkeypatch.setenv("EMGVIZ_CACHE_MB", "2.5")  # read 1 MiB + one filtered 1 MiB fit, not two
    rec = Recording(np.random.default_rng(0).normal(size=(1, MiB // 8)), fs=1000.0, ch_names=["a"])
    store = cache.cache_store()
    store.put("read|x", rec, rec.data.nbytes)
    cache._note_read("read|x", rec)
    s1, s2 = cache.settings_key(Settings()), cache.settings_key(Settings(notch_hz=50))
    first = cache.process_cached("k", s1, rec)
    held = weakref.ref(first.filtered.data)
    del first
    during = []
    real = cache.preprocess

    def spy(r, s):
        during.append((list(store.keys()), held() is not None))
        return real(r, s)

    monkeypatch.setattr(cache, "preprocess", spy)
    cache.process_cached("k", s2, rec)
    assert during == [(["read|x"], False)]  # the first copy was evicted and freed before filtering


# ---- LazyProcessed ---------------------------------------------------------------------------------
def _rec(n=4000, seed=1):
    return Recording(np.random.default_rng(seed).normal(size=(2, n)) * 1e-4, fs=1000.0, ch_names=["a", "b"])


def test_lazy_processed_has_settings_and_warnings_without_filtering(monkeypatch):
    rec = Recording(np.random.default_rng(0).normal(size=(1, 2000)), fs=500.0, ch_names=["a"])
    calls = []
    monkeypatch.setattr(cache, "preprocess", lambda r, s: calls.append(1) or preprocess(r, s))
    lazy = cache.process_lazy("k500", cache.settings_key(Settings()), rec)
    eager = preprocess(rec, Settings())
    assert lazy.settings == eager.settings and lazy.settings.high_hz == 237.5  # clipped below fs/2
    assert lazy.warnings == eager.warnings and lazy.raw is rec
    assert calls == [] and not lazy.fetched
    np.testing.assert_array_equal(lazy.filtered.data, eager.filtered.data)  # the first read filters
    np.testing.assert_array_equal(lazy.envelope.data, eager.envelope.data)
    assert calls == [1]


def test_lazy_processed_raises_as_preprocess_for_bad_input_before_filtering():
    with pytest.raises(TypeError, match="Settings"):
        preprocess(_rec(), {"bad": 1})
    from emgviz._checks import NotARecording

    with pytest.raises(NotARecording):
        cache.process_lazy("k", cache.settings_key(Settings()), np.zeros((1, 10)))


def test_lazy_processed_holds_its_fetch_weakly():
    """The context does not keep an evicted copy alive; reading it again fetches it again."""
    made = []

    def fetch():
        out = preprocess(_rec(), Settings())
        made.append(weakref.ref(out))
        return out

    lazy = LazyProcessed(_rec(), Settings(), (), fetch)
    first = lazy.filtered.data.copy()
    gc.disable()
    try:
        assert made[0]() is None  # nothing but the lazy object referred to it: freed by reference counting
    finally:
        gc.enable()
    np.testing.assert_array_equal(lazy.filtered.data, first)  # fetched again: the same numbers
    assert len(made) == 2
    strong = lazy.get()  # (the second one died too: a third fetch)
    assert lazy.filtered is strong.filtered and lazy.envelope is strong.envelope
    assert len(made) == 3  # while something holds it, reads fetch nothing


def test_evicted_processed_is_freed_at_once_while_an_old_context_is_alive(monkeypatch):
    """An old script run's context (Streamlit keeps the last run's globals until a garbage collection)
    no longer keeps a processed copy the store evicted."""
    monkeypatch.setenv("EMGVIZ_CACHE_MB", "0.2")  # below one processed copy: each new one evicts the last
    rec = _rec(n=8000)
    old_ctx = cache.process_lazy("kk", cache.settings_key(Settings()), rec)
    arr = weakref.ref(old_ctx.filtered.data)
    gc.disable()
    try:
        new_ctx = cache.process_lazy("kk", cache.settings_key(Settings(notch_hz=50)), rec)
        _ = new_ctx.filtered
        assert arr() is None
    finally:
        gc.enable()


# ---- the app (AppTest) -------------------------------------------------------------------------------
def _csv(seconds=20, fs=1000):
    rng = np.random.default_rng(5)
    rows = rng.normal(0, 1e-4, (int(seconds * fs), 3))
    return ("# Sampling Rate (Hz):= 1000.00\nbiceps,triceps,deltoid\n"
            + "\n".join(f"{a:.6e},{b:.6e},{c:.6e}" for a, b, c in rows)).encode()


@pytest.fixture
def upload_app(monkeypatch):
    from apptest_utils import assert_no_exception, new_app

    calls = []
    real = cache.preprocess

    def counting(rec, settings, **kw):
        calls.append(settings.notch_hz)
        return real(rec, settings, **kw)

    monkeypatch.setattr(cache, "preprocess", counting)
    per_copy = 20_000 * 3 * 8
    # holds the read samples and ONE filtered copy: a second setting evicts the first
    monkeypatch.setenv("EMGVIZ_CACHE_MB", str(2.5 * per_copy / MiB))
    at = new_app(timeout=180).run()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader(key="upload").set_value(("arm.csv", _csv(), "text/csv")).run()
    assert_no_exception(at)
    calls.clear()
    return at, calls


def _table(at):
    from apptest_utils import overview_table  # the Overview's table (views/table_component.py)

    return overview_table(at).copy()


_NAMES = ("biceps", "triceps", "deltoid")


def _held(notch: str) -> int:
    """How many processed copies of the upload with this notch the store holds."""
    store = cache.cache_store()
    with store._lock:
        return sum(k.startswith("proc|") and f'"notch_hz": {notch}' in k and tuple(v.filtered.ch_names) == _NAMES
                   for k, (v, _, _) in store._entries.items())


def test_switch_back_to_cached_settings_filters_nothing_after_an_eviction(upload_app):
    from apptest_utils import assert_no_exception

    from emgviz.views.sidebar import SETTING_KEYS

    at, calls = upload_app
    off_table = _table(at)
    assert _held("null") == 1
    at.sidebar.radio(key=SETTING_KEYS["notch_hz"]).set_value("50 Hz").run()
    assert_no_exception(at)
    assert calls == [50.0] and _held("50.0") == 1 and _held("null") == 0  # the budget holds one copy
    notch_table = _table(at)
    at.sidebar.radio(key=SETTING_KEYS["notch_hz"]).set_value("Off").run()
    assert_no_exception(at)
    assert calls == [50.0] and _held("null") == 0  # figure and table cached: nothing filtered or fetched
    assert _table(at).equals(off_table) and not _table(at).equals(notch_table)
    at.sidebar.radio(key=SETTING_KEYS["notch_hz"]).set_value("50 Hz").run()
    assert calls == [50.0] and _table(at).equals(notch_table)


def test_browse_after_an_eviction_shows_the_filtered_numbers(upload_app):
    """Browse's filtered signal after the store evicted it: filtered again, equal to preprocess."""
    from apptest_utils import assert_no_exception, plotly_spec, trace_array

    from emgviz.io import read_files
    from emgviz.views.sidebar import SETTING_KEYS

    at, calls = upload_app
    at.sidebar.radio(key=SETTING_KEYS["notch_hz"]).set_value("50 Hz").run()
    at.sidebar.radio(key=SETTING_KEYS["notch_hz"]).set_value("Off").run()
    at.sidebar.radio(key="view").set_value("Browse").run()
    assert calls == [50.0]  # the raw signal is shown: nothing filtered yet
    at.radio(key="browse_signal").set_value("Filtered").run()
    assert_no_exception(at)
    assert calls == [50.0, None] and _held("null") == 1  # the evicted setting's samples, filtered again
    rec = read_files([("arm.csv", _csv())])
    want = preprocess(rec, Settings()).filtered
    first = plotly_spec(at, "browse_chart")["data"][0]
    x, y = trace_array(first["x"]).astype(float), trace_array(first["y"]).astype(float)
    i = np.round((x - rec.t0) * rec.fs).astype(int)
    assert len(y) > 100 and np.all(np.abs((x - rec.t0) * rec.fs - i) < 1e-3)
    ref = want.data[0, i]  # the first trace is the first channel, scaled and offset in the stack
    slope, intercept = np.polyfit(ref, y, 1)
    assert slope > 0
    np.testing.assert_allclose(y, slope * ref + intercept, rtol=0, atol=1e-6 * np.ptp(y))
    raw_like = rec.data[0, i]
    assert not np.allclose(np.corrcoef(raw_like, y)[0, 1], 1.0, atol=1e-6)  # it is not the raw signal


# ---- the Summary's envelopes without the envelope of every channel ----------------------------------
def test_envelope_overview_channel_by_channel_equals_the_whole_envelope():
    from emgviz.plotting.summary import envelope_overview

    for method in ("rms", "lowpass"):
        out = preprocess(_rec(n=30_000), Settings(envelope=method))
        by_channel = envelope_overview(out.filtered, channel=out.envelope_channel)
        assert not out.envelope_ready  # nothing held
        whole = envelope_overview(out.envelope)
        assert len(by_channel.data) == len(whole.data) == 2
        for a, b in zip(by_channel.data, whole.data):
            np.testing.assert_array_equal(np.asarray(a.x), np.asarray(b.x))
            np.testing.assert_array_equal(np.asarray(a.y), np.asarray(b.y))
        assert by_channel.layout == whole.layout


def test_summary_in_the_app_keeps_no_whole_envelope(upload_app):
    """The Summary's envelopes figure equals the whole envelope's; the processed copy holds filtered only."""
    from apptest_utils import assert_no_exception, plotly_spec, trace_array

    from emgviz.io import read_files
    from emgviz.plotting.summary import envelope_overview
    from emgviz.units import recording_display_unit

    at, calls = upload_app
    at.sidebar.radio(key="view").set_value("Summary").run()
    assert_no_exception(at)
    store = cache.cache_store()
    with store._lock:
        mine = [v for k, (v, _, _) in store._entries.items() if k.startswith("proc|")
                and tuple(v.filtered.ch_names) == _NAMES]
    assert len(mine) == 1 and not mine[0].envelope_ready
    rec = read_files([("arm.csv", _csv())])
    out = preprocess(rec, Settings())
    want = envelope_overview(out.envelope, unit=recording_display_unit(rec))  # (bursts only add shapes)
    got = plotly_spec(at, "summary_envelopes")["data"]
    assert len(got) == 3
    for g, w in zip(got, want.data):
        np.testing.assert_allclose(trace_array(g["y"]).astype(float), np.asarray(w.y, dtype=float), rtol=1e-12)
        np.testing.assert_allclose(trace_array(g["x"]).astype(float), np.asarray(w.x, dtype=float), rtol=1e-12)


# ---- Browse: the page's envelope only ----------------------------------------------------------------
@pytest.mark.parametrize("settings", [Settings(), Settings(rms_window_ms=250.0), Settings(envelope="lowpass"),
                                      Settings(envelope="lowpass", lowpass_hz=2.0)], ids=repr)
def test_envelope_span_equals_the_whole_envelope_there(settings):
    rec = Recording(np.random.default_rng(3).normal(size=(3, 60_000)) * 1e-4, fs=2000.0, ch_names=["a", "b", "c"],
                    t0=12.5)
    out = preprocess(rec, settings)
    whole = preprocess(rec, settings).envelope
    scale = float(np.abs(whole.data).max())
    for start, stop in [(0, 5000), (100, 4100), (20_000, 40_000), (57_000, 60_000), (59_990, 60_000), (0, 60_000)]:
        for names in (None, ["c", "a"]):
            span = out.envelope_span(start, stop, names=names)
            rows = [0, 1, 2] if names is None else [2, 0]
            assert span.ch_names == tuple(whole.ch_names[i] for i in rows)
            assert span.t0 == pytest.approx(rec.t0 + start / rec.fs, abs=1e-12) and span.fs == rec.fs
            np.testing.assert_allclose(span.data, whole.data[rows, start:stop], rtol=0, atol=1e-12 * scale)
    assert not out.envelope_ready  # the spans never computed the whole envelope
    held = preprocess(rec, settings)
    _ = held.envelope
    np.testing.assert_array_equal(held.envelope_span(100, 200, names=["b"]).data, held.envelope.data[[1], 100:200])
    with pytest.raises(ValueError, match="holds no samples"):
        out.envelope_span(70_000, 80_000)        # past the end: says so, not "data has no samples"


def test_browse_envelope_overlay_is_the_whole_envelope_on_the_page(upload_app):
    from apptest_utils import assert_no_exception, plotly_spec, trace_array

    from emgviz.io import read_files

    at, calls = upload_app
    at.sidebar.radio(key="view").set_value("Browse").run()
    at.radio(key="browse_signal").set_value("Filtered").run()
    at.toggle(key="browse_envelope").set_value(True).run()
    at.button(key="browse_next").click().run()
    assert_no_exception(at)
    store = cache.cache_store()
    with store._lock:
        mine = [v for k, (v, _, _) in store._entries.items() if k.startswith("proc|")
                and tuple(v.filtered.ch_names) == _NAMES]
    assert len(mine) == 1 and not mine[0].envelope_ready  # no envelope of the whole recording
    rec = read_files([("arm.csv", _csv())])
    out = preprocess(rec, Settings())
    env, filt = out.envelope, out.filtered
    traces = plotly_spec(at, "browse_chart")["data"]
    env_traces = [d for d in traces if d.get("name", "").endswith("envelope")]
    sig_traces = [d for d in traces if not d.get("name", "").endswith("envelope")]
    assert len(env_traces) == 3
    for k, (e, s) in enumerate(zip(env_traces, sig_traces)):
        # the envelope is drawn on its channel's scale and offset: the same line as the signal's
        xs, ys = trace_array(s["x"]).astype(float), trace_array(s["y"]).astype(float)
        i = np.round((xs - rec.t0) * rec.fs).astype(int)
        slope, intercept = np.polyfit(filt.data[k, i], ys, 1)
        xe, ye = trace_array(e["x"]).astype(float), trace_array(e["y"]).astype(float)
        j = np.round((xe - rec.t0) * rec.fs).astype(int)
        assert xe.min() >= 9.99 and len(j) > 100  # the second page (one sample before it: the line reaches the edge)
        np.testing.assert_allclose(ye, slope * env.data[k, j] + intercept, rtol=0, atol=1e-6 * np.ptp(ys))


# ---- the Summary's quality screen: no temporary as large as the recording --------------------------------
def test_signal_quality_holds_no_whole_recording_temporary():
    import tracemalloc

    from emgviz.quality import signal_quality

    rng = np.random.default_rng(2)
    rec = Recording(rng.normal(size=(32, 100_000)) * 1e-4 + 1e-3, fs=2000.0, ch_names=[f"m{i}" for i in range(32)])
    tracemalloc.start()
    try:
        got = signal_quality(rec)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # a few channels' worth of temporaries, channel after channel (was the whole recording for the SDs)
    assert peak < 0.35 * rec.data.nbytes, peak / rec.data.nbytes
    np.testing.assert_array_equal(np.array([x.std() for x in rec.data]), rec.data.std(axis=-1))
    assert list(got["channel"]) == list(rec.ch_names) and set(got["grade"]) <= {"good", "check", "poor"}
