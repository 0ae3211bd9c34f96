"""Scoring a burst detector against the simulator's true contractions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_positive

__all__ = ["score_onsets", "score_events", "RUN_TYPES"]


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


#: Spontaneous-activity types scored as runs (by overlap) rather than potentials (by time).
RUN_TYPES = ("myotonic", "complex_repetitive", "insertional")


def score_events(detected: pd.DataFrame, truth: pd.DataFrame, *, tolerance_s: float = 0.005) -> pd.DataFrame:
    """Event precision, recall and F1 per type of spontaneous activity.

    A true potential (fibrillation, positive sharp wave, fasciculation) is hit by a detected
    event of the same ``type`` whose ``time_s`` lies within ``tolerance_s``; a true run
    (myotonic, complex repetitive, insertional: ``time_s`` + ``duration_s``) by a detected one
    of the same type that overlaps it. Each detected event hits at most one true event
    (nearest first).

    Parameters
    ----------
    detected, truth : DataFrame
        Columns ``time_s``, ``duration_s``, ``type``.
    tolerance_s : float, default=0.005

    Returns
    -------
    DataFrame
        One row per type present in either table: ``type``, ``true``, ``detected``, ``hits``,
        ``precision``, ``recall``, ``F1`` (NaN where undefined).

    Examples
    --------
    >>> truth = pd.DataFrame({"time_s": [1.0, 2.0], "duration_s": [0.003, 0.003],
    ...                       "type": ["fibrillation"] * 2})
    >>> found = pd.DataFrame({"time_s": [1.001, 3.0], "duration_s": [0.003, 0.003],
    ...                       "type": ["fibrillation"] * 2})
    >>> score_events(found, truth)[["hits", "F1"]].values.tolist()
    [[1.0, 0.5]]
    """
    tolerance_s = check_positive(tolerance_s, "tolerance_s", "s")
    for name, df in (("detected", detected), ("truth", truth)):
        missing = {"time_s", "duration_s", "type"} - set(df.columns)
        if missing:
            raise ValueError(f"{name} needs the columns time_s, duration_s and type; missing {sorted(missing)}")
    rows = []
    for kind in dict.fromkeys([*truth["type"], *detected["type"]]):
        tr = truth[truth["type"] == kind]
        de = detected[detected["type"] == kind]
        t0, t1 = tr["time_s"].to_numpy(float), (tr["time_s"] + tr["duration_s"]).to_numpy(float)
        d0, d1 = de["time_s"].to_numpy(float), (de["time_s"] + de["duration_s"]).to_numpy(float)
        if kind in RUN_TYPES:
            pairs = [(-(min(t1[i], d1[j]) - max(t0[i], d0[j])), i, j) for i in range(t0.size)
                     for j in range(d0.size) if min(t1[i], d1[j]) > max(t0[i], d0[j])]
        else:
            j_sorted = np.argsort(d0)
            pairs = []
            for i in range(t0.size):
                lo = np.searchsorted(d0[j_sorted], t0[i] - tolerance_s)
                hi = np.searchsorted(d0[j_sorted], t0[i] + tolerance_s, side="right")
                pairs += [(abs(d0[j] - t0[i]), i, int(j)) for j in j_sorted[lo:hi]]
        used_t, used_d = set(), set()
        for _, i, j in sorted(pairs):
            if i not in used_t and j not in used_d:
                used_t.add(i)
                used_d.add(j)
        hits = len(used_t)
        precision = hits / d0.size if d0.size else float("nan")
        recall = hits / t0.size if t0.size else float("nan")
        f1 = 2 * hits / (t0.size + d0.size) if (t0.size + d0.size) else float("nan")
        rows.append({"type": kind, "true": int(t0.size), "detected": int(d0.size), "hits": float(hits),
                     "precision": precision, "recall": recall, "F1": f1})
    return pd.DataFrame(rows, columns=["type", "true", "detected", "hits", "precision", "recall", "F1"])
