"""Published normal MUP values per muscle (and age band where the source gives one), each row with its
citation, where it was read, and whether it was verified."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = ["REFERENCE_CSV", "reference_table", "reference_for", "MUSCLES", "muscle_key", "check_reference_table",
           "amplitude_limits", "missing_measures", "is_verified", "PLAUSIBLE", "SOURCE_STATUSES"]

REFERENCE_CSV = Path(__file__).with_name("data") / "mup_reference.csv"

#: ``source_status`` values: "verified" — every value in the row was read in the cited source at
#: ``read_at``; "unverified" — no value was found in a source that was read, so the values are empty.
SOURCE_STATUSES = ("verified", "unverified")

#: Plausible ranges of the table's values for adult limb muscles recorded with a needle: a sanity check
#: against transcription errors (a value in mV typed as µV, a range typed as a mean), deliberately wide
#: and NOT a clinical limit.
PLAUSIBLE = {
    "duration_mean_ms": (3.0, 20.0), "duration_sd_ms": (0.0, 5.0), "duration_uln_ms": (3.0, 25.0),
    "duration_outlier_low_ms": (1.0, 15.0), "duration_outlier_high_ms": (5.0, 40.0),
    "amplitude_mean_uv": (100.0, 3000.0), "amplitude_sd_uv": (0.0, 1500.0), "amplitude_uln_uv": (100.0, 6000.0),
    "amplitude_outlier_low_uv": (20.0, 1000.0), "amplitude_outlier_high_uv": (300.0, 10000.0),
    "polyphasic_uln_pct": (0.0, 100.0), "age_min": (0.0, 120.0), "age_max": (0.0, 120.0),
}
_VALUES = [c for c in PLAUSIBLE if not c.startswith("age")]
_TEXT = ["muscle", "electrode", "method", "source", "read_at", "source_status", "notes"]

_ALIASES = {"ta": "tibialis anterior", "tib ant": "tibialis anterior", "anterior tibial": "tibialis anterior",
            "biceps": "biceps brachii", "bb": "biceps brachii", "fdi": "first dorsal interosseous",
            "first dorsal interosseus": "first dorsal interosseous", "vl": "vastus lateralis",
            "deltoideus": "deltoid", "deltoid muscle": "deltoid"}


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def check_reference_table(table: pd.DataFrame) -> None:
    """Refuse a reference table that is not traceable or not plausible.

    Every row needs a muscle, a citation (``source``) and a ``source_status`` from
    :data:`SOURCE_STATUSES`; a "verified" row needs ``read_at`` (URL or repository path) and at least a
    mean duration or a mean amplitude; an "unverified" row holds no values; every value lies in
    :data:`PLAUSIBLE`; an SD is below its mean; an upper limit is above its mean.

    Raises
    ------
    ValueError
        Naming the row (muscle) and the rule it breaks.
    """
    missing = [c for c in _TEXT + _VALUES + ["age_min", "age_max"] if c not in table.columns]
    if missing:
        raise ValueError(f"reference table lacks columns {missing}")
    for _, r in table.iterrows():
        name = r["muscle"] or "(no muscle)"
        if not str(r["muscle"]).strip():
            raise ValueError("a reference row has no muscle name")
        if len(str(r["source"]).strip()) < 20:
            raise ValueError(f"reference row {name!r} has no citation (source)")
        if r["source_status"] not in SOURCE_STATUSES:
            raise ValueError(f"reference row {name!r}: source_status {r['source_status']!r} is not one of "
                             f"{SOURCE_STATUSES}")
        values = {c: r[c] for c in _VALUES if not _nan(r[c])}
        if r["source_status"] == "unverified" and values:
            raise ValueError(f"reference row {name!r} is unverified but holds values {sorted(values)}; "
                             f"leave them empty or cite where they were read")
        if r["source_status"] == "verified":
            if not str(r["read_at"]).strip():
                raise ValueError(f"reference row {name!r} is verified but does not say where it was read (read_at)")
            if _nan(r["duration_mean_ms"]) and _nan(r["amplitude_mean_uv"]):
                raise ValueError(f"reference row {name!r} is verified but has neither a mean duration nor a "
                                 f"mean amplitude")
        for c, v in list(values.items()) + [(c, r[c]) for c in ("age_min", "age_max") if not _nan(r[c])]:
            lo, hi = PLAUSIBLE[c]
            if not lo <= float(v) <= hi:
                raise ValueError(f"reference row {name!r}: {c} = {v} is outside the plausible {lo:g}–{hi:g}")
        for sd, mean, uln in (("duration_sd_ms", "duration_mean_ms", "duration_uln_ms"),
                              ("amplitude_sd_uv", "amplitude_mean_uv", "amplitude_uln_uv")):
            if not _nan(r[sd]) and not _nan(r[mean]) and not r[sd] < r[mean]:
                raise ValueError(f"reference row {name!r}: {sd} = {r[sd]} is not below {mean} = {r[mean]}")
            if not _nan(r[uln]) and not _nan(r[mean]) and not r[uln] > r[mean]:
                raise ValueError(f"reference row {name!r}: {uln} = {r[uln]} is not above {mean} = {r[mean]}")
        if not _nan(r["age_min"]) and not _nan(r["age_max"]) and r["age_min"] > r["age_max"]:
            raise ValueError(f"reference row {name!r}: age_min {r['age_min']} is above age_max {r['age_max']}")


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    table = pd.read_csv(REFERENCE_CSV, dtype={c: str for c in _TEXT})
    table[_TEXT] = table[_TEXT].fillna("")
    check_reference_table(table)
    return table


def reference_table() -> pd.DataFrame:
    """The bundled reference table (a copy): one row per muscle, age band and method.

    Columns: ``muscle``; ``age_min``, ``age_max`` (years; empty when the source states no age band);
    ``electrode``; ``method`` (how MUPs were measured: "automatic (multi-MUP type)" or what the source
    says); ``duration_mean_ms``, ``duration_sd_ms``, ``duration_uln_ms`` (mean MUP duration of a muscle
    across control subjects, its SD, its upper limit of normal); ``duration_outlier_low_ms`` /
    ``_high_ms`` (limits for individual MUPs); the same for amplitude in µV (``amplitude_…_uv``);
    ``polyphasic_uln_pct`` (upper limit of the share of polyphasic MUPs); ``source`` (citation);
    ``read_at`` (the URL or repository path where the values were read); ``source_status``
    ("verified" or "unverified", see :data:`SOURCE_STATUSES`); ``notes``. A value the source does
    not give is empty (NaN), never guessed. Durations measured by automatic methods are shorter than
    manual Buchthal durations, so the comparison prefers a row with the same method as the measurement.
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


