"""Live EMG: stream sources (LSL, file replay, simulator), a ring buffer and a recorder.

Nothing here imports pylsl at import time; LSL is loaded, loopback-only by default, on first
use (see :mod:`emgviz.live.lslconfig`).
"""

from .boards import BrainFlowSource, brainflow_available
from .lslconfig import LAN_ENV, LOOPBACK_CONFIG, configure_lsl
from .record import Recorder, RecordResult, record_lsl
from .ring import RingBuffer, Snapshot, count_lost
from .session import LiveSession
from .trigger import SweepCapture, capture_sweeps
from .sources import (Chunk, LSLSource, NeedleSimulatorSource, ReplaySource, SimulatorSource, Source,
                      SourceStopped)

__all__ = ["configure_lsl", "LOOPBACK_CONFIG", "LAN_ENV", "RingBuffer", "Snapshot", "count_lost",
           "Source", "Chunk", "SourceStopped", "ReplaySource", "SimulatorSource", "NeedleSimulatorSource",
           "LSLSource", "BrainFlowSource", "brainflow_available", "SweepCapture", "capture_sweeps",
           "LiveSession", "Recorder", "RecordResult", "record_lsl"]
