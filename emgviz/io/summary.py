"""One line that tells the user what was read: format, channel kinds, rate, events and caveats."""

from __future__ import annotations

from collections import Counter

from ..recording import Recording

__all__ = ["describe", "flat_channels"]

_KIND_NAMES = {"emg": "EMG", "force": "force", "acc": "acc", "gyro": "gyro", "trigger": "trigger",
               "gonio": "gonio", "eeg": "EEG", "eog": "EOG", "ecg": "ECG", "resp": "resp", "temp": "temp",
               "spo2": "SpO2", "other": "other"}


def _rate(fs: float) -> str:
    return f"{fs:.0f} Hz" if abs(fs - round(fs)) < 1e-9 else f"{fs:.6g} Hz"


def describe(rec: Recording) -> str:
    """Describe a recording in one line for the app.

    Parameters
    ----------
    rec : Recording

    Returns
    -------
    str
        e.g. ``"C3D, 16 EMG of 69 channels at 2000 Hz, 4 events"`` or
        ``"CSV/TXT, 8 EMG channels at 1000 Hz, 12 events, time column in ms (2,189 gaps)"``.

    Examples
    --------
    >>> import numpy as np
    >>> describe(Recording(np.zeros((2, 100)), fs=1000, ch_names=["a", "b"]))
    '2 EMG channels at 1000 Hz'
    """
    meta = rec.meta
    parts = []
    fmt = meta.get("format")
    kinds = Counter(rec.ch_kinds)
    n_emg = kinds.get("emg", 0)
    n = rec.n_channels
    if n_emg == n:
        chans = f"{n} EMG channel{'s' if n != 1 else ''}"
    elif n_emg:
        others = ", ".join(f"{c} {_KIND_NAMES.get(k, k)}" for k, c in kinds.most_common() if k != "emg")
        chans = f"{n_emg} EMG of {n} channels ({others})"
    else:
        chans = ", ".join(f"{c} {_KIND_NAMES.get(k, k)}" for k, c in kinds.most_common()) + \
            f" channel{'s' if n != 1 else ''}"
    head = f"{chans} at {_rate(rec.fs)}"
    if fmt:
        head = f"{fmt}, {head}"
    parts.append(head)
    if len(rec.events):
        parts.append(f"{len(rec.events)} event{'s' if len(rec.events) != 1 else ''}")
    if rec.unit == "a.u.":
        bits = meta.get("adc_resolution_bits")
        parts.append(f"raw {bits}-bit counts" if bits else "values in a.u. (no unit stated)")
    if "time_unit" in meta:
        unit = str(meta["time_unit"]).split(" ")[0]
        gaps = int(meta.get("time_gaps", 0) or 0)
        parts.append(f"time column in {unit}" + (f" ({gaps:,} gaps)" if gaps else ""))
    if meta.get("group") and len(meta.get("groups", ())) > 1:
        parts.append(f"rate group {meta['group']} of {len(meta['groups'])}")
    if rec.t0:
        parts.append(f"starts at {rec.t0:g} s")
    return ", ".join(parts)


def flat_channels(rec: Recording) -> list[str]:
    """Names of the channels whose samples never change (unused inputs of many-channel files).

    A channel is flat when its peak-to-peak range is 0: every sample equals the first.

    Examples
    --------
    >>> import numpy as np
    >>> flat_channels(Recording(np.array([[0., 1.], [2., 2.]]), fs=10, ch_names=["a", "b"]))
    ['b']
    """
    return [n for n, row in zip(rec.ch_names, rec.data) if _flat(row)]


#: Samples of a row compared with its first sample at a time (a channel that changes stops early).
_FLAT_CHUNK = 1 << 14


def _flat(row) -> bool:
    """True when every sample equals the first (peak-to-peak range 0; a Recording's samples are finite).

    Read chunk by chunk, stopping at the first chunk with a different sample: a live channel
    costs one chunk instead of two passes (max and min) over the whole row.
    """
    first = row[0]
    for s in range(0, row.shape[0], _FLAT_CHUNK):
        if (row[s:s + _FLAT_CHUNK] != first).any():
            return False
    return True
