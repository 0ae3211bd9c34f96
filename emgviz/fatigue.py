"""Myoelectric fatigue: linear trends of spectral and amplitude features over time.

During a sustained contraction the EMG spectrum compresses towards low frequencies (median
and mean frequency fall) while the amplitude usually rises (De Luca 1997; Merletti & Parker
2004, ch. 9). :func:`fatigue_trend` fits a least-squares line to each feature of each channel,
either over sliding windows of a continuous contraction or over the contractions of a bursts
table (one value per contraction), and reports the slope with its 95 % confidence interval
and the change in % per minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ._checks import check_positive
from .features import burst_features, feature_columns, window_feature_columns, windowed_features
from .recording import Recording

__all__ = ["FatigueResult", "fatigue_trend", "every_other_window", "TREND_COLUMNS", "WINDOW_COLUMNS", "FATIGUE_METHOD"]

#: Columns of :attr:`FatigueResult.table`, in this order.
TREND_COLUMNS = ("channel", "feature", "unit", "slope_per_s", "ci_low", "ci_high", "intercept", "r2",
                 "p_value", "n_windows", "change_pct_per_min")
#: Columns of :attr:`FatigueResult.windows`, in this order.
WINDOW_COLUMNS = ("channel", "feature", "t_start_s", "t_end_s", "time_s", "value")
#: How the trend is computed, for captions and exports.
FATIGUE_METHOD = (
    "Least-squares line of each feature against time (window centres, s from the first sample); "
    "95 % CI of the slope = slope ± t(0.975, n−2)·SE (scipy.stats.linregress); change in % per "
    "minute = slope·60 / fitted value at the first window · 100 (Merletti & Parker 2004; De Luca 1997). "
    "Overlapping windows are not independent: the CI is then too narrow; use step_s = window_s "
    "for inference.")


@dataclass(frozen=True, eq=False)
class FatigueResult:
    """What :func:`fatigue_trend` returns.

    Attributes
    ----------
    table : DataFrame
        One row per channel and feature, columns :data:`TREND_COLUMNS`: ``unit`` of the
        feature (``"Hz"``, ``"V"``, ...); ``slope_per_s`` (unit/s) with its 95 % CI
        ``ci_low``–``ci_high``; ``intercept`` (fitted value at the recording's first sample,
        unit); ``r2``; ``p_value`` (two-sided, slope ≠ 0); ``n_windows`` (windows or
        contractions fitted); ``change_pct_per_min`` (slope·60 / fitted value at the first
        window's centre ·100, %/min). Fits with fewer than 3 points are NaN.
    windows : DataFrame
        The points fitted, long format, columns :data:`WINDOW_COLUMNS` (plus ``contraction``,
        the row of the bursts table, when fitted per contraction): ``time_s`` is the window
        (or contraction) centre in the recording's clock.
    """

    table: pd.DataFrame
    windows: pd.DataFrame


def _feature_column(name: str, columns: Sequence[str]) -> str:
    for col in columns:
        if col == name or col.startswith(f"{name} ("):
            return col
    choices = [c.split(" (")[0] for c in columns if c not in ("channel", "t_start_s", "t_end_s")]
    raise ValueError(f"unknown fatigue feature {name!r}; choose from {choices}")


def _unit_of(column: str) -> str:
    return column[column.index("(") + 1:column.rindex(")")] if "(" in column else ""


def _fit(t: np.ndarray, y: np.ndarray) -> dict:
    nan = {"slope_per_s": np.nan, "ci_low": np.nan, "ci_high": np.nan, "intercept": np.nan, "r2": np.nan,
           "p_value": np.nan, "change_pct_per_min": np.nan}
    ok = np.isfinite(t) & np.isfinite(y)
    t, y = t[ok], y[ok]
    n = int(t.size)
    if n < 3 or np.ptp(t) == 0:
        return {**nan, "n_windows": n}
    from scipy import stats  # imported here: scipy.stats costs ~0.5 s at `import emgviz`

    res = stats.linregress(t, y)
    half = stats.t.ppf(0.975, n - 2) * res.stderr
    initial = res.intercept + res.slope * t.min()
    change = res.slope * 60.0 / initial * 100.0 if initial != 0 else np.nan
    return {"slope_per_s": float(res.slope), "ci_low": float(res.slope - half), "ci_high": float(res.slope + half),
            "intercept": float(res.intercept), "r2": float(res.rvalue ** 2) if np.isfinite(res.rvalue) else np.nan,
            "p_value": float(res.pvalue), "n_windows": n, "change_pct_per_min": float(change)}


def every_other_window(windowed: pd.DataFrame, fs: float, window_s: float, step_s: float) -> pd.DataFrame | None:
    """The windows of ``windowed`` (a :func:`~emgviz.features.windowed_features` table of ``window_s``
    windows every ``step_s``) that start every ``2 * step_s``: the table ``windowed_features`` gives for
    that step, without computing it again; None when the steps in samples do not line up
    (``round(2 * step_s * fs) != 2 * round(step_s * fs)``).

    The Summary's heatmap uses half-overlapping windows and its fatigue trend non-overlapping ones
    of the same length: the second is every other row of the first, per channel.
    """
    step = int(round(step_s * fs))
    if step < 1 or int(round(2 * step_s * fs)) != 2 * step or window_s <= 0:
        return None
    keep = windowed.groupby("channel", sort=False).cumcount().to_numpy() % 2 == 0
    return windowed[keep].reset_index(drop=True)


def fatigue_trend(rec: Recording, *, window_s: float = 1.0, step_s: float = 0.5,
                  features: Sequence[str] = ("MDF", "MNF", "RMS"),
                  contractions: pd.DataFrame | None = None, windowed: pd.DataFrame | None = None) -> FatigueResult:
    """Linear trend of EMG features over time, per channel: the fatigue slopes.

    Parameters
    ----------
    rec : Recording
        EMG, ideally band-passed (``preprocess(rec, settings).filtered``).
    window_s : float, default=1.0
        Window length in s (:func:`~emgviz.features.windowed_features`; MDF/MNF from Welch
        segments of 0.25 s within each window).
    step_s : float, default=0.5
        Step between windows in s. With ``step_s < window_s`` the windows overlap and the
        confidence interval is too narrow; use ``step_s = window_s`` for inference.
    features : sequence of str, default=("MDF", "MNF", "RMS")
        Feature names as in the feature tables without the unit: "MDF", "MNF", "RMS", "MAV",
        "WL", "ZC", "SSC" (and, per contraction, any :func:`~emgviz.features.feature_table`
        feature).
    contractions : DataFrame or None, default=None
        A bursts table (columns ``channel``, ``onset_s``, ``offset_s``, e.g. from
        :func:`~emgviz.onsets.detect_bursts`). When given, each contraction gives one value
        per feature (computed over the whole burst, :func:`~emgviz.features.burst_features`)
        at its centre time, and the line is fitted across contractions; ``window_s`` and
        ``step_s`` are not used.
    windowed : DataFrame or None, default=None
        ``windowed_features(rec, window_s=window_s, step_s=step_s)`` when already computed (e.g. by
        :func:`every_other_window` from a table of half-overlapping windows): used instead of
        computing it again. Without contractions only.

    Returns
    -------
    FatigueResult
        ``.table`` (one row per channel and feature, :data:`TREND_COLUMNS`) and
        ``.windows`` (the fitted points, :data:`WINDOW_COLUMNS`). See :class:`FatigueResult`.

    Notes
    -----
    The slope is the ordinary least-squares slope against the window centre time; its 95 %
    CI uses the t distribution with n − 2 degrees of freedom and the standard error of
    :func:`scipy.stats.linregress`. A falling MDF/MNF with rising RMS is the classic sign of
    myoelectric fatigue in isometric contractions (De Luca 1997, J Appl Biomech 13:135;
    Merletti & Parker 2004, *Electromyography*, ch. 9).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rec = Recording(rng.normal(size=(1, 20_000)), fs=1000.0, ch_names=["VL"])
    >>> res = fatigue_trend(rec, features=("MDF",))
    >>> res.table[["channel", "feature", "unit", "n_windows"]].values.tolist()
    [['VL', 'MDF', 'Hz', 39]]
    >>> bool(res.table["ci_low"].iloc[0] < 0 < res.table["ci_high"].iloc[0])
    True
    """
    if not isinstance(rec, Recording):
        raise ValueError(f"fatigue_trend needs a Recording, got {type(rec).__name__}")
    if isinstance(features, str):
        features = (features,)
    features = tuple(features)
    if not features:
        raise ValueError("features must name at least one feature, e.g. ('MDF', 'MNF', 'RMS')")
    if contractions is None:
        window_s = check_positive(window_s, "window_s", "s")
        step_s = check_positive(step_s, "step_s", "s")
        if window_s * rec.fs < 2:
            raise ValueError(f"window_s={window_s:g} s is under 2 samples at fs={rec.fs:g} Hz")
        wide = windowed_features(rec, window_s=window_s, step_s=step_s) if windowed is None else windowed
        columns = window_feature_columns(rec.unit)
        if wide.empty:
            raise ValueError(f"the recording ({rec.duration_s:g} s) is shorter than one window of "
                             f"{window_s:g} s; use a shorter window_s")
        extra: dict = {}
    else:
        if not isinstance(contractions, pd.DataFrame):
            raise ValueError(f"contractions must be a bursts table (DataFrame), got {type(contractions).__name__}")
        wide = burst_features(rec, contractions[["channel", "onset_s", "offset_s"]])
        wide = wide.rename(columns={"onset_s": "t_start_s", "offset_s": "t_end_s"})
        wide["contraction"] = contractions.index.to_numpy()
        columns = feature_columns(rec.unit)
        extra = {"contraction": wide["contraction"]}
    chosen = {f: _feature_column(f, columns) for f in features}
    centre = 0.5 * (wide["t_start_s"].to_numpy() + wide["t_end_s"].to_numpy())
    parts = []
    for f, col in chosen.items():
        part = pd.DataFrame({"channel": wide["channel"].to_numpy(), "feature": f,
                             "t_start_s": wide["t_start_s"].to_numpy(), "t_end_s": wide["t_end_s"].to_numpy(),
                             "time_s": centre, "value": wide[col].to_numpy(dtype=float),
                             **{k: v.to_numpy() for k, v in extra.items()}})
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    groups = long.groupby(["channel", "feature"], sort=False)
    present = set(long["channel"])
    rows = []
    for ch in [c for c in rec.ch_names if c in present]:
        for f, col in chosen.items():
            key = (ch, f)
            if key in groups.indices:
                sel = long.iloc[groups.indices[key]]
                t, y = sel["time_s"].to_numpy() - rec.t0, sel["value"].to_numpy()
            else:
                t = y = np.empty(0)
            fit = _fit(t, y)
            rows.append({"channel": ch, "feature": f, "unit": _unit_of(col), **fit})
    table = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    table["n_windows"] = table["n_windows"].astype("int64")
    order = {"channel": {c: i for i, c in enumerate(rec.ch_names)}, "feature": {f: i for i, f in enumerate(chosen)}}
    long = long.sort_values(["channel", "feature", "time_s"], kind="stable",
                            key=lambda s: s.map(order[s.name]) if s.name in order else s).reset_index(drop=True)
    return FatigueResult(table=table, windows=long)
