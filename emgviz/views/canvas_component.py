"""One registry for the app's canvas components (``st.components.v2``): Live's and Teach's.

A component is registered once per server process, on first use, by its name; a fixed ``key``
per call keeps it mounted across reruns, so new data only repaints it.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["available", "component"]

_registered: dict[str, object] = {}


def available() -> bool:
    """True when this Streamlit has custom components v2 (1.51+; requirements.txt pins 1.67)."""
    return hasattr(st.components, "v2")


def component(name: str, js: str, css: str | None = None):
    """The component ``name`` drawing with ``js`` (and styled by ``css``; registered on its first use in
    this process)."""
    if name not in _registered:
        _registered[name] = st.components.v2.component(name, js=js, css=css, isolate_styles=False)
    return _registered[name]
