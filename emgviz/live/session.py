"""A running live source: a background thread pumps its samples into a ring buffer (and a recorder)."""

from __future__ import annotations

import threading
import time

from .record import Recorder
from .ring import RingBuffer
from .sources import Source, SourceStopped

__all__ = ["LiveSession", "POLL_S"]

#: How often the pump asks the source for new samples, s.
POLL_S = 0.01


class LiveSession:
    """Reads ``source`` on a daemon thread into a :class:`RingBuffer`; the view only takes snapshots.

    The drawing code never waits on the source: a slow or silent stream only means the
    snapshots stop changing, which :attr:`seconds_since_data` reports.

    Parameters
    ----------
    source : Source
        Any live source (:mod:`emgviz.live.sources`).
    seconds : float, default=10
        History kept in the ring buffer, s.

    Attributes
    ----------
    ring : RingBuffer
    error : str or None
        Why the pump stopped (the file ended, the stream went away, an exception), else None.
    """

    def __init__(self, source: Source, *, seconds: float = 10.0):
        self.source = source
        self.ring = RingBuffer(len(source.ch_names), source.fs, seconds)
        self.error: str | None = None
        self._recorder: Recorder | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._last_data = time.monotonic()
        self.started_at = time.monotonic()
        source.start()
        self._thread = threading.Thread(target=self._pump, name=f"emgviz-live-{source.name}", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            while not self._stop.is_set():
                chunk = self.source.read()
                if chunk.n:
                    self.ring.push(chunk.data, chunk.times)
                    self._last_data = time.monotonic()
                    with self._lock:
                        rec = self._recorder
                    if rec is not None:
                        rec.add(chunk)
                self._stop.wait(POLL_S)
        except SourceStopped as exc:
            self.error = str(exc)
        except Exception as exc:  # reported in the view, never a traceback there
            self.error = f"the source failed: {type(exc).__name__}: {exc}"
        finally:
            try:
                self.source.stop()
            except Exception:
                pass

    @property
    def running(self) -> bool:
        """True while the pump thread runs."""
        return self._thread.is_alive()

    @property
    def seconds_since_data(self) -> float:
        """Seconds since the last sample arrived (or since the start, if none yet)."""
        return time.monotonic() - self._last_data

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the pump and close the source."""
        self._stop.set()
        self._thread.join(timeout)

    # recording -----------------------------------------------------------------------------
    def start_recording(self, *, max_samples: int | None = None) -> Recorder:
        """Start keeping every sample from now on; returns the :class:`Recorder`."""
        src = self.source
        rec = Recorder(src.fs, src.ch_names, src.units, src.kinds, max_samples=max_samples,
                       source=f"live: {src.name}")
        with self._lock:
            self._recorder = rec
        return rec

    def stop_recording(self) -> Recorder | None:
        """Stop keeping samples; returns the recorder (None if none was running)."""
        with self._lock:
            rec, self._recorder = self._recorder, None
        return rec

    @property
    def recorder(self) -> Recorder | None:
        """The recorder currently running, or None."""
        with self._lock:
            return self._recorder
