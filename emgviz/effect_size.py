"""Effect size between two sets of windows: Hedges' g with its 95 % confidence interval."""

from __future__ import annotations

import numpy as np

__all__ = ["EFFECT_SIZE_METHOD", "hedges_g"]

#: How the effect size and its CI are computed, for captions and CSV headers.
EFFECT_SIZE_METHOD = (
    "Values are means over sliding windows. Hedges' g (Hedges & Olkin 1985): difference of the window means over the pooled SD, times the "
    "small-sample correction J = 1 − 3/(4·(n1+n2) − 9); 95 % CI g ± 1.96·√Var(g) with "
    "Var(g) = (n1+n2)/(n1·n2) + g²/(2·(n1+n2)) (normal approximation). n counts independent windows: "
    "n_windows·min(1, step/window), so overlapping windows are not counted twice.")


def hedges_g(a, b) -> tuple[float, float, float]:
    """Hedges' g of ``b`` versus ``a`` with its 95 % confidence interval.

    g = J · (mean(b) − mean(a)) / s_pooled, with s_pooled from the two sample variances
    (ddof=1) and the small-sample correction J = 1 − 3 / (4·(n1 + n2) − 9) (Hedges & Olkin
    1985). The CI is g ± 1.96·√Var(g), Var(g) = (n1 + n2)/(n1·n2) + g²/(2·(n1 + n2)) (normal
    approximation).

    Parameters
    ----------
    a, b : array_like
        Observations of the reference and the compared group (any unit, the same for both).

    Returns
    -------
    g, ci_low, ci_high : float
        NaN when a group has fewer than 2 values or both have zero spread.

    Examples
    --------
    >>> g, lo, hi = hedges_g([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0])
    >>> g, lo < 0 < hi
    (0.0, True)
    """
    g, lo, hi = _hedges(np.asarray(a, float), np.asarray(b, float))
    return g, lo, hi


def _hedges(a: np.ndarray, b: np.ndarray, *, n_a: float | None = None, n_b: float | None = None):
    a = a[np.isfinite(a)]
    b = b[np.isfinite(b)]
    if a.size < 2 or b.size < 2:
        return np.nan, np.nan, np.nan
    n1 = float(a.size if n_a is None else n_a)
    n2 = float(b.size if n_b is None else n_b)
    pooled = np.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / (a.size + b.size - 2))
    if not pooled > 0:
        return np.nan, np.nan, np.nan
    n1, n2 = max(n1, 2.0), max(n2, 2.0)
    j = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)
    g = float(j * (b.mean() - a.mean()) / pooled)
    se = np.sqrt((n1 + n2) / (n1 * n2) + g * g / (2.0 * (n1 + n2)))
    return g, float(g - 1.96 * se), float(g + 1.96 * se)
