"""Showing file-provided text (names, labels, notes) in Streamlit Markdown without it acting as markup."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text) -> str:
    """Escape Markdown (links, images, HTML-looking tags, :colour[] and :emoji: codes) in ``text``."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))
