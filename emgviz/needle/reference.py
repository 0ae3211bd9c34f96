"""Published normal MUP values per muscle and age band, each row with its citation and status."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = ["REFERENCE_CSV", "reference_table", "reference_for", "MUSCLES", "muscle_key"]

REFERENCE_CSV = Path(__file__).with_name("data") / "mup_reference.csv"

_ALIASES = {"ta": "tibialis anterior", "tib ant": "tibialis anterior", "anterior tibial": "tibialis anterior",
            "biceps": "biceps brachii", "bb": "biceps brachii", "fdi": "first dorsal interosseous",
            "first dorsal interosseus": "first dorsal interosseous", "vl": "vastus lateralis",
            "deltoideus": "deltoid", "deltoid muscle": "deltoid"}


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_CSV)


def reference_table() -> pd.DataFrame:
    """The bundled reference table (a copy): one row per muscle, age band and method.

    Columns: ``muscle``, ``age_min``, ``age_max``, ``method`` (how duration was measured: manual
    Buchthal-type with a 20-µV level, or automatic multi-MUP-type), ``duration_mean_ms``,
    ``duration_sd_ms``, ``amplitude_mean_uv``, ``amplitude_uln_uv`` (upper limit of normal),
    ``polyphasic_uln_pct``, ``source`` (citation), ``status`` ("read from the source table", or
    "approximate …" for values transcribed from textbook reproductions that still need checking
    against the original tables). Durations measured by automatic methods are shorter than manual
    Buchthal durations, so the comparison prefers a row with the same method as the measurement.
    """
    return _load().copy()


MUSCLES = tuple(dict.fromkeys(_load()["muscle"]))


def muscle_key(name) -> str | None:
    """The reference table's name for a muscle given in free text ("TA", "Tibialis anterior muscle"), or None."""
    if not name:
        return None
    text = " ".join(str(name).lower().replace("_", " ").replace("-", " ").split())
    text = text.removesuffix(" muscle").removeprefix("left ").removeprefix("right ").removeprefix("m. ")
    text = _ALIASES.get(text, text)
    for m in MUSCLES:
        if m == text or m in text:
            return m
    return None


def reference_for(muscle, age=None, *, method: str = "automatic") -> pd.Series:
    """The reference row for ``muscle`` (free text) and ``age`` (years), preferring ``method``.

    Raises
    ------
    ValueError
        When the muscle is not in the table (the message lists the muscles).
    """
    key = muscle_key(muscle)
    if key is None:
        raise ValueError(f"no reference values for muscle {muscle!r}; the table has {list(MUSCLES)}")
    rows = _load()[_load()["muscle"] == key]
    if age is not None:
        band = rows[(rows["age_min"] <= float(age)) & (float(age) <= rows["age_max"])]
        rows = band if len(band) else rows
    same = rows[rows["method"].str.startswith(method)]
    rows = same if len(same) else rows
    return rows.iloc[0].copy()
