"""Noraxon MR3 CSV exports: a time column and channels such as ``RT TIB.ANT. (uV)``."""

from __future__ import annotations

import re

from ..recording import Recording
from . import text as _text

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read"]

FORMAT = "Noraxon CSV"
SUFFIXES = ()


def sniff(head: bytes, name: str) -> bool:
    """Names Noraxon/MyoMuscle/MR3, or a first row ``time,… RT …`` of Noraxon's side prefixes."""
    if not _text.is_text(head[:8192]):
        return False
    text = head[:16384].decode("latin-1")
    return bool(re.search(r"noraxon|myomuscle|\bMR3\b", text, re.IGNORECASE)
                or re.match(r'^"?time[^\n]*\b(RT|LT)[ _.]', text, re.IGNORECASE))


def read(content: bytes, name: str, *, fs: float | None = None, unit: str | None = None) -> Recording:
    """Read a Noraxon CSV export (generic table with the units written in the names or a unit row)."""
    return _text.read_table(content, name, fs=fs, unit=unit, fmt=FORMAT)
