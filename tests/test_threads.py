"""Threads for large work: the override, the free-core measure, and identical results on two threads."""

import os

import numpy as np
import pandas as pd
import pytest

from emgviz import _threads
from emgviz.features import feature_table
from emgviz.recording import Recording
from emgviz.views.lru import ByteLRU


def test_override_and_small_work(monkeypatch):
    monkeypatch.setenv("EMGVIZ_THREADS", "2")
    assert _threads.workers(16, 10) == 2
    assert _threads.workers(1, 10**9) == 1  # never more threads than pieces of work
    monkeypatch.setenv("EMGVIZ_THREADS", "1")
    assert _threads.workers(16, 10**9) == 1
    monkeypatch.delenv("EMGVIZ_THREADS")
    assert _threads.workers(16, 100) == 1  # small work: one thread whatever the machine


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="no /proc/stat on this platform")
def test_free_cores_is_a_share_of_the_machine_and_never_waits(monkeypatch):
    import time

    monkeypatch.setattr(_threads, "_last", None)
    t = time.perf_counter()
    assert _threads.free_cores() is None            # no earlier sample: the caller asks the load average
    assert _threads.free_cores() is None            # 0.1 s have not passed: the last answer again
    assert time.perf_counter() - t < 0.05           # never sleeps on the request path
    time.sleep(0.12)
    free = _threads.free_cores()
    assert free is not None and 0.0 <= free <= (os.cpu_count() or 1)
    assert _threads.free_cores() == free            # within 0.1 s: the same measurement


def test_busy_fraction_counts_normal_priority_work_of_others_only(monkeypatch):
    monkeypatch.setattr(_threads, "_self_niced", lambda: False)
    # user, nice, system, idle, iowait, irq, softirq, steal (ticks); own CPU time in s
    a = (0.0, [0, 0, 0, 0, 0, 0, 0, 0], 0.0)
    niced = (1.0, [0, 100, 0, 100, 0, 0, 0, 0], 0.0)   # one core of nice-d work, one idle
    assert _threads._busy_fraction(a, niced, nice_busy=False) == 0.0
    other = (1.0, [100, 0, 0, 100, 0, 0, 0, 0], 0.0)   # one core of someone else's normal work
    assert _threads._busy_fraction(a, other, nice_busy=False) == pytest.approx(0.5)
    ticks = os.sysconf("SC_CLK_TCK")
    own = (1.0, [100, 0, 0, 100, 0, 0, 0, 0], 100 / ticks)  # ... that was this process itself
    assert _threads._busy_fraction(a, own, nice_busy=False) == 0.0


def test_busy_fraction_with_autogroups_counts_nice_work_of_others(monkeypatch):
    # with sched_autogroup_enabled a nice 19 process of another session takes a full share
    a = (0.0, [0, 0, 0, 0, 0, 0, 0, 0], 0.0)
    niced = (1.0, [0, 100, 0, 100, 0, 0, 0, 0], 0.0)
    assert _threads._busy_fraction(a, niced, nice_busy=True) == pytest.approx(0.5)
    ticks = os.sysconf("SC_CLK_TCK")
    own_niced = (1.0, [0, 100, 0, 100, 0, 0, 0, 0], 100 / ticks)  # our own nice-d work: not "other"
    assert _threads._busy_fraction(a, own_niced, nice_busy=True) == 0.0
    monkeypatch.setattr(_threads, "_self_niced", lambda: True)   # without autogroups, a nice-d process
    both = (1.0, [100, 100, 0, 0, 0, 0, 0, 0], 100 / ticks)       # does not take its time from "user"
    assert _threads._busy_fraction(a, both, nice_busy=False) == pytest.approx(0.5)


def test_nice_counts_as_busy_reads_the_autogroup_switch(monkeypatch, tmp_path):
    switch = tmp_path / "sched_autogroup_enabled"
    for text, expected in (("1\n", True), ("0\n", False)):
        switch.write_text(text)
        monkeypatch.setattr(_threads, "_AUTOGROUP", str(switch))
        monkeypatch.setattr(_threads, "_nice_is_busy", None)
        assert _threads.nice_counts_as_busy() is expected
    monkeypatch.setattr(_threads, "_AUTOGROUP", str(tmp_path / "absent"))
    monkeypatch.setattr(_threads, "_nice_is_busy", None)
    assert _threads.nice_counts_as_busy() is False       # no such kernel switch: nice work is free


def test_workers_takes_one_thread_when_a_nice_process_of_another_session_fills_a_core(monkeypatch):
    # the counters say: one core ran someone's nice 19 work, the other this process
    monkeypatch.delenv("EMGVIZ_THREADS", raising=False)
    monkeypatch.setattr(_threads, "_self_niced", lambda: False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    ticks = os.sysconf("SC_CLK_TCK")
    samples = iter([(0.0, [0] * 8, 0.0), (1.0, [100, 100, 0, 0, 0, 0, 0, 0], 100 / ticks)] * 2)
    monkeypatch.setattr(_threads, "_counters", lambda: next(samples))
    for nice_busy, expected in ((True, 1), (False, 2)):
        monkeypatch.setattr(_threads, "_nice_is_busy", nice_busy)
        monkeypatch.setattr(_threads, "_last", None)
        monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
        assert _threads.workers(16, 1 << 26) == 2        # first call: no sample yet, the idle load average
        assert _threads.workers(16, 1 << 26) == expected


def test_feature_table_is_identical_on_two_threads(monkeypatch):
    rng = np.random.default_rng(5)
    rec = Recording(rng.normal(0, 1e-4, (6, 50_000)), fs=2000.0, ch_names=list("abcdef"))
    monkeypatch.setenv("EMGVIZ_THREADS", "1")
    one = feature_table(rec)
    monkeypatch.setenv("EMGVIZ_THREADS", "2")
    two = feature_table(rec)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert list(two["channel"]) == list("abcdef")  # rows stay in channel order


def test_thread_map_keeps_order():
    assert _threads.thread_map(lambda x: x * x, range(7), 2) == [0, 1, 4, 9, 16, 25, 36]
    assert _threads.thread_map(lambda x: -x, [3], 2) == [-3]


def test_lru_resize_counts_growth_and_evicts_the_oldest():
    lru = ByteLRU(100)
    lru.put("read", "R", 30)
    lru.put("old", "O", 30)
    lru.put("proc", "P", 30, keep=("read",))
    lru.resize("proc", 60)  # its envelope was read: 120 > 100, "old" goes; "read" stays (proc holds it)
    assert lru.keys() == ["read", "proc"] and lru.nbytes == 90
    lru.resize("proc", 60)  # unchanged: nothing happens
    lru.resize("absent", 10)
    assert lru.nbytes == 90 and lru.evictions == 1
