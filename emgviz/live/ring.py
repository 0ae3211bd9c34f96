"""A thread-safe ring buffer holding the last N seconds of a multi-channel stream."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

__all__ = ["RingBuffer", "Snapshot", "count_lost"]


def count_lost(first_stamp: float, last_stamp: float, received: int, fs: float) -> int:
    """Samples missing between two time stamps of a regularly sampled stream.

    ``round((last - first) * fs) + 1`` samples are expected from the first to the last
    time stamp inclusive; fewer received means the difference was lost. Jitter of single
    chunks cancels (only the first and last stamps count); more received than expected
    (duplicates, a clock running fast) gives 0, never a negative count.
    """
    if received <= 0:
        return 0
    expected = int(round((last_stamp - first_stamp) * fs)) + 1
    return max(0, expected - int(received))


@dataclass(frozen=True)
class Snapshot:
    """A copy of the newest samples and the counters at the moment it was taken.

    Attributes
    ----------
    data : ndarray, shape (n_channels, n)
        The last ``n`` samples, oldest first (float64, the stream's unit).
    times : ndarray, shape (n,)
        Their time stamps, s (the source's clock).
    received : int
        Samples pushed into the buffer since it was made.
    lost : int
        Samples missing according to the time stamps (see :func:`count_lost`).
    """

    data: np.ndarray
    times: np.ndarray
    received: int
    lost: int


class RingBuffer:
    """The newest ``seconds * fs`` samples of ``n_channels`` channels; safe across threads.

    One thread pushes chunks (the source's pump), others take snapshots (the view);
    a lock guards every access. Counters: :attr:`received` (all samples pushed) and
    :attr:`lost` (samples missing between the first and the newest time stamp).

    Parameters
    ----------
    n_channels : int
        Channels per sample.
    fs : float
        Nominal sampling rate, Hz.
    seconds : float, default=10
        How much history to keep, s.

    Examples
    --------
    >>> rb = RingBuffer(2, fs=100, seconds=1)
    >>> rb.push(np.ones((2, 30)), np.arange(30) / 100)
    >>> rb.received, rb.snapshot(0.1).data.shape
    (30, (2, 10))
    """

    def __init__(self, n_channels: int, fs: float, seconds: float = 10.0):
        if int(n_channels) < 1:
            raise ValueError(f"n_channels must be at least 1, got {n_channels}")
        if not (np.isfinite(fs) and fs > 0):
            raise ValueError(f"fs must be a positive sampling rate in Hz, got {fs!r}")
        if not seconds > 0:
            raise ValueError(f"seconds must be positive, got {seconds!r}")
        self.n_channels, self.fs = int(n_channels), float(fs)
        self.capacity = max(1, int(round(seconds * fs)))
        self._data = np.zeros((self.n_channels, self.capacity))
        self._times = np.zeros(self.capacity)
        self._lock = threading.Lock()
        self._end = 0            # samples ever written (write position = _end % capacity)
        self._first_stamp = None
        self._last_stamp = None

    def push(self, data, times) -> None:
        """Append a chunk: ``data`` shape (n_channels, n), ``times`` shape (n,) in s."""
        data = np.asarray(data, dtype=np.float64)
        times = np.asarray(times, dtype=np.float64).reshape(-1)
        if data.ndim != 2 or data.shape[0] != self.n_channels:
            raise ValueError(f"a chunk must be shaped ({self.n_channels}, n), got {data.shape}")
        if data.shape[1] != times.size:
            raise ValueError(f"the chunk has {data.shape[1]} samples but {times.size} time stamps")
        n = times.size
        if n == 0:
            return
        if n > self.capacity:  # only the newest capacity samples can be kept
            data, times = data[:, -self.capacity:], times[-self.capacity:]
        m = times.size
        with self._lock:
            start = (self._end + n - m) % self.capacity
            first = min(m, self.capacity - start)
            self._data[:, start:start + first] = data[:, :first]
            self._times[start:start + first] = times[:first]
            if first < m:
                self._data[:, :m - first] = data[:, first:]
                self._times[:m - first] = times[first:]
            self._end += n
            if self._first_stamp is None:
                self._first_stamp = float(times[0]) - (n - m) / self.fs
            self._last_stamp = float(times[-1])

    @property
    def received(self) -> int:
        """Samples pushed since the buffer was made."""
        with self._lock:
            return self._end

    @property
    def lost(self) -> int:
        """Samples missing according to the time stamps (see :func:`count_lost`)."""
        with self._lock:
            return self._lost_locked()

    def _lost_locked(self) -> int:
        if self._first_stamp is None:
            return 0
        return count_lost(self._first_stamp, self._last_stamp, self._end, self.fs)

    def snapshot(self, seconds: float | None = None) -> Snapshot:
        """A copy of the newest ``seconds`` (default: all held) with the counters."""
        with self._lock:
            held = min(self._end, self.capacity)
            n = held if seconds is None else min(held, max(0, int(round(seconds * self.fs))))
            idx = (self._end - n + np.arange(n)) % self.capacity
            return Snapshot(self._data[:, idx], self._times[idx], self._end, self._lost_locked())

    def since(self, start: int, *, channel: int | None = None) -> Snapshot:
        """A copy of the samples from the ``start``-th ever pushed (0-based) to the newest.

        ``start`` counts every sample pushed since the buffer was made (sample ``received - 1``
        is the newest); samples already overwritten are left out, so the copy starts at
        ``max(start, received - capacity)``: its first sample is number ``received - n``.
        ``channel`` (an index) copies that channel only (``data`` is then shaped (1, n)).

        Examples
        --------
        >>> rb = RingBuffer(1, fs=10, seconds=1)
        >>> rb.push(np.arange(25.0)[None, :], np.arange(25) / 10)
        >>> s = rb.since(20)
        >>> s.data[0].tolist(), s.received
        ([20.0, 21.0, 22.0, 23.0, 24.0], 25)
        >>> rb.since(0).data.shape          # only the newest 10 are held
        (1, 10)
        """
        if channel is not None and not 0 <= int(channel) < self.n_channels:
            raise ValueError(f"channel must be an index from 0 to {self.n_channels - 1}, got {channel!r}")
        rows = slice(None) if channel is None else slice(int(channel), int(channel) + 1)
        with self._lock:
            first = max(int(start), self._end - self.capacity, 0)
            n = max(0, self._end - first)
            idx = (first + np.arange(n)) % self.capacity
            return Snapshot(self._data[rows][:, idx], self._times[idx], self._end, self._lost_locked())
