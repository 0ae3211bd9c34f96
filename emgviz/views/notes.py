"""What the reader assumed (unit guessed, rows trimmed, delimiter, where the rate came from), under the file name."""

from __future__ import annotations

import streamlit as st

from ..recording import Recording
from .text import md

__all__ = ["render"]

#: Up to this many notes, the list is open; more are folded away.
_OPEN_UP_TO = 4


def render(rec: Recording) -> None:
    """Show ``rec.meta["notes"]`` (escaped: file text never acts as Markdown) in an expander."""
    notes = [str(n) for n in rec.meta.get("notes", ()) if str(n).strip()]
    if not notes:
        return
    box = st.expander(f"Reader notes ({len(notes)}): what emgviz found or assumed in this file",
                      expanded=len(notes) <= _OPEN_UP_TO)
    box.markdown("\n".join(f"- {md(n)}" for n in notes))
