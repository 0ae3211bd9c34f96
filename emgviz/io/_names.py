"""Channel names as files give them: blanks filled, repeats numbered, one convention for every reader."""

from __future__ import annotations

__all__ = ["unique_names"]


def unique_names(names, *, blank: str = "ch{}") -> list[str]:
    """Names made unique: blanks become ``blank.format(i + 1)``, repeats get " (2)", " (3)", ...

    >>> unique_names(["EMG", "EMG", "", "EMG"])
    ['EMG', 'EMG (2)', 'ch3', 'EMG (3)']
    """
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = str(name).strip() or blank.format(i + 1)
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        seen.setdefault(name, 1)
        out.append(name)
    return out
