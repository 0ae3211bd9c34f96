"""Contraction profiles: the excitatory drive (0–1) of a muscle over time."""

from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_fs, check_positive

__all__ = ["PROFILES", "profile"]

#: Built-in contraction profiles (or pass an array of drive values 0–1).
PROFILES = ("bursts", "rest", "ramp", "sustained", "fatigue")


def _smooth_step(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _trapezoids(t, starts, ends, ramp_s, level):
    drive = np.zeros_like(t)
    for a, b in zip(starts, ends):
        up = _smooth_step((t - a) / ramp_s)
        down = _smooth_step((b - t) / ramp_s)
        drive = np.maximum(drive, level * np.minimum(up, down))
    return drive


def profile(kind: str, *, fs: float, duration_s: float, level: float = 0.5, on_s: float = 1.0,
            off_s: float = 1.5, rest_s: float = 1.0, ramp_s: float = 0.15) -> np.ndarray:
    """The excitatory drive (0–1) of a contraction pattern, one value per sample.

    Parameters
    ----------
    kind : {"bursts", "rest", "ramp", "sustained", "fatigue"}
        ``"bursts"``: contractions of ``on_s`` separated by ``off_s`` of rest, after
        ``rest_s``. ``"rest"``: no drive. ``"ramp"``: a triangle from 0 up to ``level``
        at the middle and back, after ``rest_s`` and ending ``rest_s`` before the end.
        ``"sustained"`` and ``"fatigue"``: one hold at ``level`` from ``rest_s`` to
        ``rest_s`` before the end (fatigue itself is a :func:`simulate` option).
    fs : float
        Sampling rate in Hz.
    duration_s : float
        Length in s.
    level : float, default=0.5
        Drive of a contraction, 0–1 (1 = maximal voluntary contraction).
    on_s, off_s : float, default=1.0, 1.5
        Contraction and rest lengths of ``"bursts"`` in s.
    rest_s : float, default=1.0
        Rest at the start (and end) in s; shortened to a tenth of a short recording.
    ramp_s : float, default=0.15
        Rise and fall time of each contraction in s (a smooth step).

    Returns
    -------
    ndarray, shape (round(duration_s * fs),)
        Drive 0–1.

    Examples
    --------
    >>> d = profile("bursts", fs=1000, duration_s=5, level=0.4)
    >>> d.shape, float(d.max()), float(d[:400].max())
    ((5000,), 0.4, 0.0)
    """
    check_choice(kind, "profile", PROFILES)
    fs = check_fs(fs)
    duration_s = check_positive(duration_s, "duration_s", "s")
    if not 0.0 <= float(level) <= 1.0:
        raise ValueError(f"level must be a drive from 0 to 1 (1 = maximal contraction), got {level!r}")
    level = float(level)
    n = int(round(duration_s * fs))
    if n < 2:
        raise ValueError(f"duration_s={duration_s:g} s at fs={fs:g} Hz gives fewer than 2 samples")
    t = np.arange(n) / fs
    rest = min(float(rest_s), duration_s / 10.0)
    ramp = max(float(ramp_s), 1.0 / fs)
    if kind == "rest" or level == 0.0:
        return np.zeros(n)
    if kind == "bursts":
        period = float(on_s) + float(off_s)
        starts = np.arange(rest, duration_s, period)
        ends = starts + float(on_s)
        keep = ends <= duration_s - ramp
        if not keep.any():  # too short for one whole burst: one burst in the middle
            starts, ends = np.array([duration_s * 0.3]), np.array([duration_s * 0.7])
        else:
            starts, ends = starts[keep], ends[keep]
        return _trapezoids(t, starts, ends, min(ramp, float(on_s) / 3), level)
    if kind == "ramp":
        a, b = rest, duration_s - rest
        mid = (a + b) / 2.0
        return level * np.clip(1.0 - np.abs(t - mid) / (mid - a), 0.0, 1.0)
    # sustained / fatigue
    return _trapezoids(t, [rest], [duration_s - rest], min(ramp, duration_s / 10), level)



def _drive_array(prof, *, fs, duration_s, level):
    n = int(round(duration_s * fs))
    if isinstance(prof, str):
        return profile(prof, fs=fs, duration_s=duration_s, level=level)
    arr = np.asarray(prof, dtype=np.float64).ravel()
    if arr.size < 2 or not np.isfinite(arr).all():
        raise ValueError("a custom profile must be an array of at least 2 finite drive values")
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(f"a custom profile's drive must lie within 0–1, got {arr.min():g} to {arr.max():g}")
    if arr.size == n:
        return arr.copy()
    # stretch over the recording
    return np.interp(np.linspace(0, 1, n), np.linspace(0, 1, arr.size), arr)

