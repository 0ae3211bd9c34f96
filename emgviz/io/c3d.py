"""C3D motion-capture files, read with ``ezc3d``: the analog channels (EMG, force plates, ...) and events.

Time convention
---------------
C3D numbers video frames from 1 and stores event times in seconds on a clock where
frame 1 is at t = 0. A trimmed capture starts at a later frame ``first_frame`` (the
header's 1-based value), so its first analog sample is at
``t0 = (first_frame - 1) / point_rate`` s. The recording's ``t0`` is set to that and the
events keep their file times, so both share one clock (what Vicon Nexus and QTM show).
"""

from __future__ import annotations

import os
import tempfile
from typing import Sequence

import numpy as np

from ..errors import ReadError
from ..recording import Recording
from ._build import make_recording
from . import limits, units
from ._names import unique_names

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "read_path", "needs_isolation"]

FORMAT = "C3D"
SUFFIXES = (".c3d",)


def needs_isolation(head: bytes) -> bool:
    """Always: ezc3d can crash or allocate gigabytes on a damaged file (run it in a child process)."""
    return True


def sniff(head: bytes, name: str) -> bool:
    """True for a C3D header: byte 1 is 0x50 and byte 0 points to the parameter block (usually 2)."""
    if len(head) < 512 or head[1] != 0x50:
        return False
    start = head[0]
    if not 2 <= start <= 64:
        return False
    if len(head) >= start * 512:  # parameter block header: processor type 84-86 at byte 3
        proc = head[(start - 1) * 512 + 3]
        return proc in (84, 85, 86)
    return True


def _param(params, group: str, name: str, default=None):
    """Value of GROUP:NAME, joined with its NAME2, NAME3 ... overflow parameters (lists)."""
    grp = params[group] if group in params else {}
    if name not in grp:
        return default
    value = grp[name]["value"]
    if isinstance(value, list):
        value = list(value)
        k = 2
        while f"{name}{k}" in grp:
            value += list(grp[f"{name}{k}"]["value"])
            k += 1
    return value


def _events(params) -> list[tuple[float, float, str]]:
    """C3D events as (time_s, 0, "Context Label"); times are min*60 + s on the file clock."""
    if "EVENT" not in params:
        return []
    times = np.asarray(_param(params, "EVENT", "TIMES", []), dtype=float)
    labels = _param(params, "EVENT", "LABELS", []) or []
    contexts = _param(params, "EVENT", "CONTEXTS", []) or []
    used = _param(params, "EVENT", "USED", None)
    n = len(labels)
    if used is not None and np.size(used):
        n = min(n, int(np.ravel(used)[0]))
    if times.ndim != 2 or times.shape[0] != 2:
        return []
    n = min(n, times.shape[1])
    out = []
    for i in range(n):
        context = str(contexts[i]).strip() if i < len(contexts) else ""
        label = " ".join(p for p in (context, str(labels[i]).strip()) if p) or f"event {i + 1}"
        out.append((float(times[0, i] * 60.0 + times[1, i]), 0.0, label))
    return out


#: Bytes that always hold the parameter block's processor type (its block number is one byte).
_HEAD_BYTES = 256 * 512


def _declared_frames(head: bytes, size: int) -> int:
    """Video frames the C3D header declares (header words 4-5), or 0 when it cannot say.

    ``head`` is the start of the file (at least up to the parameter block: :data:`_HEAD_BYTES`
    is always enough), ``size`` the file's length in bytes. ezc3d silently shortens a
    truncated file and rewrites its header to match, so the declared length is taken from
    the two header words (16-bit, big-endian only for MIPS files, processor type 86);
    65535 means "see the parameters" and is not checked.
    """
    if size < 512 or len(head) < 512 or head[0] < 2 or min(size, len(head)) < head[0] * 512:
        return 0
    order = ">" if head[(head[0] - 1) * 512 + 3] == 86 else "<"
    first, last = np.frombuffer(head[6:10], dtype=f"{order}u2")
    if last == 65535 or last < first:
        return 0
    return int(last) - int(first) + 1


def _kinds(labels: list[str], raw_units: list[str], idx: list[int]) -> list[str]:
    """Channel kinds: the label decides; the unit only when no label names an EMG channel.

    In C3D nearly every analog channel is in volts (force plates and spare inputs too),
    so "V" says nothing once some labels say EMG ("EMG 1", muscle names).
    """
    by_label = [units.guess_kind(lab, None) for lab in labels]
    labelled_emg = "emg" in by_label
    kinds = []
    for i in idx:
        kind = by_label[i]
        if kind == "other":
            kind = units.guess_kind(labels[i], raw_units[i] or None)
            if kind == "emg" and labelled_emg:
                kind = "other"
        kinds.append(kind)
    return kinds


