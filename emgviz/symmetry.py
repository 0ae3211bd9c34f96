"""Left/right symmetry: the symmetry index, left/right channel pairs, and session-to-session symmetry."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["SYMMETRY_METHOD", "symmetry_index", "pair_left_right", "symmetry_table", "session_symmetry"]

#: The symmetry index formula, for captions.
SYMMETRY_METHOD = "Symmetry index SI = (R − L) / (0.5·(R + L)) · 100 % (Robinson et al. 1987); 0 = symmetric"


def _norm(name: str) -> str:
    """Case-, space- and punctuation-insensitive key of a channel name."""
    return re.sub(r"[\W_]+", "", str(name).casefold())


def symmetry_index(left, right):
    """Symmetry index in %: SI = (R − L) / (0.5·(R + L)) · 100 (Robinson et al. 1987).

    Parameters
    ----------
    left, right : float or array_like
        The same measure on the left and right side (e.g. RMS in V). Broadcast together.

    Returns
    -------
    float or ndarray
        0 for perfect symmetry, positive when the right side is larger; NaN where L + R = 0.

    Examples
    --------
    >>> symmetry_index(1.0, 1.5)
    40.0
    """
    left = np.asarray(left, dtype=float)
    right = np.asarray(right, dtype=float)
    total = 0.5 * (right + left)
    with np.errstate(divide="ignore", invalid="ignore"):
        si = np.where(total != 0, (right - left) / np.where(total != 0, total, 1.0) * 100.0, np.nan)
    return float(si) if si.ndim == 0 else si


_SIDE_PATTERNS = (
    # regexes with "base" and "side" groups, tried in order (most explicit first)
    re.compile(r"^(?P<base>.+?)[\s_\-.(\[]+(?P<side>left|right)[)\]]?$", re.I),
    re.compile(r"^(?P<side>left|right)[\s_\-.]+(?P<base>.+)$", re.I),
    re.compile(r"^(?P<base>.+?)(?:[\s_\-.]+\(?|\()(?P<side>[LR])\)?$"),
    re.compile(r"^(?P<side>[LR])[\s_\-.]+(?P<base>.+)$"),
    re.compile(r"^(?P<base>.+?[a-z])(?P<side>Left|Right)$"),
)


def _side_of(name: str) -> tuple[str, str] | None:
    """``(base, "L"|"R")`` when ``name`` states a side, else None."""
    for pat in _SIDE_PATTERNS:
        m = pat.match(name.strip())
        if m and m.group("base").strip(" _-.()[]"):
            return m.group("base").strip(" _-.()[]"), m.group("side")[0].upper()
    return None


def pair_left_right(names: Sequence[str], *,
                    mapping: Mapping[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """Pair left and right channels by name ("_L"/"_R", "Left"/"Right", "L "/"R " prefixes...).

    Parameters
    ----------
    names : sequence of str
        Channel names.
    mapping : dict of {muscle: (left_name, right_name)}, default=None
        Explicit pairs; they replace any pair found by name for those channels.

    Returns
    -------
    DataFrame
        Columns ``muscle``, ``left``, ``right``; one row per pair, in the order of ``names``.

    Examples
    --------
    >>> pair_left_right(["VL_L", "VL_R", "Left TA", "Right TA", "trigger"]).values.tolist()
    [['VL', 'VL_L', 'VL_R'], ['TA', 'Left TA', 'Right TA']]
    """
    names = [str(n) for n in names]
    rows = []
    used: set[str] = set()
    for muscle, pair in dict(mapping or {}).items():
        left, right = (str(p) for p in pair)
        missing = [n for n in (left, right) if n not in names]
        if missing:
            raise ValueError(f"pair {muscle!r} names channels {missing} that are not among {names}")
        rows.append({"muscle": str(muscle), "left": left, "right": right})
        used.update((left, right))
    sides: dict[str, dict[str, str]] = {}
    order: list[str] = []
    for n in names:
        if n in used:
            continue
        found = _side_of(n)
        if found is None:
            continue
        base, side = found
        key = _norm(base)
        if key not in sides:
            sides[key] = {"muscle": base}
            order.append(key)
        sides[key].setdefault(side, n)
    for key in order:
        d = sides[key]
        if "L" in d and "R" in d:
            rows.append({"muscle": d["muscle"], "left": d["L"], "right": d["R"]})
    return pd.DataFrame(rows, columns=["muscle", "left", "right"])


def symmetry_table(features: pd.DataFrame, *,
                   mapping: Mapping[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """Symmetry index of every feature for each left/right channel pair of one recording.

    Parameters
    ----------
    features : DataFrame
        :func:`emgviz.features.feature_table` output: ``channel`` plus numeric feature columns.
    mapping : dict of {muscle: (left_name, right_name)}, default=None
        Explicit pairs, see :func:`pair_left_right`.

    Returns
    -------
    DataFrame
        Columns ``muscle``, ``left``, ``right``, ``feature``, ``left_value``, ``right_value``,
        ``symmetry_index_pct`` (Robinson et al. 1987).
    """
    if "channel" not in features.columns:
        raise ValueError("features needs a 'channel' column (the output of feature_table)")
    pairs = pair_left_right(list(features["channel"]), mapping=mapping)
    by = features.set_index("channel")
    cols = [c for c in by.columns if pd.api.types.is_numeric_dtype(by[c])]
    rows = []
    for _, p in pairs.iterrows():
        for c in cols:
            lv, rv = float(by.loc[p["left"], c]), float(by.loc[p["right"], c])
            rows.append({"muscle": p["muscle"], "left": p["left"], "right": p["right"], "feature": c,
                         "left_value": lv, "right_value": rv, "symmetry_index_pct": symmetry_index(lv, rv)})
    return pd.DataFrame(rows, columns=["muscle", "left", "right", "feature", "left_value", "right_value",
                                       "symmetry_index_pct"])


def session_symmetry(comparison: pd.DataFrame, *, left: str, right: str) -> pd.DataFrame:
    """Symmetry index between two sessions recorded on the left and right side.

    Parameters
    ----------
    comparison : DataFrame
        :func:`compare_features` output.
    left, right : str
        The session labels of the left and right side.

    Returns
    -------
    DataFrame
        Columns ``muscle``, ``feature``, ``left_value``, ``right_value``, ``symmetry_index_pct``.
    """
    sessions = set(comparison["session"])
    for lab in (left, right):
        if lab not in sessions:
            raise ValueError(f"no session {lab!r} in the comparison; sessions are {sorted(sessions)}")
    wide = comparison.pivot_table(index=["muscle", "feature"], columns="session", values="value", sort=False)
    out = pd.DataFrame({"left_value": wide[left], "right_value": wide[right]}).reset_index()
    out["symmetry_index_pct"] = symmetry_index(out["left_value"].to_numpy(), out["right_value"].to_numpy())
    return out
