"""The read/process store: least recently used out first, bytes counted, budget from the environment,
one computation per key however many sessions ask, and the app keeping the most recent recording."""

import threading
import time

import numpy as np
import pytest

from apptest_utils import overview_table
from emgviz.recording import Recording
from emgviz.views import cache
from emgviz.views.lru import ByteLRU

MiB = 1024 ** 2


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _fill(lru, keys, nbytes=10):
    for k in keys:
        lru.get_or_compute(k, lambda k=k: k.upper(), lambda v: nbytes)


# ---- ByteLRU -------------------------------------------------------------------------------------
def test_evicts_least_recently_used_first():
    lru = ByteLRU(30)
    _fill(lru, "abc")
    assert lru.keys() == ["a", "b", "c"] and lru.nbytes == 30
    assert lru.get("a") == "A"  # "a" is now the most recent
    _fill(lru, "d")  # 40 > 30: the least recently used, "b", goes
    assert lru.keys() == ["c", "a", "d"]
    assert "b" not in lru and lru.nbytes == 30 and lru.evictions == 1
    _fill(lru, "e", nbytes=25)  # 55 > 30: "c", then "a" go; "d" + "e" = 35 > 30: "d" too
    assert lru.keys() == ["e"] and lru.nbytes == 25 and lru.evictions == 4


def test_byte_accounting_follows_puts_replacements_and_pops():
    lru = ByteLRU(1000)
    lru.put("a", "x", 100)
    lru.put("b", "y", 250)
    assert lru.nbytes == 350
    lru.put("a", "x2", 40)  # replaced: its old bytes are given back
    assert lru.nbytes == 290 and lru.keys() == ["b", "a"]
    assert lru.pop("b") == "y" and lru.nbytes == 40
    assert lru.pop("b", "gone") == "gone"
    lru.clear()
    assert lru.nbytes == 0 and len(lru) == 0


def test_an_entry_over_the_whole_budget_is_kept_until_the_next_one():
    lru = ByteLRU(100)
    _fill(lru, "ab", nbytes=40)
    lru.put("big", "B", 500)
    assert lru.keys() == ["big"] and lru.nbytes == 500  # the caller gets it; everything else went
    lru.put("c", "C", 40)
    assert lru.keys() == ["c"] and lru.nbytes == 40


def test_entry_bound_and_idle_time():
    clock = FakeClock()
    lru = ByteLRU(10 ** 9, max_entries=2, ttl_s=60, clock=clock)
    _fill(lru, "abc")
    assert lru.keys() == ["b", "c"]
    clock.t = 30
    assert lru.get("b") == "B"  # used at 30 s
    clock.t = 70  # "c" idle for 70 s > 60 s, "b" for 40 s
    assert "c" not in lru and lru.keys() == ["b"] and lru.nbytes == 10


def test_budget_read_from_the_environment_at_every_insertion(monkeypatch):
    monkeypatch.setenv("EMGVIZ_CACHE_MB", "3")
    assert cache.cache_budget_bytes() == 3 * MiB
    lru = ByteLRU(cache.cache_budget_bytes)
    _fill(lru, "abc", nbytes=MiB)
    assert lru.nbytes == 3 * MiB
    monkeypatch.setenv("EMGVIZ_CACHE_MB", "1.5")
    _fill(lru, "d", nbytes=MiB)
    assert lru.keys() == ["d"]
    for bad in ("lots", "-1", "0"):
        monkeypatch.setenv("EMGVIZ_CACHE_MB", bad)
        assert cache.cache_budget_bytes() == 2048 * MiB
    monkeypatch.delenv("EMGVIZ_CACHE_MB")
    assert cache.cache_budget_bytes() == 2048 * MiB


def test_concurrent_callers_of_one_key_compute_it_once():
    lru = ByteLRU(10 ** 6)
    calls, started = [], threading.Event()
    release = threading.Event()

    def slow():
        calls.append(threading.get_ident())
        started.set()
        release.wait(10)
        return object()

    results = [None] * 8

    def worker(i):
        results[i] = lru.get_or_compute("k", slow, lambda v: 1)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    assert started.wait(10)
    time.sleep(0.05)  # let the others queue on the key's lock
    release.set()
    for t in threads:
        t.join(10)
    assert len(calls) == 1
    assert all(r is results[0] for r in results)  # the same object for every caller
    assert lru._key_locks == {}  # no lock left behind


def test_different_keys_compute_in_parallel():
    lru = ByteLRU(10 ** 6)
    barrier = threading.Barrier(2, timeout=5)

    def meet():  # both computations must be under way at once, or the barrier times out
        barrier.wait()
        return 1

    errors = []

    def worker(k):
        try:
            lru.get_or_compute(k, meet, lambda v: 1)
        except threading.BrokenBarrierError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in "xy"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors and lru.keys() in (["x", "y"], ["y", "x"])


def test_a_failed_computation_stores_nothing_and_the_next_caller_retries():
    lru = ByteLRU(100)
    with pytest.raises(ValueError, match="bad file"):
        lru.get_or_compute("k", lambda: (_ for _ in ()).throw(ValueError("bad file")), len)
    assert "k" not in lru and lru._key_locks == {}
    assert lru.get_or_compute("k", lambda: "ok", len) == "ok"


