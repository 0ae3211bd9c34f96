"""Record a live stream to a file: every sample, in order, with a count of what was lost."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..io.write import FORMATS, write_file
from ..recording import Recording
from .ring import count_lost
from .sources import Chunk, SourceStopped

__all__ = ["Recorder", "RecordResult", "record_lsl", "check_out_path"]


def check_out_path(out) -> Path:
    """``out`` as a Path with a suffix :func:`emgviz.write_file` writes (``.npz``, ``.edf``, ``.csv``, ``.bdf``)."""
    path = Path(out)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"cannot record to {path.name!r}: the file name must end in one of "
                         f"{', '.join(sorted(FORMATS))} (e.g. --out session.npz)")
    if path.parent and not path.parent.exists():
        raise ValueError(f"the folder {str(path.parent)!r} does not exist; create it or choose another --out")
    return path


class Recorder:
    """Collects chunks from a source, in order, up to an optional number of samples.

    Thread-safe: one thread adds, another may read the counters or stop it.

    Parameters
    ----------
    fs : float
        Nominal sampling rate, Hz (the recording's fs).
    ch_names, units, kinds : sequence of str
        Channel names, units and kinds, as the source states them.
    max_samples : int, optional
        Stop after this many samples (the rest of the last chunk is not kept).
    source : str, default=""
        Where the samples came from (kept in the recording).
    """

    def __init__(self, fs, ch_names, units, kinds, *, max_samples: int | None = None, source: str = ""):
        self.fs = float(fs)
        self.ch_names, self.units, self.kinds = tuple(ch_names), tuple(units), tuple(kinds)
        self.max_samples = None if max_samples is None else int(max_samples)
        self.source = source
        self._chunks: list[np.ndarray] = []
        self._n = 0
        self._first = None
        self._last = None
        self._lock = threading.Lock()
        self.started_at = time.time()

    def add(self, chunk: Chunk) -> int:
        """Keep the samples of ``chunk`` (up to ``max_samples`` in all); returns how many were kept."""
        with self._lock:
            take = chunk.n if self.max_samples is None else max(0, min(chunk.n, self.max_samples - self._n))
            if take == 0:
                return 0
            self._chunks.append(np.array(chunk.data[:, :take], dtype=np.float64))
            if self._first is None:
                self._first = float(chunk.times[0])
            self._last = float(chunk.times[take - 1])
            self._n += take
            return take

    @property
    def n_samples(self) -> int:
        """Samples kept so far."""
        with self._lock:
            return self._n

    @property
    def done(self) -> bool:
        """True once ``max_samples`` samples are kept."""
        with self._lock:
            return self.max_samples is not None and self._n >= self.max_samples

    @property
    def lost(self) -> int:
        """Samples missing between the first and the last kept time stamp (see :func:`count_lost`)."""
        with self._lock:
            return 0 if self._first is None else count_lost(self._first, self._last, self._n, self.fs)

    def to_recording(self) -> Recording:
        """The samples kept, as a Recording (fs = the nominal rate, t0 = 0).

        The first LSL time stamp and the lost count are kept in ``meta``.
        """
        with self._lock:
            if not self._n:
                raise ValueError("nothing was recorded: the stream sent no samples")
            data = np.concatenate(self._chunks, axis=1) if len(self._chunks) > 1 else self._chunks[0]
            first, n, last = self._first, self._n, self._last
        emg_units = [u for u, k in zip(self.units, self.kinds) if k == "emg"]
        meta = {"recorded_from": self.source, "first_timestamp_s": first,
                "samples_lost": count_lost(first, last, n, self.fs), "recorded_at_unix_s": self.started_at}
        return Recording(data, fs=self.fs, ch_names=self.ch_names, unit=emg_units[0] if emg_units else "V",
                         ch_units=self.units, ch_kinds=self.kinds, source=self.source, meta=meta)


@dataclass(frozen=True)
class RecordResult:
    """What :func:`record_lsl` wrote: the file, the samples kept, the samples lost, whether it completed."""

    path: Path
    n_samples: int
    lost: int
    complete: bool
    fs: float


def record_lsl(name: str, seconds: float, out, *, timeout_s: float = 10.0, lan: bool = False,
               stop: threading.Event | None = None, on_progress=None) -> RecordResult:
    """Record ``seconds`` of the LSL stream ``name`` to ``out`` (``.npz``, ``.edf``, ``.csv``).

    The length is counted in samples: ``round(seconds * nominal rate)``. Ctrl+C (or ``stop``)
    ends early and writes what arrived.

    Parameters
    ----------
    name : str
        LSL stream name; waits up to ``timeout_s`` seconds for it.
    seconds : float
        Length to record, s (> 0).
    out : str or PathLike
        File to write; the format comes from the suffix (see :func:`emgviz.write_file`).
    on_progress : callable, optional
        Called about once a second with (samples kept, samples wanted).

    Returns
    -------
    RecordResult
    """
    if not (np.isfinite(seconds) and seconds > 0):
        raise ValueError(f"--seconds must be a positive number of seconds, got {seconds!r}")
    path = check_out_path(out)
    from .sources import LSLSource

    src = LSLSource(name, timeout_s=timeout_s, lan=lan)
    wanted = int(round(seconds * src.fs))
    if wanted < 1:
        raise ValueError(f"--seconds {seconds:g} is less than one sample at {src.fs:g} Hz")
    rec = Recorder(src.fs, src.ch_names, src.units, src.kinds, max_samples=wanted, source=f"LSL stream {name}")
    stop = stop or threading.Event()
    src.start()
    last_report = time.monotonic()
    try:
        while not rec.done and not stop.is_set():
            try:
                chunk = src.read()
            except SourceStopped:
                break
            if chunk.n:
                rec.add(chunk)
            else:
                stop.wait(0.005)
            if on_progress is not None and time.monotonic() - last_report >= 1.0:
                last_report = time.monotonic()
                on_progress(rec.n_samples, wanted)
    except KeyboardInterrupt:
        pass
    finally:
        src.stop()
    written = write_file(rec.to_recording(), path)
    return RecordResult(written, rec.n_samples, rec.lost, rec.n_samples >= wanted, src.fs)
