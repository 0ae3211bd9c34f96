"""Amplitude scales of the signal browser: units per division in 1–2–5 steps, chosen by hand or automatically.

Pure functions (no Streamlit, no Plotly); :mod:`emgviz.plotting.browser` re-exports them.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from ..recording import Recording
from .units import display_scale

__all__ = ["nice_scale", "format_scale", "scale_choices", "auto_scale", "auto_scales"]

_AUTO_SAMPLES = 200_000   # samples per channel looked at for the automatic scale


# ---------------------------------------------------------------------------- scales
def nice_scale(value: float) -> float:
    """The smallest 1–2–5 step (…, 10, 20, 50, 100, …) that is >= ``value``.

    Examples
    --------
    >>> nice_scale(37e-6), nice_scale(0.2), nice_scale(101)
    (5e-05, 0.2, 200.0)
    """
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"a scale must be a finite number above 0, got {value!r}")
    exp = math.floor(math.log10(value))
    for _ in range(2):
        for m in (1, 2, 5):
            step = float(f"{m}e{exp}")
            if step >= value * (1 - 1e-12):
                return step
        exp += 1
    return float(f"1e{exp}")  # pragma: no cover


def format_scale(scale: float, unit: str) -> str:
    """A scale per division as a person reads it, e.g. ``"100 µV/div"`` or ``"2 mV/div"``.

    Parameters
    ----------
    scale : float
        Stored units per division (V/div for ``unit="V"``).
    unit : str
        The recording's unit (``"V"``, ``"a.u."``, ...).
    """
    factor, shown = display_scale(unit)
    value = scale * factor
    if unit == "V" and value >= 1000:
        return f"{value / 1000:g} mV/div"
    return f"{value:.3g} {shown}/div"


def scale_choices(unit: str, *, around: float | None = None) -> list[float]:
    """Amplitude scales (stored units per division) to offer in a menu.

    For ``"V"``: 1 µV/div to 10 mV/div in 1–2–5 steps. For other units: 1–2–5 steps
    from 1/1000 to 1000 times ``around`` (a typical scale, e.g. the automatic one).
    """
    if unit == "V":
        lo, hi = 1e-6, 1e-2
    else:
        base = nice_scale(around) if around else 1.0
        lo, hi = base / 1000, base * 1000
    out, v = [], nice_scale(lo)
    while v <= hi * (1 + 1e-9):
        out.append(v)
        v = nice_scale(v * 1.0001)
    return out


def auto_scale(x, *, divisions_per_channel: float = 4, unit: str = "V") -> float:
    """A robust scale (units per division) that fits a channel's normal activity in its band.

    The 99.5th percentile of ``|x - median|`` (on at most 200 000 evenly spaced samples,
    so a long recording costs little) is made to fill half the channel's band
    (``divisions_per_channel / 2`` divisions), rounded up to a 1–2–5 step. A flat
    channel gets 1 µV/div (``unit="V"``) or 1 unit/div.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel in stored units.
    divisions_per_channel : float, default=4
        Height of each channel's band in divisions.
    unit : str, default="V"
        The recording's unit; sets the flat-channel fallback.

    Returns
    -------
    float
        Units per division.
    """
    x = np.asarray(x, dtype=np.float64)
    step = max(1, x.size // _AUTO_SAMPLES)
    sub = x[::step]
    if sub.size == 0:
        return 1e-6 if unit == "V" else 1.0
    dev = np.abs(sub - np.median(sub))
    amp = float(np.percentile(dev, 99.5))
    if not math.isfinite(amp) or amp <= 0:
        amp = float(dev.max())
    if not math.isfinite(amp) or amp <= 0:
        return 1e-6 if unit == "V" else 1.0
    return nice_scale(amp / (divisions_per_channel / 2))


def auto_scales(rec: Recording, *, divisions_per_channel: float = 4) -> dict[str, float]:
    """:func:`auto_scale` of every channel of ``rec``, by channel name."""
    return {name: auto_scale(rec.data[i], divisions_per_channel=divisions_per_channel, unit=rec.unit)
            for i, name in enumerate(rec.ch_names)}


def _resolve_scales(rec: Recording, names: Sequence[str], scale, divisions: float) -> dict[str, float]:
    if scale is None or isinstance(scale, (int, float, np.floating)):
        chosen = {n: scale for n in names}
    elif isinstance(scale, Mapping):
        chosen = {n: scale.get(n) for n in names}
    else:
        raise ValueError(f"scale must be None (automatic), a number (units per division) or a dict "
                         f"channel -> units per division, got {type(scale).__name__}")
    out = {}
    for n in names:
        s = chosen[n]
        if s is None:
            out[n] = auto_scale(rec.channel(n), divisions_per_channel=divisions, unit=rec.unit)
        else:
            s = float(s)
            if not math.isfinite(s) or s <= 0:
                raise ValueError(f"the scale of {n!r} must be above 0 units per division, got {s!r}")
            out[n] = s
    return out
