"""Lab Streaming Layer (LSL) outlets and inlets for EMG recordings.

Stream metadata follows the usual LSL layout (the XDF meta-data conventions): the stream's
``desc`` holds ``channels``, with one ``channel`` per recording channel carrying ``label``
(the channel name), ``unit`` (as the recording holds it: ``V`` for volts) and ``type``
(``EMG`` for EMG channels). Samples are float32 and equal the recording's values cast to
float32 (no rescaling).

All LSL use goes through :func:`emgviz.live.lslconfig.lsl`, which applies emgviz's
loopback-only configuration first.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from ..recording import CHANNEL_KINDS, Recording
from .lslconfig import lsl

__all__ = ["stream_info", "publish", "find_stream", "list_streams", "channel_metadata", "StreamNotFound",
           "DEFAULT_CHUNK_MS", "FIND_TIMEOUT_S"]

#: Default chunk length pushed to the outlet, ms.
DEFAULT_CHUNK_MS = 20.0
#: How long ``record`` and the Live view wait for a stream by name, s.
FIND_TIMEOUT_S = 10.0


class StreamNotFound(LookupError):
    """No LSL stream with the requested name answered in time."""


def _channel_type(kind: str) -> str:
    return "EMG" if kind == "emg" else kind.capitalize()


def stream_info(rec: Recording, name: str, *, source_id: str | None = None, lan: bool = False):
    """The ``pylsl.StreamInfo`` describing ``rec`` as an LSL stream named ``name``.

    Parameters
    ----------
    rec : Recording
        Its channels become the stream's channels, in order.
    name : str
        The LSL stream name (what ``record --lsl NAME`` looks for).
    source_id : str, optional
        A stable id, which lets inlets recover after the outlet restarts. Default:
        ``emgviz-<name>``.
    lan : bool, default=False
        Use liblsl's network configuration instead of loopback (see :mod:`.lslconfig`).

    Returns
    -------
    pylsl.StreamInfo
        Type ``EMG``, nominal rate ``rec.fs``, float32, with ``desc/channels/channel``
        (``label``, ``unit``, ``type``) per channel and ``desc/acquisition/software = emgviz``.
    """
    if not str(name).strip():
        raise ValueError("the stream name must not be empty; pass --name NAME")
    pylsl = lsl(lan=lan)
    info = pylsl.StreamInfo(name, "EMG", rec.n_channels, float(rec.fs), pylsl.cf_float32,
                            source_id or f"emgviz-{name}")
    desc = info.desc()
    channels = desc.append_child("channels")
    for label, unit, kind in zip(rec.ch_names, rec.ch_units, rec.ch_kinds):
        ch = channels.append_child("channel")
        ch.append_child_value("label", label)
        ch.append_child_value("unit", unit)
        ch.append_child_value("type", _channel_type(kind))
    acq = desc.append_child("acquisition")
    acq.append_child_value("software", "emgviz")
    if rec.source:
        acq.append_child_value("source", str(rec.source))
    return info


def channel_metadata(info) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(names, units, kinds) of a resolved ``pylsl.StreamInfo``.

    Missing labels become ``ch1``, ``ch2``, ...; missing units ``"V"``; a channel ``type``
    maps to an emgviz channel kind (``EMG`` → ``emg``; unknown types → ``other``).
    """
    n = info.channel_count()
    labels = info.get_channel_labels() or [None] * n
    units = info.get_channel_units() or [None] * n
    types = info.get_channel_types() or [None] * n
    names = [str(lab) if lab else f"ch{i + 1}" for i, lab in enumerate(labels)]
    seen: dict[str, int] = {}
    for i, nm in enumerate(names):  # a Recording needs unique names
        if nm in seen:
            names[i] = f"{nm}_{i + 1}"
        seen[nm] = i
    kinds = []
    for t in types:
        k = (t or "EMG").strip().lower()
        kinds.append(k if k in CHANNEL_KINDS else "other")
    return tuple(names), tuple(str(u) if u else "V" for u in units), tuple(kinds)


