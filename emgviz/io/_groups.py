"""Rate groups: files holding signals at several sampling rates name each group ``"2000 Hz"``."""

from __future__ import annotations

__all__ = ["group_key", "match_group"]


def group_key(fs: float) -> str:
    """The name of a rate group: ``"2000 Hz"``, ``"148.148 Hz"`` (6 significant digits).

    >>> group_key(2000.0), group_key(148.1481481)
    ('2000 Hz', '148.148 Hz')
    """
    return f"{float(fs):g} Hz"


def match_group(groups, group) -> str | None:
    """The key of ``groups`` that ``group`` names, or None.

    Parameters
    ----------
    groups : iterable of str
        The group keys (as made by :func:`group_key`).
    group : str or float
        What the caller passed: a key (``"1000 Hz"``), a rate as text (``"1000"``, ``"1000hz"``)
        or a number (``1000``, ``1000.0``).

    >>> groups = ["1000 Hz", "148.148 Hz"]
    >>> match_group(groups, 1000.0), match_group(groups, " 1000 HZ"), match_group(groups, 5)
    ('1000 Hz', '1000 Hz', None)
    """
    keys = list(groups)
    if isinstance(group, str):
        key = group.strip()
        if key in keys:
            return key
        try:
            key = group_key(float(key.lower().replace("hz", "").strip()))
        except ValueError:
            return None
    else:
        try:
            key = group_key(float(group))
        except (TypeError, ValueError):
            return None
    return key if key in keys else None
