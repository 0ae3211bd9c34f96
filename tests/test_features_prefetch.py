"""The feature table started ahead (features.prefetch_feature_table, #21) and picked up by feature_table.

The same table as computed on the spot, computed once, its exception handed to the caller, nothing kept
of the recording; the Overview starts it once per processed recording and not for a table it asked
for lately; the channels go to two threads when a core is free and stay on one otherwise.
"""

import gc
import threading
import weakref

import numpy as np
import pandas as pd
import pytest

from emgviz import features as F
from emgviz import features_prefetch as FP
from emgviz._threads import THREAD_MIN_VALUES
from emgviz.pipeline import preprocess
from emgviz.recording import Recording
from emgviz.settings import Settings


def _rec(seed=0, n=THREAD_MIN_VALUES // 4 + 1000):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((4, n)) * 5e-5
    data[2] += 1e-4
    return Recording(data, fs=2000.0, ch_names=["a", "b", "c", "d"])


@pytest.fixture
def clean(monkeypatch):
    monkeypatch.setattr(FP, "_prefetched", {})
    monkeypatch.setenv("EMGVIZ_THREADS", "1")
    monkeypatch.setenv("EMGVIZ_TD", "numpy")   # one route for both tables (the kernels agree to rounding only)


def test_prefetched_table_is_the_table_computed_once(clean, monkeypatch):
    rec = _rec()
    expected = F.feature_table(rec)
    calls = []
    real = F._feature_table
    monkeypatch.setattr(F, "_feature_table", lambda r, s, stop=None: (calls.append(threading.current_thread().name), real(r, s, stop))[1])
    future = F.prefetch_feature_table(rec)
    assert future is not None
    assert F.prefetch_feature_table(rec) is future          # asked twice: started once
    got = F.feature_table(rec)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert calls == ["emgviz-feature-table"]                 # computed once, on the background thread
    F.feature_table(rec)                                     # taken: the next call computes afresh
    assert len(calls) == 2 and calls[1] == threading.current_thread().name


def test_its_exception_reaches_the_caller(clean, monkeypatch):
    rec = _rec()

    def fail(r, s, stop=None):
        raise ValueError("no features today")

    monkeypatch.setattr(F, "_feature_table", fail)
    F.prefetch_feature_table(rec)
    with pytest.raises(ValueError, match="no features today"):
        F.feature_table(rec)


def test_small_recordings_and_other_objects_do_not_use_it(clean, monkeypatch):
    small = Recording(np.ones((2, 1000)), fs=1000.0, ch_names=["a", "b"])
    assert F.prefetch_feature_table(small) is None and not FP._prefetched
    rec = _rec()
    F.prefetch_feature_table(rec).result(timeout=60)
    twin = Recording(rec.data.copy(), fs=rec.fs, ch_names=rec.ch_names)    # equal, but not this object
    monkeypatch.setattr(F, "_feature_table", lambda r, s, stop=None: "computed")
    assert F.feature_table(twin) == "computed"
    assert F.feature_table(rec, segment_s=0.5) == "computed"                # another segment length
    assert isinstance(F.feature_table(rec), pd.DataFrame)                    # the prefetched one


def test_it_keeps_no_recording_and_at_most_a_few_tables(clean):
    rec = _rec()
    ref = weakref.ref(rec)
    F.prefetch_feature_table(rec).result(timeout=60)
    del rec
    gc.collect()
    assert ref() is None                                     # the table waiting does not hold the samples
    recs = [_rec(seed=i, n=THREAD_MIN_VALUES // 4 + 10) for i in range(FP.PREFETCH_MAX + 2)]
    for r in recs:
        F.prefetch_feature_table(r).result(timeout=60)   # finished, not taken: the tables wait
    assert len(FP._prefetched) == FP.PREFETCH_MAX


def test_overview_starts_it_once_per_processed_recording(clean, monkeypatch):
    from types import SimpleNamespace

    from emgviz.views import cache, overview

    started = []
    monkeypatch.setattr(F, "prefetch_feature_table", lambda rec: started.append(rec) or object())
    monkeypatch.setattr(cache, "_features_asked", {})
    rec = _rec(n=4000)
    out = preprocess(rec, Settings())
    ctx = SimpleNamespace(key="rec1", settings_key="s1")
    overview._prefetch_features(ctx, out)
    overview._prefetch_features(ctx, out)                    # a rerun: not again
    assert started == [out.filtered]
    cache.features_cached("rec1", "s1", out)                 # the Overview then asks for the table
    again = preprocess(rec, Settings())                      # the same settings computed again (evicted):
    overview._prefetch_features(ctx, again)                  # its table was asked for lately: not started
    assert len(started) == 1
    other = preprocess(rec, Settings(notch_hz=50))
    overview._prefetch_features(SimpleNamespace(key="rec1", settings_key="s2"), other)
    assert started == [out.filtered, other.filtered]


def test_overview_fetches_no_lazy_processed_recording_for_a_table_asked_lately(clean, monkeypatch):
    from types import SimpleNamespace

    from emgviz.views import cache, overview
    from emgviz.views.context import LazyProcessed

    started = []
    monkeypatch.setattr(F, "prefetch_feature_table", lambda rec: started.append(rec) or object())
    monkeypatch.setattr(cache, "_features_asked", {("rec1", "s1"): None})
    rec = _rec(n=4000)
    lazy = LazyProcessed(rec, Settings(), (), lambda: pytest.fail("fetched for a table asked lately"))
    overview._prefetch_features(SimpleNamespace(key="rec1", settings_key="s1"), lazy)
    assert not lazy.fetched and started == []
    out = preprocess(rec, Settings())
    lazy = LazyProcessed(rec, Settings(), (), lambda: out)
    overview._prefetch_features(SimpleNamespace(key="rec1", settings_key="s2"), lazy)   # not asked: started
    assert started == [out.filtered]


@pytest.mark.parametrize("n_workers", [1, 2])
def test_channels_go_to_two_threads_only_when_a_core_is_free(monkeypatch, n_workers):
    monkeypatch.delenv("EMGVIZ_THREADS", raising=False)
    monkeypatch.setattr(F, "workers", lambda n_tasks, n_values: n_workers)   # what the CPU counters said
    pools, names = [], set()
    real_map = F.thread_map
    monkeypatch.setattr(F, "thread_map", lambda fn, items, n: (pools.append(n), real_map(fn, items, n))[1])
    real = F._channel_features
    monkeypatch.setattr(F, "_channel_features",
                        lambda *a, **k: (names.add(threading.current_thread().name), real(*a, **k))[1])
    table = F.feature_table(_rec(n=20_000))
    assert len(table) == 4 and pools == [n_workers]
    if n_workers == 1:
        assert names == {threading.current_thread().name}          # on the caller's thread
    else:
        assert threading.current_thread().name not in names        # on the pool's threads


def test_the_prefetching_thread_runs_at_a_lower_priority(clean, monkeypatch):
    import os

    if not hasattr(os, "getpriority"):
        pytest.skip("no per-thread priority on this platform")
    seen = []
    real = F._feature_table

    def probe(r, s, stop=None):
        tid = threading.get_native_id()
        seen.append(os.getpriority(os.PRIO_PROCESS, tid))
        return real(r, s)

    monkeypatch.setattr(F, "_feature_table", probe)
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    F.prefetch_feature_table(_rec()).result(timeout=60)
    assert seen == [min(19, mine + FP.PREFETCH_NICE)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine   # the caller's own is unchanged


def test_the_prefetch_waits_for_kernels_still_loading(clean, monkeypatch):
    from emgviz import td_kernel

    monkeypatch.setenv("EMGVIZ_TD", "")
    loaded = threading.Event()
    release = threading.Event()
    warming = threading.Thread(target=lambda: (release.wait(10), loaded.set()), daemon=True)
    warming.start()
    monkeypatch.setattr(td_kernel, "_warming", warming)
    seen = []
    monkeypatch.setattr(F, "_feature_table", lambda r, s, stop=None: seen.append(loaded.is_set()) or "table")
    future = F.prefetch_feature_table(_rec())
    release.set()                                        # the kernels finish loading after the prefetch began
    assert future.result(timeout=30) == "table" and seen == [True]   # it computed only once they were there
    monkeypatch.setenv("EMGVIZ_TD", "numpy")             # NumPy's path asked for: nothing to wait for
    assert td_kernel.wait_loaded(0.0) in (True, False)


def test_a_table_the_summary_asked_for_is_not_computed_again_by_the_overview(clean, monkeypatch):
    """Overview → Summary (new settings) → Overview: the Summary's table is cached, nothing is started."""
    from types import SimpleNamespace

    from emgviz.views import cache, overview
    from emgviz.views.context import LazyProcessed

    started = []
    monkeypatch.setattr(F, "prefetch_feature_table", lambda rec: started.append(rec) or object())
    monkeypatch.setattr(cache, "_features_asked", {})
    rec = _rec(n=4000)
    out = preprocess(rec, Settings(notch_hz=60))
    table = cache.features_cached("rec-summary", "s60", out.filtered)      # what the Summary calls
    lazy = LazyProcessed(rec, Settings(notch_hz=60), (), lambda: pytest.fail("filtered again for a cached table"))
    overview._prefetch_features(SimpleNamespace(key="rec-summary", settings_key="s60"), lazy)
    assert started == [] and not lazy.fetched
    pd.testing.assert_frame_equal(cache.features_cached("rec-summary", "s60", lazy), table)   # from the cache
    assert not lazy.fetched


def test_asks_noted_from_many_threads_at_once_never_fail(monkeypatch):
    """Sessions of one server note their asks concurrently: no 'dictionary changed size' or KeyError."""
    import sys

    from emgviz.views import cache

    monkeypatch.setattr(cache, "_features_asked", {})
    monkeypatch.setattr(cache, "_features_table", lambda key, settings_json, _filtered: key)
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    errors = []

    def hammer(t):
        try:
            for i in range(3000):
                cache.features_cached(f"r{t}-{i % 40}", "s", None)
                cache.features_asked(f"r{t}-{i % 7}", "s")
        except Exception as exc:  # noqa: BLE001 - the test reports any
            errors.append(repr(exc))

    try:
        threads = [threading.Thread(target=hammer, args=(t,)) for t in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(old)
    assert errors == [] and len(cache._features_asked) <= cache.FEATURES_MAX_ENTRIES


def _slow_channels(monkeypatch, gate):
    """Channels that wait for ``gate`` (a threading.Event) before computing: a table that stays running."""
    real = F._channel_features

    def slow(*args, **kwargs):
        gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(F, "_channel_features", slow)


def test_a_running_table_nobody_took_is_stopped_by_a_newer_one_and_lets_its_recording_go(clean, monkeypatch):
    gate = threading.Event()
    _slow_channels(monkeypatch, gate)
    old, new = _rec(seed=1), _rec(seed=2)
    ref = weakref.ref(old)
    first = F.prefetch_feature_table(old)
    second = F.prefetch_feature_table(new)         # the user moved on: the first is stopped
    gate.set()
    with pytest.raises(F.TableAbandoned, match="abandoned"):
        first.result(timeout=60)
    assert isinstance(second.result(timeout=60), pd.DataFrame)
    expected = F._feature_table(old, 0.25)
    pd.testing.assert_frame_equal(F.feature_table(old), expected)   # not taken from the stopped one: computed
    del old, first, expected
    gc.collect()
    assert ref() is None                            # nothing keeps the stopped table's recording


def test_a_table_being_waited_for_is_not_stopped(clean, monkeypatch):
    gate = threading.Event()
    _slow_channels(monkeypatch, gate)
    rec, other = _rec(seed=3), _rec(seed=4)
    F.prefetch_feature_table(rec)
    got = []
    waiter = threading.Thread(target=lambda: got.append(F.feature_table(rec)))
    waiter.start()
    deadline = __import__("time").monotonic() + 30
    while FP._prefetched and __import__("time").monotonic() < deadline:   # until the waiter took it
        __import__("time").sleep(0.01)
    F.prefetch_feature_table(other)                 # a newer one does not stop the table being waited for
    gate.set()
    waiter.join(60)
    pd.testing.assert_frame_equal(got[0], F._feature_table(rec, 0.25))


def test_a_failed_table_does_not_keep_its_recording(clean, monkeypatch):
    def fail(r, s, stop=None):
        data = r.data   # a local that refers to the samples, as the real computation's frames do
        raise MemoryError(f"no room for {data.shape}")

    monkeypatch.setattr(F, "_feature_table", fail)
    rec = _rec()
    ref = weakref.ref(rec)
    future = F.prefetch_feature_table(rec)
    assert isinstance(future.exception(timeout=60), MemoryError)
    for thread in threading.enumerate():            # the computing thread ends right after handing it over
        if thread.name == "emgviz-feature-table":
            thread.join(30)
    del rec
    gc.collect()
    assert ref() is None                            # the exception kept where it failed, not the samples
    with pytest.raises(MemoryError, match="no room"):
        future.result()
