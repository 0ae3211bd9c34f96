"""The feature table computed ahead, on another thread (:func:`prefetch_feature_table`).

The app's Overview starts the table of a processed recording as soon as it exists, then decimates
and draws the traces; :func:`emgviz.features.feature_table` of that very recording then waits for
the table started here instead of computing it again (the same numbers: the same function runs).
"""

from __future__ import annotations

import threading
import traceback
import weakref
from concurrent.futures import Future

from . import features, td_kernel
from ._checks import check_positive, check_recording

__all__ = ["prefetch_feature_table", "PREFETCH_MAX", "PREFETCH_WAIT_S", "PREFETCH_NICE"]

#: Tables started by :func:`prefetch_feature_table` and not yet taken:
#: key -> (weak ref to the recording, Future, the Event that stops its computation).
_prefetched: dict[tuple[int, float], tuple[weakref.ref, Future, threading.Event]] = {}
_prefetch_lock = threading.Lock()
#: At most this many prefetched tables wait to be taken (the oldest is dropped; each is a small table).
PREFETCH_MAX = 4


def prefetch_feature_table(rec, *, segment_s: float = 0.25) -> Future | None:
    """Start :func:`~emgviz.features.feature_table` of ``rec`` on a background thread now; the next
    ``feature_table(rec, segment_s=segment_s)`` call with this very Recording object waits for it
    and returns its table (or raises its exception) instead of computing it again.

    For a caller with other work to do first (the app's Overview decimates and draws the traces while
    the table is computed): the two use both cores where one of them alone leaves a core idle part of
    the time. Only the table is kept, not the recording (a weak reference), until taken or until
    :data:`PREFETCH_MAX` newer ones push it out. One computation runs ahead at a time: starting one
    stops another still running that nobody took (before its next channel; its Future then raises
    :class:`~emgviz.features.TableAbandoned`), so it does not hold its recording beside the new one. Returns the Future, or None when the recording is
    too small for a thread to pay (below :data:`emgviz._threads.THREAD_MIN_VALUES` values: the
    table is then computed when asked for).
    """
    from ._threads import THREAD_MIN_VALUES

    check_recording(rec, "prefetch_feature_table")
    segment_s = check_positive(segment_s, "segment_s", "s")
    if rec.data.size < THREAD_MIN_VALUES:
        return None
    key = (id(rec), segment_s)
    future: Future = Future()
    stop = threading.Event()
    with _prefetch_lock:
        entry = _prefetched.get(key)
        if entry is not None and entry[0]() is rec:
            return entry[1]                      # already started for this recording
        # one computation ahead at a time: one still running that nobody took is stopped (it would hold
        # its recording, e.g. the filtered copy of settings the user has left, beside the new one)
        for other, (_ref, fut, flag) in list(_prefetched.items()):
            if not fut.done():
                flag.set()
                del _prefetched[other]
        _prefetched[key] = (weakref.ref(rec), future, stop)
        while len(_prefetched) > PREFETCH_MAX:
            _prefetched.pop(next(iter(_prefetched)))
    if rec.data.size >= td_kernel.LOAD_MIN_VALUES:
        td_kernel.warm_up_async()                # the compiled kernels, when not loaded yet, load meanwhile

    held = [rec]   # handed to the thread in a list it empties: no frame or default keeps the recording after

    def run():
        target = held.pop()
        if not future.set_running_or_notify_cancel():
            return
        _lower_this_threads_priority()   # the caller's own work (the figure) first; the table takes what is left
        try:
            if td_kernel.mode() != "numpy":
                td_kernel.wait_loaded(PREFETCH_WAIT_S)   # off the request path: the compiled kernels if loading
            future.set_result(features._feature_table(target, segment_s, stop))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller of feature_table
            # where it failed is kept, not the variables of the frames (they hold the recording)
            tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
            traceback.clear_frames(tb)
            future.set_exception(exc.with_traceback(tb))
        finally:
            del target

    threading.Thread(target=run, name="emgviz-feature-table", daemon=True).start()
    return future


#: A prefetching thread waits up to this long (s) for the compiled feature kernels still loading in the
#: background (:func:`emgviz.td_kernel.warm_up_async`): they take about half the CPU of NumPy's path.
PREFETCH_WAIT_S = 3.0
#: How much lower the priority (``nice``) of a prefetching thread and the threads it starts is than the caller's.
PREFETCH_NICE = 5


def _lower_this_threads_priority() -> None:
    """Raise this thread's ``nice`` by :data:`PREFETCH_NICE` (Linux: a thread's nice is its own, and the
    threads it starts inherit it). Inside one process (one scheduling session) the other threads then get
    the cores first and this one the time they leave; it never waits while a core is idle. The thread
    ends with its work, so nothing else keeps the lower priority. No effect where threads have no nice."""
    import os

    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + PREFETCH_NICE)
    except (AttributeError, OSError):
        pass


def _take_prefetched(rec, segment_s: float) -> Future | None:
    """The Future of a prefetched table of this very ``rec`` (removed from the waiting ones), else None."""
    if not _prefetched:
        return None
    with _prefetch_lock:
        entry = _prefetched.get((id(rec), segment_s))
        if entry is None or entry[0]() is not rec:
            return None
        del _prefetched[(id(rec), segment_s)]
        return entry[1]
