"""Scoring a burst detector against the simulator's true contractions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_positive

__all__ = ["score_onsets"]


def score_onsets(detected: pd.DataFrame, truth: pd.DataFrame, *, tolerance_s: float = 0.25) -> pd.DataFrame:
    """Score detected bursts against true ones, per channel.

    A true burst is hit by the detected burst whose onset is nearest to its own, when they
    differ by at most ``tolerance_s``; each detected burst can hit one true burst.

    Parameters
    ----------
    detected, truth : DataFrame
        Bursts with columns ``channel`` and ``onset_s`` (s).
    tolerance_s : float, default=0.25
        Largest onset difference in s that still counts as a hit.

    Returns
    -------
    DataFrame
        One row per channel of ``truth`` or ``detected``: ``channel``, ``hits``, ``misses``,
        ``false_alarms``, ``mean_error_ms`` (detected − true onset, mean over hits; NaN
        without hits) and ``mean_abs_error_ms``.

    Examples
    --------
    >>> truth = pd.DataFrame({"channel": ["a", "a"], "onset_s": [1.0, 3.0]})
    >>> found = pd.DataFrame({"channel": ["a", "a"], "onset_s": [1.05, 5.0]})
    >>> row = score_onsets(found, truth).iloc[0]
    >>> int(row.hits), int(row.misses), int(row.false_alarms), round(float(row.mean_error_ms), 1)
    (1, 1, 1, 50.0)
    """
    tolerance_s = check_positive(tolerance_s, "tolerance_s", "s")
    for name, df in (("detected", detected), ("truth", truth)):
        missing = {"channel", "onset_s"} - set(df.columns)
        if missing:
            raise ValueError(f"{name} needs the columns channel and onset_s; missing {sorted(missing)}")
    channels = list(dict.fromkeys([*map(str, truth["channel"]), *map(str, detected["channel"])]))
    rows = []
    for ch in channels:
        tr = np.sort(truth.loc[truth["channel"].astype(str) == ch, "onset_s"].to_numpy(float))
        de = np.sort(detected.loc[detected["channel"].astype(str) == ch, "onset_s"].to_numpy(float))
        pairs = sorted((abs(d - tt), i, j) for i, tt in enumerate(tr) for j, d in enumerate(de)
                       if abs(d - tt) <= tolerance_s)
        used_t, used_d, errors = set(), set(), []
        for _, i, j in pairs:
            if i in used_t or j in used_d:
                continue
            used_t.add(i)
            used_d.add(j)
            errors.append((de[j] - tr[i]) * 1e3)
        err = np.array(errors)
        rows.append({"channel": ch, "hits": len(errors), "misses": int(tr.size - len(errors)),
                     "false_alarms": int(de.size - len(errors)),
                     "mean_error_ms": float(err.mean()) if err.size else float("nan"),
                     "mean_abs_error_ms": float(np.abs(err).mean()) if err.size else float("nan")})
    return pd.DataFrame(rows, columns=["channel", "hits", "misses", "false_alarms", "mean_error_ms",
                                       "mean_abs_error_ms"])
