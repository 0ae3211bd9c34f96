"""The one way readers build a Recording: rate and length checks, and every assumption in ``meta["notes"]``."""

from __future__ import annotations

import math

import numpy as np

from ..errors import ReadError
from ..recording import Recording

__all__ = ["make_recording", "check_rate", "MIN_FS_HZ", "MAX_FS_HZ", "MIN_SAMPLES", "collect_notes"]

#: Lowest sampling rate a reader accepts (Hz). Below it the file's rate field is nonsense for EMG.
MIN_FS_HZ = 1.0
#: Highest sampling rate a reader accepts (Hz).
MAX_FS_HZ = 1e6
#: Fewest samples per channel a recording may hold (one sample has no time axis, no spectrum).
MIN_SAMPLES = 2

# meta keys whose text is an assumption or caveat the user should see (older reader keys)
_NOTE_KEYS = ("unit_note", "group_note", "note")


def check_rate(fs, name: str, where: str) -> float:
    """``fs`` as a float in Hz, or a ReadError saying where the absurd rate came from.

    Parameters
    ----------
    fs : object
        The rate as found (a number; a bool or text is refused).
    name : str
        The file name, for the message.
    where : str
        Where the rate came from (``"the header field 'sampling rate'"``, ``"fs="``).

    Examples
    --------
    >>> check_rate(2000, "a.csv", "fs=")
    2000.0
    """
    value = None
    if not isinstance(fs, (bool, np.bool_)):
        if isinstance(fs, (int, float, np.integer, np.floating)):
            value = float(fs)
        elif isinstance(fs, str) and where == "fs=":
            try:
                value = float(fs)
            except ValueError:
                value = None
    ok = value is not None and math.isfinite(value) and MIN_FS_HZ <= value <= MAX_FS_HZ
    if ok:
        return value
    shown = f"{value:g} Hz" if value is not None else repr(fs)
    if where == "fs=":
        raise ReadError(name, f"fs must be a sampling rate in Hz from {MIN_FS_HZ:g} to {MAX_FS_HZ:g} (1 MHz), "
                              f"got {shown}", "pass the sampling rate in Hz, e.g. fs=1000")
    if value is None:
        raise ReadError(name, f"{where} states the sampling rate as {fs!r}, which is not a number of Hz",
                        "pass the rate in Hz with fs=..., or repair the file")
    raise ReadError(name, f"{where} gives a sampling rate of {shown}, outside {MIN_FS_HZ:g} Hz – "
                          f"{MAX_FS_HZ:g} Hz (1 MHz)", "pass the true rate in Hz with fs=..., or repair the file")
    return value


def collect_notes(meta: dict, notes=()) -> list[str]:
    """Every assumption a reader made, once each, in order: ``notes``, ``meta["warnings"]``, older keys."""
    out: list[str] = []
    for text in [*notes, *(meta.get("notes") or ()), *(meta.get("warnings") or ()),
                 *(meta.get(k) for k in _NOTE_KEYS)]:
        if text and str(text) not in out:
            out.append(str(text))
    return out


def make_recording(data: np.ndarray, *, fs, ch_names, source: str, unit: str = "V", meta=None,
                   events=None, ch_units=None, ch_kinds=None, t0: float = 0.0, notes=(),
                   fs_where: str = "the file") -> Recording:
    """Build a reader's Recording, taking ownership of ``data`` (no copy).

    Every reader calls this (never ``Recording._trusted``): the sampling rate is checked to
    lie within 1 Hz – 1 MHz, a single sample is refused, and ``meta["notes"]`` lists every
    assumption made (the reader's ``notes``, ``meta["warnings"]``, the unit, group and
    invalid-sample notes) plus a note when no channel is EMG.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_samples)
        Fresh float64 samples nobody else holds (they are frozen, not copied).
    fs : float
        Sampling rate in Hz.
    ch_names, ch_units, ch_kinds, unit, events, t0
        As for :class:`~emgviz.recording.Recording`.
    source : str
        The file name (also used in error messages).
    meta : dict, optional
        What the reader found; ``meta["notes"]`` is (re)built here.
    notes : sequence of str
        Assumptions to list first.
    fs_where : str
        Where ``fs`` came from, for the message when it is absurd.

    Raises
    ------
    ReadError
        Sampling rate outside 1 Hz – 1 MHz, or fewer than :data:`MIN_SAMPLES` samples.
    """
    fs = check_rate(fs, source, fs_where)
    data = np.asarray(data)
    n = data.shape[-1] if data.ndim else 0
    if n < MIN_SAMPLES:
        raise ReadError(source, f"the file holds {n} sample{'s' if n != 1 else ''} per channel; a recording "
                                f"needs at least {MIN_SAMPLES}", "export a longer recording")
    meta = dict(meta or {})
    kinds = tuple(ch_kinds) if ch_kinds is not None else ("emg",) * data.shape[0]
    extra = list(notes)
    if "emg" not in kinds:
        found = ", ".join(sorted(set(kinds)))
        extra.append(f"no EMG channel in this file (channel kinds: {found}); all channels are shown")
    meta["notes"] = collect_notes(meta, extra)
    try:
        return Recording._trusted(data, fs=fs, ch_names=tuple(ch_names), unit=unit, source=source, meta=meta,
                                  events=events, ch_units=None if ch_units is None else tuple(ch_units),
                                  ch_kinds=kinds, t0=t0)
    except ValueError as exc:
        raise ReadError(source, str(exc), "check the file is complete and of this format") from None
