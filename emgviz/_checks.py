"""Validation helpers: the user-facing messages for bad arguments live here."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["check_fs", "check_band", "check_positive", "check_choice", "as_2d"]


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


def as_2d(x) -> tuple[np.ndarray, bool]:
    """View ``x`` as (n_channels, n_samples); also return whether it was 1-D."""
    arr = np.asarray(x)
    if arr.ndim == 1:
        return arr[np.newaxis, :], True
    if arr.ndim != 2:
        raise ValueError(f"expected a 1-D signal or a 2-D (n_channels, n_samples) array, got shape {arr.shape}")
    return arr, False