def _status_text(row) -> str:
    if row["source_status"] == "verified":
        return f"verified: read at {row['read_at']}"
    return "unverified: no value was found in a source that was read, so the values are left empty"


def reference_for(muscle, age=None, *, method: str = "automatic") -> pd.Series:
    """The reference row for ``muscle`` (free text) and ``age`` (years), preferring ``method``.

    Rows are ranked: verified before unverified; an age band holding ``age`` before a row without an
    age band, before a band that does not hold it; then a method starting with ``method``. The row
    returned adds ``amplitude_uln_uv`` = mean + 2 SD when the source gives an SD but no limit
    (``amplitude_uln_derived`` says so) and ``status``, a sentence for display.

    Raises
    ------
    ValueError
        When the muscle is not in the table (the message lists the muscles).

    Examples
    --------
    >>> float(reference_for("TA")["duration_mean_ms"])
    9.35
    >>> reference_for("vastus lateralis")["source_status"]
    'unverified'
    """
    key = muscle_key(muscle)
    if key is None:
        raise ValueError(f"no reference values for muscle {muscle!r}; the table has {list(MUSCLES)}")
    rows = _load()[_load()["muscle"] == key]

    def rank(r) -> tuple:
        band = _nan(r["age_min"]) and _nan(r["age_max"])
        holds = (age is not None and not band and
                 (_nan(r["age_min"]) or r["age_min"] <= float(age)) and
                 (_nan(r["age_max"]) or float(age) <= r["age_max"]))
        return (r["source_status"] != "verified", 0 if holds else (1 if band else 2),
                not str(r["method"]).startswith(method))

    best = min(rows.index, key=lambda i: rank(rows.loc[i]))
    row = rows.loc[best].copy()
    derived = _nan(row["amplitude_uln_uv"]) and not _nan(row["amplitude_sd_uv"]) and not _nan(row["amplitude_mean_uv"])
    if derived:
        row["amplitude_uln_uv"] = row["amplitude_mean_uv"] + 2.0 * row["amplitude_sd_uv"]
    row["amplitude_uln_derived"] = bool(derived)
    row["status"] = _status_text(row)
    return row


def amplitude_limits(ref) -> tuple[float, float]:
    """(lower, upper) limit of a muscle's mean MUP amplitude (µV); NaN where the row has none.

    The upper limit is the row's ``amplitude_uln_uv``; the lower limit mirrors it about the mean
    (mean − (ULN − mean), i.e. mean − 2 SD when the ULN is mean + 2 SD), floored at 0.
    """
    mean, uln = ref["amplitude_mean_uv"], ref["amplitude_uln_uv"]
    if _nan(mean) or _nan(uln):
        return float("nan"), float("nan") if _nan(uln) else float(uln)
    return max(0.0, 2.0 * float(mean) - float(uln)), float(uln)


def missing_measures(ref) -> list[str]:
    """The measures a reference row gives no value for: any of "duration", "amplitude", "polyphasic"."""
    out = []
    if _nan(ref["duration_mean_ms"]):
        out.append("duration")
    if _nan(ref["amplitude_mean_uv"]) or _nan(ref["amplitude_uln_uv"]):
        out.append("amplitude")
    if _nan(ref["polyphasic_uln_pct"]):
        out.append("polyphasic")
    return out


def is_verified(ref) -> bool:
    """True when the row's values were read in the cited source (``source_status == "verified"``)."""
    return ref.get("source_status", "") == "verified"
