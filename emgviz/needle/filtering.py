"""Needle EMG filtering: the clinical band (10 Hz – 10 kHz), clipped just below fs/2 when needed."""

from __future__ import annotations

import numpy as np

from .._checks import check_fs
from ..filters import bandpass, clip_band
from ..recording import Recording

__all__ = ["NEEDLE_LOW_HZ", "NEEDLE_HIGH_HZ", "needle_band", "needle_filter", "channel_uv"]

#: High-pass edge for MUP analysis in Hz. Clinical MUP recordings use 2–20 Hz (Stålberg et al.
#: 1986 recommend ≤ 5 Hz for duration; most systems default to 10–20 Hz); 10 Hz keeps the slow
#: initial and terminal phases that make the duration while removing needle-movement drift.
NEEDLE_LOW_HZ = 10.0
#: Low-pass edge in Hz (clinical systems: 10 kHz). Clipped to 0.95·fs/2 when fs ≤ 20 kHz.
NEEDLE_HIGH_HZ = 10000.0


def needle_band(fs: float, low_hz: float = NEEDLE_LOW_HZ, high_hz: float = NEEDLE_HIGH_HZ
                ) -> tuple[float, float, list[str]]:
    """The needle band actually used at ``fs``: ``(low_hz, high_hz, notes)``.

    Examples
    --------
    >>> needle_band(4000.0)
    (10.0, 1900.0, ['low-pass 10000 Hz is above fs/2 = 2000 Hz; clipped to 1900 Hz'])
    """
    fs = check_fs(fs)
    low, high, warns = clip_band(low_hz, high_hz, fs)
    notes = [f"low-pass {high_hz:g} Hz is above fs/2 = {fs / 2:g} Hz; clipped to {high:g} Hz"] if warns else []
    if low >= high:
        raise ValueError(f"needle high-pass {low_hz:g} Hz must be below the low-pass {high:g} Hz at fs={fs:g} Hz")
    return low, high, notes


def needle_filter(x, fs: float, *, low_hz: float = NEEDLE_LOW_HZ, high_hz: float = NEEDLE_HIGH_HZ
                  ) -> tuple[np.ndarray, list[str]]:
    """Zero-phase Butterworth band-pass (order 2) for needle EMG; returns ``(filtered, notes)``.

    Order 2 (−12 dB/octave per pass) is the gentle slope of clinical EMG amplifiers; a steep
    high-pass would ring after each spike and lengthen the measured duration.
    """
    low, high, notes = needle_band(fs, low_hz, high_hz)
    arr = np.asarray(x, dtype=np.float64)
    arr = arr - np.median(arr, axis=-1, keepdims=True)
    return bandpass(arr, fs, low, high, order=2), notes


def channel_uv(rec: Recording, channel=None) -> tuple[int, np.ndarray]:
    """``(index, samples in µV)`` of one EMG channel of ``rec`` (name or index; default the first EMG).

    Raises
    ------
    ValueError
        When the channel does not exist or its unit is not volts (µV need a physical unit).
    """
    if channel is None:
        kinds = list(rec.ch_kinds)
        idx = kinds.index("emg") if "emg" in kinds else 0
    elif isinstance(channel, (int, np.integer)):
        idx = int(channel)
        if not 0 <= idx < rec.n_channels:
            raise ValueError(f"channel index {idx} is out of range; the recording has {rec.n_channels} channel(s)")
    else:
        if channel not in rec.ch_names:
            raise ValueError(f"no channel {channel!r}; channels are {list(rec.ch_names)}")
        idx = list(rec.ch_names).index(channel)
    unit = rec.ch_units[idx]
    if unit != "V":
        raise ValueError(f"channel {rec.ch_names[idx]!r} is in {unit!r}, not volts: MUP amplitudes in µV need a "
                         "recording with a physical unit (read the file with unit='V' or 'mV' if you know it)")
    return idx, np.asarray(rec.data[idx], dtype=np.float64) * 1e6
