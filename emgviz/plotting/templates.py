"""Lean copies of Plotly's built-in templates: the layout and the defaults of the trace types a figure uses.

A built-in template (``"simple_white"``, ``"plotly_white"``) carries defaults for some 25 trace
types. Every figure holding it copies the whole of it: Plotly's validation when the figure is
built (0.1–0.3 s for a bar chart with ``template="plotly_white"``), Streamlit's
``st.plotly_chart`` (``Figure.to_dict``, a deep copy), and the JSON sent to the browser
(7–9 kB per chart, each rerun). A figure drawn with the lean copy looks the same: the layout part
is the template's own, and so are the defaults of its trace types.
"""

from __future__ import annotations

import functools

import plotly.graph_objects as go
import plotly.io as pio

__all__ = ["lean_template"]


@functools.lru_cache(maxsize=32)
def lean_template(name: str, trace_types: tuple[str, ...] = ("scatter",)) -> go.layout.Template:
    """The built-in template ``name`` with only the trace defaults of ``trace_types``.

    Parameters
    ----------
    name : str
        A template of :data:`plotly.io.templates`, e.g. ``"simple_white"``.
    trace_types : tuple of str, default=("scatter",)
        The trace types the figure draws (``"scatter"``, ``"scattergl"``, ``"bar"``, ...).

    Returns
    -------
    plotly.graph_objects.layout.Template
        Shared between calls (cached): do not modify it.

    Examples
    --------
    >>> t = lean_template("simple_white", ("scatter",))
    >>> t.layout == pio.templates["simple_white"].layout, list(t.to_plotly_json()["data"])
    (True, ['scatter'])
    """
    full = pio.templates[name].to_plotly_json()
    data = {k: v for k, v in full.get("data", {}).items() if k in trace_types}
    return go.layout.Template(layout=full.get("layout", {}), data=data)