# ---- the app's store ---------------------------------------------------------------------------
def _counting_reader(monkeypatch):
    calls = []
    real = cache.read_files

    def counting(files, fs=None, **options):
        calls.append(files[0][0])
        return real(files, fs=fs, **options)

    monkeypatch.setattr(cache, "read_files", counting)
    return calls


def test_read_and_process_share_one_budget_and_keep_the_newest(monkeypatch):
    calls = []

    def fake_read(files, fs=None, **options):
        calls.append(files[0][0])
        return Recording(np.zeros((1, MiB // 8)), fs=1000, ch_names=["a"])  # 1 MiB

    monkeypatch.setattr(cache, "read_files", fake_read)
    monkeypatch.setenv("EMGVIZ_CACHE_MB", "4")
    rec_a = cache.read_cached("a", ("a",), None, "{}", (("a", b""),))
    out = cache.process_cached("ka", cache.settings_key(__import__("emgviz").Settings()), rec_a)
    store = cache.cache_store()
    assert store.nbytes == rec_a.data.nbytes + cache._processed_bytes(out) == 2 * MiB  # read + filtered
    assert not out.envelope_ready  # the envelope is computed on its first read ...
    np.testing.assert_array_equal(out.envelope.data, 0.0)
    assert cache.process_cached("ka", cache.settings_key(__import__("emgviz").Settings()), rec_a) is out
    assert store.nbytes == 3 * MiB  # ... and the store counts it at the next lookup: read + filtered + envelope
    rec_b = cache.read_cached("b", ("b",), None, "{}", (("b", b""),))  # 4 MiB: fits
    assert len(store) == 3
    cache.read_cached("c", ("c",), None, "{}", (("c", b""),))  # 5 MiB: the oldest, a's read, goes first
    keys = store.keys()  # ... with a's processed copies, which hold it (out.raw)
    assert [k.split("|")[:2] for k in keys] == [["read", "b"], ["read", "c"]]
    assert cache.read_cached("b", ("b",), None, "{}", (("b", b""),)) is rec_b and calls == ["a", "b", "c"]


def test_two_recordings_over_a_small_budget_keep_the_most_recent_in_the_app(monkeypatch):
    """AppTest of app.py: upload one recording, then another; with a budget that holds one recording
    (read + filtered), the second stays cached (a rerun reads nothing) and the first is gone."""
    from apptest_utils import assert_no_exception, new_app

    calls = _counting_reader(monkeypatch)
    rng = np.random.default_rng(3)

    def csv(seed_scale):
        rows = rng.normal(0, 1e-4 * seed_scale, (20_000, 2))
        return ("# Sampling Rate (Hz):= 1000.00\nbiceps,triceps\n"
                + "\n".join(f"{a:.6e},{b:.6e}" for a, b in rows)).encode()

    one, two = csv(1), csv(2)
    per_recording = 20_000 * 2 * 8 * 2  # the read samples + filtered (the Overview never reads the full envelope)
    monkeypatch.setenv("EMGVIZ_CACHE_MB", str(1.5 * per_recording / MiB))  # one fits, two do not
    at = new_app(timeout=180).run()
    at.radio(key="source").set_value("Upload").run()
    store = cache.cache_store()
    before, n_calls = set(store.keys()), len(calls)  # the default sample, read on the first run
    at.file_uploader(key="upload").set_value(("one.csv", one, "text/csv")).run()
    assert_no_exception(at)
    first = set(store.keys()) - before
    assert len(first) == 2 and calls[n_calls:] == ["one.csv"]  # its read and its processing
    at.file_uploader(key="upload").set_value(("two.csv", two, "text/csv")).run()
    assert_no_exception(at)
    keys = store.keys()
    assert not first & set(keys)  # the first recording was evicted, oldest first
    assert keys[-2].startswith("read|") and "two.csv" in keys[-2] and keys[-1].startswith("proc|")
    assert store.nbytes <= 1.5 * per_recording
    at.run()  # a rerun (any widget change) serves the second recording from the cache
    assert_no_exception(at)
    assert calls[n_calls:] == ["one.csv", "two.csv"]
    assert store.keys()[-2:] == keys[-2:]
    assert list(overview_table(at)["channel"]) == ["biceps", "triceps"]


def test_sessions_opening_one_file_at_once_read_it_once(monkeypatch):
    calls, release = [], threading.Event()

    def slow_read(files, fs=None, **options):
        calls.append(files[0][0])
        release.wait(10)
        return Recording(np.zeros((1, 100)), fs=1000, ch_names=["a"])

    monkeypatch.setattr(cache, "read_files", slow_read)
    got = []
    threads = [threading.Thread(target=lambda: got.append(cache.read_cached("d", ("x.csv",), None, "{}",
                                                                            (("x.csv", b""),))))
               for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    release.set()
    for t in threads:
        t.join(10)
    assert calls == ["x.csv"] and len(got) == 4 and all(r is got[0] for r in got)
