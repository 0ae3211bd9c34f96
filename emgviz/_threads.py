"""How many threads a large computation gets, and a map over channels on them.

NumPy's array arithmetic, its FFTs and SciPy's section loop release the GIL, so channels
computed on two threads use two cores. A second thread pays only when a core is free for it:
on a busy machine it was slower (benchmarks/RESULTS.md). "Free" counts a core running only
``nice``-d work as free (the scheduler gives a normal-priority thread nearly all of it over
a nice 19 process); the load average cannot tell them apart, so on Linux the CPU time
counters of ``/proc/stat`` decide, measured over the last few seconds.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, TypeVar

__all__ = ["workers", "thread_map", "free_cores"]

T = TypeVar("T")
R = TypeVar("R")

#: Below this many values a second thread costs more than it saves.
THREAD_MIN_VALUES = 1 << 21
#: Free cores are measured over at least this many seconds (sampled now when the last sample is older).
_MIN_SPAN_S = 0.1
#: A sample older than this is stale: measure afresh.
_MAX_SPAN_S = 10.0

_lock = threading.Lock()
_last: tuple[float, list[int], float] | None = None   # (monotonic time, /proc/stat cpu counters, own CPU s)
_last_free: float | None = None                       # the answer measured at _last


def _counters() -> tuple[float, list[int], float] | None:
    try:
        with open("/proc/stat") as fh:
            fields = fh.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    t = os.times()
    return time.monotonic(), [int(v) for v in fields[1:9]], t.user + t.system


def _busy_fraction(a, b) -> float | None:
    """Fraction of all cores busy with normal-priority work of other processes between samples a and b."""
    (_, ca, own_a), (_, cb, own_b) = a, b
    d = [y - x for x, y in zip(ca, cb)]
    # user, nice, system, idle, iowait, irq, softirq, steal
    total = sum(d)
    if total <= 0:
        return None
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    own = max(0.0, (own_b - own_a) * ticks)      # this process's own CPU time is not "other work"
    busy = d[0] + d[2] + d[5] + d[6] + d[7] - own
    return max(0.0, busy / total)


def free_cores() -> float | None:
    """Cores not busy with normal-priority work of other processes (``nice``-d work counts as free).

    From ``/proc/stat`` since the previous call when that was 0.1–10 s ago. A call sooner than
    0.1 s after the last measurement returns that measurement again; with no sample or a sample
    older than 10 s it records one and returns None (the caller then uses the load average this
    once). It never waits. None also where there is no ``/proc/stat``. The CPU time of this whole
    process (every session of a server) counts as free: the threads decided here share it.
    """
    global _last, _last_free
    cpus = os.cpu_count() or 1
    now = _counters()
    if now is None:
        return None
    with _lock:
        prev = _last
        if prev is not None and now[0] - prev[0] < _MIN_SPAN_S:
            return _last_free             # too short a span to measure: the last answer
        _last = now
        if prev is None or now[0] - prev[0] > _MAX_SPAN_S:
            _last_free = None
            return None                   # no recent sample: ask the load average this once
        busy = _busy_fraction(prev, now)
        _last_free = None if busy is None else cpus * (1.0 - busy)
        return _last_free


def workers(n_tasks: int, n_values: int) -> int:
    """Threads for ``n_tasks`` independent pieces of work over ``n_values`` samples: 2 when a core is
    free and the work is large, else 1.

    ``EMGVIZ_THREADS`` (a whole number) overrides. A core is free when the CPU counters say so
    (:func:`free_cores`, Linux) or, elsewhere, when the 1-minute load average leaves one idle.
    """
    text = os.environ.get("EMGVIZ_THREADS", "").strip()
    if text:
        try:
            return max(1, min(int(text), max(1, n_tasks)))
        except ValueError:
            pass
    cpus = os.cpu_count() or 1
    if cpus < 2 or n_tasks < 2 or n_values < THREAD_MIN_VALUES:
        return 1
    free = free_cores()
    if free is None:
        try:
            free = cpus - os.getloadavg()[0]
        except (AttributeError, OSError):  # no load average on this platform
            return 1
    # this computation takes one core itself: a second thread needs one more free core besides it
    return 2 if free >= 1.5 else 1


def thread_map(fn: Callable[[T], R], items: Iterable[T], n_workers: int) -> list[R]:
    """``[fn(x) for x in items]``, on ``n_workers`` threads when more than 1 (results in order)."""
    items = list(items)
    if n_workers <= 1 or len(items) < 2:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(n_workers) as pool:
        return list(pool.map(fn, items))
