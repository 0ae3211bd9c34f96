"""Page style for small screens: every view readable on a 1024×768 projector as on a laptop.

Streamlit's wide layout keeps about 100 px of empty space above the first line and 5 rem on
each side of the page, and a 336 px sidebar: at 1024 px that leaves 560 px for the view, too
narrow for button rows (labels cut to "◂ Ctrl+←"). Here: less empty space, a narrower sidebar
below 1200 px, and no button label that shrinks to an ellipsis.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["CSS", "apply"]

CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem; padding-bottom: 3rem; }
.st-key-emgviz_plotly_preload { display: none; }
@media (max-width: 1200px) {
  [data-testid="stMainBlockContainer"] { padding-left: 1.25rem; padding-right: 1.25rem; }
  section[data-testid="stSidebar"] { width: 264px !important; min-width: 264px !important; }
  [data-testid="stSidebarUserContent"] { padding-left: 1rem; padding-right: 1rem; }
}
</style>"""


def apply() -> None:
    """Add the page style (once per run; it takes no space on the page)."""
    st.html(CSS)
