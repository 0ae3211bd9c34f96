"""Showing file- or URL-provided text (names, labels, notes, messages) in Streamlit as plain text.

Streamlit renders Markdown in ``st.markdown``, ``st.caption``, ``st.error``/``warning``/``info``/
``success``, badges and widget labels: a channel named ``[Log in](https://evil.example)`` would
become a link, ``![x](http://host/x.png)`` an image the browser fetches, and a bare URL is
linked automatically (GFM "autolink literals", applied after escapes are resolved). :func:`md`
is the one helper every such call uses for text a file or a link can set.
"""

from __future__ import annotations

import re

__all__ = ["md"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|<>~$:])")
#: Characters that are markup only at the start of a line (lists, headings, rules, quotes).
_LINE_START = re.compile(r"(?m)^(\s*(?:\d+)?)([-+=>.)])")
#: Where GFM would start an autolink (``http://``, ``https://``, ``www.``, ``user@host``); a
#: zero-width space there keeps the text as it reads but stops the link.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
_ZWSP = "\u200b"


def md(text) -> str:
    """``text`` escaped for Markdown: no link, image, HTML tag, autolink, :colour[] or :emoji: code.

    Examples
    --------
    >>> md("[Log in](https://evil.example)")
    '\\\\[Log in\\\\]\\\\(https\\\\:\\u200b//evil.example\\\\)'
    """
    text = _MD_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(_ZWSP, str(text)))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
