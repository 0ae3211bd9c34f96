"""Channel-to-muscle maps for Compare: match by name, by order, and swap left/right sides.

A map is ``{session_label: {channel: muscle}}``: channels given the same muscle name are
compared as one muscle (see :func:`emgviz.compare.match_channels`, whose ``mapping=`` takes
it). These helpers build maps a person would otherwise type cell by cell.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

__all__ = ["mapping_by_name", "mapping_by_order", "swap_sides", "swap_left_right"]

_SIDE_WORD = re.compile(r"(?<![A-Za-z])(L|R|left|right|Left|Right|LEFT|RIGHT)(?![a-z])")
_OTHER = {"L": "R", "R": "L", "left": "right", "right": "left", "Left": "Right", "Right": "Left",
          "LEFT": "RIGHT", "RIGHT": "LEFT"}


def mapping_by_name(sessions: Sequence) -> dict[str, dict[str, str]]:
    """Every channel mapped to the muscle :func:`~emgviz.compare.match_channels` finds by name.

    Names match ignoring case, spaces and punctuation (``"Biceps_L"`` = ``"biceps l"``).
    """
    from .compare import match_channels

    auto = match_channels(sessions)
    out: dict[str, dict[str, str]] = {}
    for s in sessions:
        lookup = {ch: m for m, ch in zip(auto["muscle"], auto[s.label]) if ch is not None}
        out[s.label] = {ch: str(lookup.get(ch, ch)) for ch in s.recording.ch_names}
    return out


def mapping_by_order(sessions: Sequence) -> dict[str, dict[str, str]]:
    """Channel *i* of every session is the muscle named by the first session's channel *i*.

    For recordings made with the same montage but different channel names (``"EMG1"`` vs
    ``"ch1"``). Channels beyond the first session's count keep their own names.

    Examples
    --------
    >>> import numpy as np
    >>> from emgviz import Recording, Session
    >>> a = Session("pre", Recording(np.zeros((2, 10)), fs=1000, ch_names=["biceps", "triceps"]))
    >>> b = Session("post", Recording(np.zeros((3, 10)), fs=1000, ch_names=["EMG1", "EMG2", "EMG3"]))
    >>> mapping_by_order([a, b])["post"]
    {'EMG1': 'biceps', 'EMG2': 'triceps', 'EMG3': 'EMG3'}
    """
    sessions = list(sessions)
    if not sessions:
        return {}
    first = list(sessions[0].recording.ch_names)
    return {s.label: {ch: (first[i] if i < len(first) else ch) for i, ch in enumerate(s.recording.ch_names)}
            for s in sessions}


def swap_sides(name: str) -> str:
    """A muscle name with its side swapped: ``"biceps_L"`` → ``"biceps_R"``, ``"Left TA"`` → ``"Right TA"``.

    Examples
    --------
    >>> swap_sides("biceps_L"), swap_sides("Left TA"), swap_sides("VL right"), swap_sides("deltoid")
    ('biceps_R', 'Right TA', 'VL left', 'deltoid')
    """
    return _SIDE_WORD.sub(lambda m: _OTHER[m.group(1)], str(name))


def swap_left_right(mapping: Mapping[str, Mapping[str, str]], session: str) -> dict[str, dict[str, str]]:
    """``mapping`` with the sides of ``session``'s muscles swapped (electrodes placed mirrored).

    Other sessions are unchanged; muscles without a side keep their names.
    """
    if session not in mapping:
        raise ValueError(f"no session {session!r} in the mapping; sessions are {sorted(mapping)}")
    out = {lab: dict(m) for lab, m in mapping.items()}
    out[session] = {ch: swap_sides(m) for ch, m in mapping[session].items()}
    return out
