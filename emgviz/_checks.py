"""Validation helpers: the user-facing messages for bad arguments live here."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["check_fs", "check_band", "check_positive", "check_choice", "check_order", "check_span", "time_index"]


def check_fs(fs) -> float:
    """Return ``fs`` as a float after checking it is a finite rate above 0 Hz."""
    try:
        value = float(fs)
    except (TypeError, ValueError):
        raise ValueError(f"fs must be a sampling rate in Hz (a number), got {fs!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"fs must be a finite sampling rate above 0 Hz, got {fs!r}; "
                         "pass the rate of your amplifier, e.g. fs=2000")
    return value


def check_positive(value, name: str, unit: str = "") -> float:
    """Return ``value`` as float after checking it is finite and > 0."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number{f' in {unit}' if unit else ''}, got {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be above 0{f' {unit}' if unit else ''}, got {value!r}")
    return v


def check_band(low_hz: float, high_hz: float, fs: float) -> None:
    """Check a pass band: 0 < low_hz < high_hz < fs/2 (all Hz)."""
    fs = check_fs(fs)
    low = check_positive(low_hz, "low_hz", "Hz")
    high = check_positive(high_hz, "high_hz", "Hz")
    if low >= high:
        raise ValueError(f"low_hz must be below high_hz, got low_hz={low:g} Hz and high_hz={high:g} Hz")
    if high >= fs / 2:
        raise ValueError(f"high_hz must be below fs/2 = {fs / 2:g} Hz (fs={fs:g} Hz), got {high:g} Hz")


def check_choice(value, name: str, allowed) -> None:
    """Raise ValueError naming the allowed values when ``value`` is not one of them."""
    if value not in allowed:
        listing = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {listing}, got {value!r}")


def check_order(order, name: str = "order") -> int:
    """Return a filter order as int after checking it is a whole number from 1 to 10."""
    if isinstance(order, bool) or not isinstance(order, (int, np.integer, float, np.floating)) \
            or not math.isfinite(order) or order != int(order) or not 1 <= int(order) <= 10:
        raise ValueError(f"{name} must be a whole number from 1 to 10, got {order!r}")
    return int(order)


def check_span(span, name: str, form: str = "(t0_s, t1_s)") -> tuple[float, float]:
    """Return a time span ``(start, stop)`` as two floats; the error names ``form``."""
    try:
        start, stop = (float(v) for v in span)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {form} in seconds, got {span!r}") from None
    return start, stop


def time_index(t_s, fs: float, t0: float = 0.0) -> int:
    """Index of the first sample at or after time ``t_s`` (s) for a signal starting at ``t0``.

    ``ceil((t_s - t0) * fs)``, rounded to 9 decimals first so that a time that is a sample
    time up to float error maps to that sample. Not clipped to the signal.
    """
    try:
        t = float(t_s)
    except (TypeError, ValueError):
        raise ValueError(f"a time must be a number of seconds, got {t_s!r}") from None
    pos = round((t - t0) * fs, 9)
    if not math.isfinite(pos):
        raise ValueError(f"a time must be a finite number of seconds, got {t_s!r}")
    return int(np.ceil(pos))
