"""How many threads a large computation gets, and a map over channels on them.

NumPy's array arithmetic, its FFTs and SciPy's section loop release the GIL, so channels
computed on two threads use two cores. A second thread pays only when a core is free for it:
on a busy machine it was slower (benchmarks/RESULTS.md). On Linux the CPU time counters of
``/proc/stat`` decide, measured over the last few seconds, with this process's own CPU time
taken out.

``nice``-d work of other processes counts as busy when the kernel groups the scheduling by
session (``/proc/sys/kernel/sched_autogroup_enabled`` = 1, the default of desktop and many
server kernels): the CPU is then first shared equally between sessions, and ``nice`` only
ranks processes inside one, so a nice 19 process of another session takes as large a share as
a normal one. Measured on the 2-core development machine: two threads of SHA-256 ran 1.84–2.05×
faster than one alone, 0.96–1.16× while one ``nice -n 19`` busy loop ran in another session,
and ``feature_table`` on two threads took 3.1 s against 2.1 s on one. Without autogroups a nice
19 process gets almost nothing against a normal one, and its time counts as free.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, TypeVar

__all__ = ["workers", "thread_map", "free_cores", "nice_counts_as_busy"]

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


_AUTOGROUP = "/proc/sys/kernel/sched_autogroup_enabled"
_nice_is_busy: bool | None = None


def nice_counts_as_busy() -> bool:
    """True when ``nice``-d work of other processes takes a full share of a core from this one:
    the kernel schedules by session (autogroups, ``/proc/sys/kernel/sched_autogroup_enabled`` = 1).
    Read once per process."""
    global _nice_is_busy
    if _nice_is_busy is None:
        try:
            with open(_AUTOGROUP) as fh:
                _nice_is_busy = fh.read().strip() not in ("", "0")
        except OSError:
            _nice_is_busy = False
    return _nice_is_busy


def _busy_fraction(a, b, nice_busy: bool | None = None) -> float | None:
    """Fraction of all cores busy with work of other processes between samples a and b.

    Normal-priority work always counts; ``nice``-d work counts when ``nice_busy`` (default:
    :func:`nice_counts_as_busy`)."""
    (_, ca, own_a), (_, cb, own_b) = a, b
    d = [y - x for x, y in zip(ca, cb)]
    # user, nice, system, idle, iowait, irq, softirq, steal
    total = sum(d)
    if total <= 0:
        return None
    if nice_busy is None:
        nice_busy = nice_counts_as_busy()
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    own = max(0.0, (own_b - own_a) * ticks)      # this process's own CPU time is not "other work"
    busy = d[0] + d[2] + d[5] + d[6] + d[7]
    if nice_busy:
        busy += d[1] - own
    elif not _self_niced():                      # a nice-d process's own time is in the nice column
        busy -= own
    return max(0.0, busy / total)


def _self_niced() -> bool:
    """True when this process is ``nice``-d: its main thread's nice (Linux: ``PRIO_PROCESS`` of 0 would be the
    calling thread's own, e.g. a table computed ahead at nice +5)."""
    try:
        return os.getpriority(os.PRIO_PROCESS, os.getpid()) > 0
    except (AttributeError, OSError):
        return False


def free_cores() -> float | None:
    """Cores not busy with work of other processes (``nice``-d work counts as free only without
    autogroups, see :func:`nice_counts_as_busy`).

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