def read(content: bytes, name: str, *, fs: float | None = None,
         channels: Sequence[str] | None = None) -> Recording:
    """Read the analog channels and events of a C3D file.

    Parameters
    ----------
    content : bytes
        The whole file.
    name : str
        Its name, for messages.
    fs : float, optional
        Ignored: C3D states the analog rate.
    channels : list of str, optional
        Keep only these analog channels (labels as in the file). Default: all of them,
        with ``ch_kinds`` set from label and unit (``"EMG 1"``, muscle names or volts →
        ``"emg"``; force-plate labels or N/Nm → ``"force"``; ``"Sync"`` → ``"trigger"``),
        so the app shows the EMG ones.

    Returns
    -------
    Recording
        Analog samples as ezc3d scales them (ANALOG:SCALE, OFFSET, GEN_SCALE applied),
        voltages in volts. ``t0 = (first_frame - 1) / point_rate`` s (see the module
        docstring); events from EVENT:TIMES with EVENT:CONTEXTS prefixed
        (``"Left Foot Strike"``) on the same clock. ``meta``: ``n_analog``,
        ``point_rate``, ``first_frame`` (1-based), ``n_points``, ``manufacturer``.

    Raises
    ------
    ReadError
        ezc3d cannot parse the file, or it holds no analog channels.
    """
    with tempfile.TemporaryDirectory(prefix="emgviz-c3d-") as tmp:
        path = os.path.join(tmp, "upload.c3d")
        with open(path, "wb") as fh:
            fh.write(content)
        c = _open(path, name, len(content))
    return _recording(c, name, content[:_HEAD_BYTES], len(content), channels)


def read_path(path, name: str, *, fs: float | None = None,
              channels: Sequence[str] | None = None) -> Recording:
    """As :func:`read`, from a path: ezc3d reads the file itself (no bytes copy, no temporary file)."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    return _recording(_open(os.fspath(path), name, size), name, head, size, channels)


def _open(path: str, name: str, size: int):
    import ezc3d

    try:
        return ezc3d.c3d(path)
    except Exception as exc:
        raise ReadError(name, f"ezc3d cannot read the file ({type(exc).__name__}: {exc}; {size:,} bytes)",
                        "check that it is a complete C3D file (re-export it from the capture software)") from exc


def _recording(c, name: str, head: bytes, size: int, channels) -> Recording:
    header, params = c["header"], c["parameters"]
    analogs = np.asarray(c["data"]["analogs"])
    n_analog = analogs.shape[1] if analogs.ndim == 3 else 0
    n_frames = analogs.shape[2] if analogs.ndim == 3 else 0
    n_points = int(header["points"]["size"])
    if n_analog == 0 or n_frames == 0:
        raise ReadError(name, f"the file holds no analog samples ({n_points} markers only)",
                        "export the capture with its analog/EMG channels")
    rate = float(header["analogs"]["frame_rate"])
    point_rate = float(header["points"]["frame_rate"])
    per_frame = int(round(rate / point_rate)) if point_rate > 0 else 0
    expected = _declared_frames(head, size) * per_frame
    if expected > 0 and n_frames < expected:
        raise ReadError(name, f"the header declares {expected} analog samples per channel but the file holds "
                        f"{n_frames} ({size:,} bytes)",
                        "upload the complete C3D file; the copy or export was truncated")
    limits.check_size(name, n_analog, n_frames)
    if not rate > 0:
        raise ReadError(name, f"the analog rate is {rate:g} Hz", "repair ANALOG:RATE in the file")
    labels = [str(x).strip() for x in (_param(params, "ANALOG", "LABELS", []) or [])]
    labels = (labels + [""] * n_analog)[:n_analog]
    labels = unique_names(labels, blank="Analog {}")
    raw_units = [str(x).strip() for x in (_param(params, "ANALOG", "UNITS", []) or [])]
    raw_units = (raw_units + [""] * n_analog)[:n_analog]
    idx = list(range(n_analog))
    if channels is not None:
        if isinstance(channels, str):
            channels = [channels]
        missing = [ch for ch in channels if ch not in labels]
        if missing:
            raise ReadError(name, f"no analog channel(s) {missing}; the file has {labels}",
                            "pass labels exactly as listed")
        idx = [labels.index(ch) for ch in channels]
    data = np.array(analogs[0, idx, :], dtype=np.float64, order="C")
    ch_units = units.scale_to_volts(data, [raw_units[i] for i in idx])
    ch_kinds = _kinds(labels, raw_units, idx)
    first_frame0 = int(header["points"]["first_frame"])  # ezc3d counts from 0: header value - 1
    t0 = first_frame0 / point_rate if point_rate > 0 else first_frame0 * n_frames / rate
    unit = units.record_unit(ch_units, ch_kinds)
    meta = {"format": FORMAT, "n_analog": n_analog, "n_points": n_points, "point_rate": point_rate,
            "first_frame": first_frame0 + 1, "analog_units_in_file": raw_units,
            "time_convention": "t0 = (first_frame - 1) / point_rate; events on the same clock"}
    company = _param(params, "MANUFACTURER", "COMPANY")
    if company:
        meta["manufacturer"] = " ".join(str(x).strip() for x in company)
    return make_recording(data, fs=rate, ch_names=tuple(labels[i] for i in idx), unit=unit, source=name,
                              meta=meta, events=_events(params) or None, ch_units=tuple(ch_units),
                              ch_kinds=tuple(ch_kinds), t0=t0, notes=_notes(t0, first_frame0, labels, ch_kinds))


def _notes(t0: float, first_frame0: int, labels, ch_kinds) -> list[str]:
    """What the reader decided: the clock's start, and how EMG channels were told from the others."""
    notes = []
    if t0:
        notes.append(f"the capture starts at video frame {first_frame0 + 1}, so time starts at {t0:g} s "
                     "(events keep the file's clock)")
    if "emg" in ch_kinds and len(set(ch_kinds)) > 1:
        notes.append("EMG channels picked by their labels; other analog channels (force plates, sync, "
                     "unused inputs) keep their own kinds")
    return notes