def publish(rec: Recording, name: str, *, loop: bool = False, chunk_ms: float = DEFAULT_CHUNK_MS,
            stop: threading.Event | None = None, on_start=None, lan: bool = False) -> int:
    """Push ``rec`` to an LSL outlet at real time; returns the number of samples pushed.

    Sample ``k`` is due at ``t_start + k / fs`` (LSL clock); every ``chunk_ms`` the samples
    due so far are pushed as one chunk, time-stamped exactly on that grid, so an inlet can
    count missing samples from the time stamps. When the process falls behind (a busy
    machine) it catches up by pushing everything due; the long-run rate stays ``fs``.

    Parameters
    ----------
    rec : Recording
        What to stream; values are cast to float32 unchanged (volts stay volts).
    name : str
        LSL stream name.
    loop : bool, default=False
        Restart at the first sample after the last (time stamps keep running).
    chunk_ms : float, default=20
        Push interval in ms (1 to 1000).
    stop : threading.Event, optional
        Set it to stop; KeyboardInterrupt (Ctrl+C) also stops cleanly.
    on_start : callable, optional
        Called with the outlet once it exists (before the first sample).
    lan : bool, default=False
        See :mod:`.lslconfig`.
    """
    if not 1.0 <= float(chunk_ms) <= 1000.0:
        raise ValueError(f"chunk_ms must be between 1 and 1000 ms, got {chunk_ms!r}")
    pylsl = lsl(lan=lan)
    samples = np.ascontiguousarray(rec.data.T, dtype=np.float32)  # (n_samples, n_channels)
    n_total, fs = samples.shape[0], float(rec.fs)
    outlet = pylsl.StreamOutlet(stream_info(rec, name, lan=lan), chunk_size=0, max_buffered=360)
    stop = stop or threading.Event()
    if on_start is not None:
        on_start(outlet)
    pushed, pos = 0, 0
    t_start = pylsl.local_clock()
    period = float(chunk_ms) / 1000.0
    try:
        while not stop.is_set():
            now = pylsl.local_clock()
            due = int((now - t_start) * fs) + 1 - pushed  # samples whose time has come
            if due > 0:
                parts = []
                while due > 0:
                    take = min(due, n_total - pos)
                    parts.append(samples[pos:pos + take])
                    pos += take
                    due -= take
                    if pos >= n_total:
                        if not loop:
                            break
                        pos = 0
                chunk = parts[0] if len(parts) == 1 else np.concatenate(parts)
                if len(chunk):
                    stamps = t_start + (pushed + np.arange(len(chunk))) / fs
                    outlet.push_chunk(chunk, stamps.tolist())
                    pushed += len(chunk)
                if pos >= n_total and not loop:
                    break
            stop.wait(max(0.0, min(period, t_start + (pushed + fs * period) / fs - pylsl.local_clock())))
    except KeyboardInterrupt:
        pass
    finally:
        if not loop and pos >= n_total:
            time.sleep(0.5)  # let connected inlets take the last chunk before the outlet goes
        del outlet
    return pushed


def list_streams(*, wait_s: float = 1.0, lan: bool = False) -> list:
    """The ``pylsl.StreamInfo`` of every LSL stream that answers within ``wait_s`` seconds."""
    return list(lsl(lan=lan).resolve_streams(wait_time=float(wait_s)))


def find_stream(name: str, *, timeout_s: float = FIND_TIMEOUT_S, lan: bool = False):
    """The ``pylsl.StreamInfo`` of the stream called ``name``; waits up to ``timeout_s`` seconds.

    Raises
    ------
    StreamNotFound
        With a message saying how to start a stream and how to reach another computer.
    """
    found = lsl(lan=lan).resolve_byprop("name", name, minimum=1, timeout=float(timeout_s))
    if not found:
        where = "on the network" if lan else "on this machine (LSL is loopback-only unless --lan)"
        raise StreamNotFound(f"no LSL stream named {name!r} found {where} within {timeout_s:g} s; "
                             f"start one with `python -m emgviz stream FILE --name {name}`")
    return found[0]
