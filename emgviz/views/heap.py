"""One way to keep Streamlit's garbage collection after every script run cheap: freeze long-lived objects.

Streamlit runs a full ``gc.collect()`` after every script run, fragment reruns included
(``runner.postScriptGC``). With Streamlit, Plotly, pandas and SciPy loaded that scans ~160,000
long-lived objects each time: 60–150 ms of server CPU per run, more than the Teach view's nudge
or a Live redraw costs. :func:`gc.freeze` moves what exists to a permanent generation the
collector skips; reference counting still frees those objects. ``app.py`` (after every page it
draws), Teach and Live use this module, so they share one state of the heap: Live thaws it when its
last session stops, and the next page freezes the survivors again after a collection.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_long_lived", "freeze_once", "thaw"]


def freeze_long_lived() -> None:
    """Collect once, then freeze the survivors (the collector skips them from now on)."""
    gc.collect()
    gc.freeze()


def freeze_once() -> None:
    """:func:`freeze_long_lived` unless the heap is frozen already (again after a :func:`thaw`)."""
    if gc.get_freeze_count() == 0:
        freeze_long_lived()


def thaw() -> None:
    """Give the frozen objects back to the collector (anything that died meanwhile is collected)."""
    gc.unfreeze()
