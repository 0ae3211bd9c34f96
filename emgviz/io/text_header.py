"""Text tables: the ``key: value`` lines above the numbers, and the sampling rate they state."""

from __future__ import annotations

import re

import numpy as np

__all__ = ["header_fields", "fs_from_fields"]

_META_LINE = re.compile(r"^\s*(?:#|%|//)?\s*(?P<key>[^\d\s:=#][^:=]{0,60}?)\s*(?::=|:|=)\s*(?P<value>.*?)\s*$")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def header_fields(lines) -> dict[str, str]:
    """``key: value`` / ``key:= value`` / ``key=value`` pairs of the text before the numbers."""
    out: dict[str, str] = {}
    for line in lines:
        text = line.strip()
        if text.startswith("#") and text[1:].lstrip().startswith("{"):
            continue  # JSON headers belong to dedicated readers
        pairs = [text]
        if text.count("=") > 1 and ":=" not in text:
            pairs = [p for p in re.split(r"[,;]\s*", text.lstrip("#%/ ")) if "=" in p]
        for p in pairs:
            m = _META_LINE.match(p)
            if m and m.group("value") and len(out) < 200:
                out.setdefault(m.group("key").strip(), m.group("value"))
    return out


def _norm_key(key: str) -> str:
    return re.sub(r"[^a-z]+", " ", key.lower()).strip()


def _first_number(text: str) -> float | None:
    m = _NUMBER.search(text)
    if not m:
        return None
    try:
        return float(m.group().replace(",", "."))
    except ValueError:
        return None


def fs_from_fields(fields: dict[str, str]) -> tuple[float | None, str | None]:
    """The sampling rate in Hz stated by header fields, and the key that stated it."""
    exact = {"fs", "sr", "srate", "rate", "frequency", "sampling", "hz", "sample rate", "sampling rate",
             "samplerate", "sampling frequency", "sample frequency", "acquisition rate", "sampling rate hz",
             "sample rate hz", "sampling frequency hz", "frequency hz", "rate hz", "fs hz"}
    for key, value in fields.items():
        k = _norm_key(key)
        if k in exact or ("sampl" in k and ("rate" in k or "freq" in k)):
            v = _first_number(value)
            if v is None or not np.isfinite(v) or v <= 0:
                continue
            if "khz" in value.lower() or "khz" in key.lower():
                v *= 1000.0
            return v, key
    return None, None


def _field(fields: dict[str, str], *words: str) -> str | None:
    for key, value in fields.items():
        if _norm_key(key) in words:
            return value
    return None
