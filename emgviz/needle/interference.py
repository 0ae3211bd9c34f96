"""Interference-pattern turns/amplitude analysis over epochs of a needle contraction."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .filtering import channel_uv, needle_filter
from .measure import turn_values

__all__ = ["IP_COLUMNS", "interference_pattern", "turns_amplitude", "outside_cloud"]

IP_COLUMNS = ("channel", "start_s", "Turns/s", "Mean amplitude (µV)", "Turns")
#: Interference-pattern turn threshold in µV (Willison RG. *J Neurol Neurosurg Psychiatry* 27:386–394, 1964).
IP_TURN_UV = 100.0


def turns_amplitude(x_uv: np.ndarray, min_uv: float = IP_TURN_UV) -> tuple[int, float]:
    """(number of turns, mean amplitude between successive turns in µV) of one epoch.

    A turn is a reversal of at least ``min_uv`` on both sides (Willison 1964); the amplitude is the
    mean absolute difference between successive turns (Stålberg E, Chu J, Bril V, Nandedkar S,
    Stålberg S, Ericsson M. *Electroencephalogr Clin Neurophysiol* 56:672–681, 1983).

    Examples
    --------
    >>> t = np.linspace(0, 1, 4001)
    >>> turns_amplitude(300 * np.sin(2 * np.pi * 10 * t))
    (20, 600.0)
    """
    vals = turn_values(x_uv, min_uv)
    if len(vals) < 2:
        return len(vals), float("nan")
    return len(vals), float(np.round(np.mean(np.abs(np.diff(vals))), 6))


def interference_pattern(rec, channel=None, *, epoch_s: float = 0.5, min_turns: int = 5) -> pd.DataFrame:
    """Turns per second and mean amplitude per epoch of one needle channel (needle-filtered here).

    Epochs with fewer than ``min_turns`` turns (rest) are left out. The usual display plots turns/s
    against mean amplitude, one point per epoch, over the normal "cloud" of the muscle (Stålberg
    et al. 1983; Nandedkar SD, Sanders DB, Stålberg EV. *Muscle Nerve* 9:431–439, 1986).

    Returns
    -------
    DataFrame with columns ``channel``, ``start_s``, ``Turns/s``, ``Mean amplitude (µV)``, ``Turns``.
    """
    if not 0.1 <= float(epoch_s) <= 2.0:
        raise ValueError(f"epoch_s must be 0.1–2 s (turns/amplitude analysis uses 0.5–1 s), got {epoch_s}")
    idx, raw = channel_uv(rec, channel)
    y, _ = needle_filter(raw, rec.fs)
    n = int(round(epoch_s * rec.fs))
    rows = []
    for k in range(y.size // n):
        turns, amp = turns_amplitude(y[k * n:(k + 1) * n])
        if turns >= min_turns:
            rows.append({"channel": rec.ch_names[idx], "start_s": rec.t0 + k * epoch_s,
                         "Turns/s": turns / epoch_s, "Mean amplitude (µV)": amp, "Turns": turns})
    return pd.DataFrame(rows, columns=list(IP_COLUMNS))


def outside_cloud(ip: pd.DataFrame, cloud: pd.DataFrame, *, quantile: float = 0.025) -> tuple[float, dict]:
    """% of epochs of ``ip`` outside a cloud given by reference epochs ``cloud``.

    The cloud is a straight band in log-log coordinates (the shape of published clouds): a line
    log(amplitude) = a·log(turns/s) + b fitted to the reference epochs, with the central
    (1 − 2·``quantile``) range of their residuals as its width. Returns (% outside, band parameters).
    No published cloud is bundled: the app uses the healthy example record's epochs as the cloud
    and says so.
    """
    ref = cloud.dropna()
    if len(ref) < 5 or len(ip) == 0:
        return float("nan"), {}
    lx, ly = np.log10(ref["Turns/s"]), np.log10(ref["Mean amplitude (µV)"])
    a, b = np.polyfit(lx, ly, 1)
    resid = ly - (a * lx + b)
    lo, hi = np.quantile(resid, [quantile, 1 - quantile])
    r = np.log10(ip["Mean amplitude (µV)"]) - (a * np.log10(ip["Turns/s"]) + b)
    out = float(100.0 * np.mean((r < lo) | (r > hi)))
    return out, {"slope": float(a), "intercept": float(b), "low": float(lo), "high": float(hi)}
