"""Live sources behind one small interface: an LSL inlet, a file replayed at real time, the simulators.

Every source has ``name``, ``fs`` (Hz), ``ch_names``, ``units`` and ``kinds``, and three
methods: ``start()``, ``stop()`` and ``read()``. ``read()`` never waits: it returns the
samples that arrived (or fell due) since the previous call, possibly none, as a
:class:`Chunk` shaped (n_channels, n). None of this imports Streamlit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ..recording import Recording

__all__ = ["Chunk", "Source", "ReplaySource", "SimulatorSource", "NeedleSimulatorSource", "LSLSource",
           "SourceStopped"]


class SourceStopped(RuntimeError):
    """The source will send no more samples (the file ended, the LSL outlet went away)."""


@dataclass(frozen=True)
class Chunk:
    """Samples read from a source in one call.

    Attributes
    ----------
    data : ndarray, shape (n_channels, n)
        Samples in the source's units (volts for EMG), float64.
    times : ndarray, shape (n,)
        Time stamps, s, on the source's clock.
    """

    data: np.ndarray
    times: np.ndarray

    @property
    def n(self) -> int:
        return int(self.times.size)


@runtime_checkable
class Source(Protocol):
    """What the live view, the pump and the recorder need from a stream."""

    name: str
    fs: float
    ch_names: tuple[str, ...]
    units: tuple[str, ...]
    kinds: tuple[str, ...]

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def read(self) -> Chunk: ...


class ReplaySource:
    """A recording played back at real time, looping by default.

    ``read()`` returns the samples whose time has come since ``start()`` (sample ``k`` is
    due at ``k / fs`` s), wrapping to the start when ``loop``; time stamps run on
    ``time.monotonic()`` and keep increasing across loops.

    Parameters
    ----------
    rec : Recording
        Any recording :func:`emgviz.read_file` reads.
    loop : bool, default=True
        Restart at the end; otherwise ``read()`` raises :class:`SourceStopped` once all
        samples were returned.
    name : str, optional
        Shown in the view; default the recording's source.

    Attributes
    ----------
    t_start : float or None
        ``time.monotonic()`` at ``start()``: sample ``k`` carries the time stamp
        ``t_start + k / fs`` (None when stopped).
    """

    def __init__(self, rec: Recording, *, loop: bool = True, name: str | None = None):
        self.rec = rec
        self.loop = bool(loop)
        self.name = name or rec.source or "replay"
        self.fs = float(rec.fs)
        self.ch_names, self.units, self.kinds = rec.ch_names, rec.ch_units, rec.ch_kinds
        self.t_start: float | None = None
        self._sent = 0

    def start(self) -> None:
        self.t_start, self._sent = time.monotonic(), 0

    def stop(self) -> None:
        self.t_start = None

    def read(self) -> Chunk:
        if self.t_start is None:
            raise SourceStopped(f"{self.name} is not started")
        n_total = self.rec.n_samples
        due = int((time.monotonic() - self.t_start) * self.fs) + 1 - self._sent
        if not self.loop:
            if self._sent >= n_total:
                raise SourceStopped(f"the replay of {self.name} reached the end of the file")
            due = min(due, n_total - self._sent)
        due = max(0, due)
        idx = (self._sent + np.arange(due)) % n_total
        times = self.t_start + (self._sent + np.arange(due)) / self.fs
        self._sent += due
        return Chunk(self.rec.data[:, idx], times)


class SimulatorSource(ReplaySource):
    """The surface-EMG simulator (:func:`emgviz.simulate`), generated once and replayed looping.

    Parameters
    ----------
    n_channels : int, default=2
        Channels (independent motor-unit pools).
    fs : float, default=2000
        Sampling rate, Hz.
    profile : str, default="bursts"
        A profile of :func:`emgviz.simulate.simulate` (``"bursts"``, ``"sustained"``, ...).
    level : float, default=0.5
        Drive level (0..1).
    duration_s : float, default=10
        Length of the generated loop, s.
    seed : int, default=0
        Random seed (the same seed gives the same samples).
    """

    def __init__(self, *, n_channels: int = 2, fs: float = 2000.0, profile: str = "bursts", level: float = 0.5,
                 duration_s: float = 10.0, seed: int = 0):
        from ..simulate import simulate

        sim = simulate(fs=fs, duration_s=duration_s, profile=profile, level=level, n_channels=n_channels,
                       seed=seed)
        super().__init__(sim.recording, loop=True, name=f"simulator ({profile}, {n_channels} ch)")


class NeedleSimulatorSource(ReplaySource):
    """The concentric-needle simulator (:func:`emgviz.simulate.simulate_needle`), generated once, replayed looping.

    Parameters
    ----------
    preset : {"normal", "myopathic", "neurogenic"}, default="normal"
        The muscle (see :data:`emgviz.simulate.NEEDLE_PRESETS`).
    force : float, default=0.05
        Voluntary force 0–1 (0.05: a minimal contraction showing single motor-unit potentials).
    fs : float, default=10000
        Sampling rate, Hz (the simulator accepts 4–50 kHz).
    duration_s : float, default=5
        Length of the generated loop, s.
    seed : int, default=0
    """

    def __init__(self, preset: str = "normal", *, force: float = 0.05, fs: float = 10_000.0,
                 duration_s: float = 5.0, seed: int = 0):
        from ..simulate import simulate_needle

        sim = simulate_needle(preset, force=force, duration_s=duration_s, fs=fs, seed=seed)
        super().__init__(sim.recording, loop=True, name=f"needle simulator ({preset}, force {force:g})")


class LSLSource:
    """An LSL inlet on the stream called ``name`` (loopback-only unless ``lan``).

    ``start()`` waits up to ``timeout_s`` for the stream (raises
    :class:`emgviz.live.lsl.StreamNotFound`); ``read()`` takes whatever the inlet holds
    without waiting. Time stamps are the outlet's (LSL clock, s).
    """

    def __init__(self, name: str, *, timeout_s: float = 10.0, lan: bool = False, info=None):
        from .lsl import channel_metadata, find_stream

        self.name, self.lan = name, lan
        from .lslconfig import lsl

        resolved = info if info is not None else find_stream(name, timeout_s=timeout_s, lan=lan)
        self._inlet = lsl(lan=lan).StreamInlet(resolved, max_buflen=360, recover=False)
        self._info = self._inlet.info(timeout=timeout_s)  # the full description: a resolved info has no desc
        self._open = False
        self.fs = float(self._info.nominal_srate())
        if not self.fs > 0:
            raise ValueError(f"the LSL stream {name!r} has no nominal sampling rate (irregular stream); "
                             "emgviz records regularly sampled EMG streams only")
        self.ch_names, self.units, self.kinds = channel_metadata(self._info)
        self.source_id = self._info.source_id()
        self._buf = np.empty((max(1, int(self.fs * 2)), len(self.ch_names)), dtype=np.float32)

    def start(self) -> None:
        if self._inlet is None:
            raise SourceStopped(f"the LSL inlet on {self.name!r} was closed; make a new LSLSource")
        self._inlet.open_stream(timeout=10.0)
        self._open = True

    def stop(self) -> None:
        if self._inlet is not None:
            self._inlet.close_stream()
            self._inlet = None
        self._open = False

    def read(self) -> Chunk:
        if not self._open:
            raise SourceStopped(f"the LSL inlet on {self.name!r} is not open")
        from pylsl.util import LostError  # pylsl is configured: the inlet exists

        try:
            _, stamps = self._inlet.pull_chunk(timeout=0.0, max_samples=self._buf.shape[0], dest_obj=self._buf)
        except LostError:
            raise SourceStopped(f"the LSL stream {self.name!r} stopped (its outlet went away)") from None
        n = len(stamps)
        return Chunk(self._buf[:n].T.astype(np.float64), np.asarray(stamps, dtype=np.float64))
