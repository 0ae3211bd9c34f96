"""Validation helpers: the user-facing messages for bad arguments live here."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["check_fs", "check_band", "check_positive", "check_choice", "check_order", "check_span", "time_index",
           "check_recording", "check_int", "check_float", "NotARecording"]


class NotARecording(TypeError, ValueError):
    """A function that needs a :class:`~emgviz.recording.Recording` got something else.

    Both a TypeError (the argument has the wrong type) and a ValueError (what the app and
    the CLI catch to show the message), so callers written for either keep working.
    """


def check_recording(rec, who: str, *, also: str = ""):
    """Return ``rec`` after checking it is a Recording; the message names the function and the fix.

    Parameters
    ----------
    rec : object
    who : str
        The function (or argument) that needs it, e.g. ``"detect_bursts"``.
    also : str, default=""
        What else would be accepted or where to go instead, appended to the message.

    Raises
    ------
    NotARecording
        ``"detect_bursts needs a Recording, got ndarray; wrap arrays with emgviz.Recording(...)"``.
    """
    from .recording import Recording  # here: recording.py imports this module
    if not isinstance(rec, Recording):
        raise NotARecording(f"{who} needs a Recording{also}, got {type(rec).__name__}; wrap arrays with "
                            "emgviz.Recording(data, fs=..., ch_names=[...])")
    return rec


def _range_text(low, high) -> str:
    if low is not None and high is not None:
        return f" from {low:g} to {high:g}"
    if low is not None:
        return f" of at least {low:g}"
    if high is not None:
        return f" of at most {high:g}"
    return ""


def check_int(value, name: str, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as int after checking it is a whole number within ``[low, high]``.

    Accepts Python and NumPy integers and integral floats (``3.0``); refuses booleans and text.
    The message reads ``"order must be a whole number from 1 to 10, got 0"``.
    """
    ok = (not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, np.integer, float, np.floating))
          and math.isfinite(value) and value == int(value))
    if ok:
        v = int(value)
        ok = (low is None or v >= low) and (high is None or v <= high)
    if not ok:
        raise ValueError(f"{name} must be a whole number{_range_text(low, high)}, got {value!r}")
    return v


def check_float(value, name: str, unit: str = "", *, low: float | None = None, high: float | None = None) -> float:
    """Return ``value`` as a finite float within ``[low, high]`` (``unit`` named in the message)."""
    u = f" {unit}" if unit else ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number{' in ' + unit if unit else ''}, got {value!r}") from None
    if not math.isfinite(v) or (low is not None and v < low) or (high is not None and v > high):
        raise ValueError(f"{name} must be a finite number{_range_text(low, high)}{u}, got {value!r}")
    return v


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
    return check_int(order, name, 1, 10)


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
