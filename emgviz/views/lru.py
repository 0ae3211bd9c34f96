"""A least-recently-used store bounded by bytes, entries and idle time, computing each key once."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Hashable, Iterable, TypeVar

__all__ = ["ByteLRU"]

T = TypeVar("T")
_MISSING = object()


class ByteLRU:
    """Values by key, oldest use evicted first once they hold more than a byte budget.

    Thread-safe: one lock guards the table (held only to look up, insert and evict), and one lock per
    key being computed makes concurrent callers of :meth:`get_or_compute` with the same key wait for
    the first one's result instead of computing it again. Different keys compute in parallel.

    Parameters
    ----------
    budget_bytes : int or callable returning int
        Bytes the values may hold together (read at every insertion when a callable, e.g. from an
        environment variable). After an insertion the oldest entries are evicted until the total is
        within the budget; the entry just inserted is kept even when it alone exceeds the budget, so
        the caller that asked for it gets it (it is evicted by the next insertion). Entries named in
        ``keep`` of that insertion (the inputs it was computed from, which the caller still holds) are
        kept with it: evicting them would free no memory, only make them be computed again. When such
        an input is evicted later, the entries stored with it go too (they hold it).
    max_entries : int, optional
        At most this many entries (oldest evicted first).
    ttl_s : float, optional
        An entry not used for this many seconds is dropped.
    clock : callable, default=time.monotonic
        Seconds, for the idle time (tests pass a fake clock).

    Examples
    --------
    >>> lru = ByteLRU(100)
    >>> lru.get_or_compute("a", lambda: "x" * 60, len)
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
    >>> _ = lru.get_or_compute("b", lambda: "y" * 60, len)   # 120 > 100 bytes: "a" is evicted
    >>> lru.keys(), lru.nbytes
    (['b'], 60)
    """

    def __init__(self, budget_bytes: int | Callable[[], int], *, max_entries: int | None = None,
                 ttl_s: float | None = None, clock: Callable[[], float] = time.monotonic):
        self._budget = budget_bytes
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._clock = clock
        # key -> (value, bytes, time of last use), least recently used first
        self._entries: "OrderedDict[Hashable, tuple[object, int, float]]" = OrderedDict()
        self._nbytes = 0
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, list] = {}  # key -> [lock, number of callers holding or waiting]
        self._dependents: dict[Hashable, set] = {}  # input key -> keys stored with it in ``keep``
        self.hits = self.misses = self.evictions = 0

    # ---- reading -------------------------------------------------------------------------------
    @property
    def budget_bytes(self) -> int:
        """The byte budget now."""
        return int(self._budget() if callable(self._budget) else self._budget)

    @property
    def nbytes(self) -> int:
        """Bytes held by the values (as reported by their ``size`` at insertion)."""
        return self._nbytes

    def keys(self) -> list:
        """The keys, least recently used first."""
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key) -> bool:
        with self._lock:
            self._expire()
            return key in self._entries

    def get(self, key, default=None):
        """The value of ``key`` (marked as just used), or ``default``."""
        with self._lock:
            value = self._lookup(key)
        return default if value is _MISSING else value

    def touch(self, key) -> bool:
        """Mark ``key`` as just used without reading it (not counted as a hit); False when absent."""
        with self._lock:
            self._expire()
            entry = self._entries.get(key)
            if entry is None:
                return False
            self._entries[key] = (entry[0], entry[1], self._clock())
            self._entries.move_to_end(key)
            return True

    # ---- writing -------------------------------------------------------------------------------
    def get_or_compute(self, key: Hashable, compute: Callable[[], T], size: Callable[[T], int],
                       keep: Iterable[Hashable] = (), reserve: int = 0) -> T:
        """The value of ``key``, computing it with ``compute()`` once if absent.

        ``size(value)`` gives its bytes. Callers with the same key at the same time wait for one
        computation; an exception from ``compute`` reaches every caller that computes, nothing is
        stored, and a waiting caller then computes itself. ``keep``: keys not to evict when the value
        is stored (see :meth:`put`). ``reserve``: the bytes the value will hold, when known in advance
        (a filtered copy is as large as its input): the oldest entries are evicted BEFORE computing it
        until it fits (:meth:`make_room`), so the new value and the ones it would evict are never held
        together (an hour of 16 channels filtered twice is 0.92 GB more at the peak otherwise).
        """
        with self._lock:
            value = self._lookup(key)
            if value is not _MISSING:
                return value
            slot = self._key_locks.setdefault(key, [threading.Lock(), 0])
            slot[1] += 1
        try:
            with slot[0]:
                with self._lock:  # computed by another caller while this one waited?
                    value = self._lookup(key)
                if value is not _MISSING:
                    return value
                if reserve:
                    self.make_room(int(reserve), keep=(key, *keep))
                value = compute()
                self.put(key, value, int(size(value)), keep=keep)
                return value
        finally:
            with self._lock:
                slot[1] -= 1
                if slot[1] == 0:
                    self._key_locks.pop(key, None)

    def put(self, key: Hashable, value, nbytes: int, keep: Iterable[Hashable] = ()) -> None:
        """Store ``value`` (``nbytes`` bytes) as just used, then evict the oldest entries over the bounds.

        The entry just stored and those in ``keep`` (its inputs, e.g. the recording as read when its
        filtered copies are stored) are not evicted by this insertion, even together over the budget:
        the caller holds them anyway, and evicting an input its output needs made the two evict each
        other at every rerun, each time read and filtered again.
        """
        with self._lock:
            self.misses += 1
            old = self._entries.pop(key, None)
            if old is not None:
                self._nbytes -= old[1]
            self._entries[key] = (value, int(nbytes), self._clock())
            self._nbytes += int(nbytes)
            for k in keep:
                if k in self._entries and k != key:
                    self._dependents.setdefault(k, set()).add(key)
            self._evict(keep={key, *keep})

    def make_room(self, nbytes: int, keep: Iterable[Hashable] = ()) -> None:
        """Evict the oldest entries (except those in ``keep`` and the inputs they were stored with)
        until ``nbytes`` more fit in the budget, or nothing but them is left.

        Called before a value of known size is computed. The evicted values are freed at once when
        nothing else holds them, so a computation no longer has the entries it replaces beside it.
        """
        with self._lock:
            keep = set(keep)
            for k in list(keep):
                keep |= self._inputs_of(k)
            self._evict(keep=keep, extra=int(nbytes))

    def resize(self, key: Hashable, nbytes: int) -> None:
        """Record that ``key``'s value now holds ``nbytes`` bytes (a value that computes parts of itself
        on demand grows); when it grew, the oldest other entries are evicted until the total is within
        the budget. Nothing happens when ``key`` is absent or its size is unchanged."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[1] == int(nbytes):
                return
            self._entries[key] = (entry[0], int(nbytes), entry[2])
            self._nbytes += int(nbytes) - entry[1]
            if int(nbytes) > entry[1]:
                self._evict(keep={key, *self._inputs_of(key)})

    def _inputs_of(self, key) -> set:
        return {k for k, deps in self._dependents.items() if key in deps}

    def pop(self, key, default=None):
        """Remove ``key``; its value or ``default``."""
        with self._lock:
            entry = self._entries.pop(key, None)
            self._dependents.pop(key, None)
            if entry is None:
                return default
            self._nbytes -= entry[1]
            return entry[0]

    def clear(self) -> None:
        """Drop every entry (computations under way still finish and store their value)."""
        with self._lock:
            self._entries.clear()
            self._dependents.clear()
            self._nbytes = 0

    # ---- inside the lock ---------------------------------------------------------------------------
    def _lookup(self, key):
        self._expire()
        entry = self._entries.get(key)
        if entry is None:
            return _MISSING
        self._entries[key] = (entry[0], entry[1], self._clock())
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[0]

    def _expire(self) -> None:
        if self.ttl_s is None:
            return
        limit = self._clock() - self.ttl_s
        for key in [k for k, (_, _, used) in self._entries.items() if used < limit]:
            if key in self._entries:
                self._drop(key, keep=set())

    def _evict(self, *, keep: set, extra: int = 0) -> None:
        """Evict the oldest entries not in ``keep`` while the values (and ``extra`` bytes about to be
        stored, with one more entry) exceed the bounds."""
        self._expire()
        budget = self.budget_bytes - extra
        max_entries = None if self.max_entries is None else self.max_entries - (1 if extra else 0)
        while len(self._entries) > (0 if extra else 1) and (
                self._nbytes > budget or (max_entries is not None and len(self._entries) > max_entries)):
            oldest = next((k for k in self._entries if k not in keep), _MISSING)
            if oldest is _MISSING:  # only the entry just stored (and its inputs) are left over the budget
                break
            self._drop(oldest, keep=keep)

    def _drop(self, key, *, keep: set) -> None:
        """Evict ``key`` and the entries stored with it as their input (they hold it: a processed
        recording holds the recording it was filtered from, so evicting only the input frees nothing
        while the store stops counting it)."""
        self._nbytes -= self._entries.pop(key)[1]
        self.evictions += 1
        for dep in self._dependents.pop(key, ()):
            if dep in self._entries and dep not in keep:
                self._drop(dep, keep=keep)
