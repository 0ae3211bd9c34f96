"""Channel names as files give them: blanks filled, repeats numbered, one convention for every reader."""

from __future__ import annotations

__all__ = ["unique_names"]


def unique_names(names, *, blank: str = "ch{}") -> list[str]:
    """Names made unique: blanks become ``blank.format(i + 1)``, repeats get " (2)", " (3)", ...

    A name the file itself uses is never given to a repeat (``EMG, EMG (2), EMG`` gives
    ``EMG, EMG (2), EMG (3)``).

    >>> unique_names(["EMG", "EMG", "", "EMG"])
    ['EMG', 'EMG (2)', 'ch3', 'EMG (3)']
    >>> unique_names(["EMG", "EMG (2)", "EMG"])
    ['EMG', 'EMG (2)', 'EMG (3)']
    """
    given = [str(n).strip() or blank.format(i + 1) for i, n in enumerate(names)]
    taken: set[str] = set()
    out = []
    for i, name in enumerate(given):
        if name in taken:
            k = 2
            while f"{name} ({k})" in taken or f"{name} ({k})" in given[i + 1:]:
                k += 1
            name = f"{name} ({k})"
        taken.add(name)
        out.append(name)
    return out
