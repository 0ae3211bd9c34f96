"""File-provided text in Plotly figures shown as plain text, never as links or markup.

Plotly renders a small HTML subset in every text it draws (trace names, legend entries,
tick labels of categorical axes, hover text, annotations, titles): a channel named
``<a href="https://…">biceps</a>`` becomes a clickable link in the chart and in the
offline HTML report. :func:`plain_figure` escapes every ``<`` in a figure's strings
except the few tags emgviz itself writes (``<br>``, ``<b>``, ``<i>``, ``<sup>``,
``<sub>``, ``<extra>``); Plotly then shows the rest literally (``&lt;`` is drawn as ``<``).
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["plain_figure", "plain_text"]

_OWN_TAGS = re.compile(r"<(?!(?:br\s*/?|/?b|/?i|/?sup|/?sub|/?extra)>)", re.IGNORECASE)


def plain_text(text: str) -> str:
    """``text`` with every ``<`` that is not one of emgviz's own formatting tags escaped.

    Examples
    --------
    >>> plain_text('<a href="https://x">biceps</a><br>%{y}<extra></extra>')
    '&lt;a href="https://x">biceps&lt;/a><br>%{y}<extra></extra>'
    """
    return _OWN_TAGS.sub("&lt;", text) if "<" in text else text


def _clean(value):
    """(cleaned value, changed?) for any JSON-like value of a figure."""
    if isinstance(value, str):
        out = plain_text(value)
        return out, out is not value and out != value
    if isinstance(value, dict):
        changed, out = False, {}
        for k, v in value.items():
            out[k], c = _clean(v)
            changed |= c
        return out, changed
    if isinstance(value, (list, tuple)):
        items = [_clean(v) for v in value]
        if any(c for _, c in items):
            return [v for v, _ in items], True
        return value, False
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        flat = [_clean(v.decode("utf-8", "replace") if isinstance(v, bytes) else v)[0] for v in value.ravel().tolist()]
        if any(isinstance(v, str) and "&lt;" in v for v in flat):
            return np.array(flat, dtype=object).reshape(value.shape), True
    return value, False


def plain_figure(fig):
    """Escape markup in every string of ``fig`` (in place) and return it.

    Numeric arrays are not touched (a trace's samples are never copied); only properties
    holding text that changes are written back. A plain figure dict (``{"data", "layout"}``) is
    cleaned the same way, its layout's ``template`` left as it is (Plotly's own).
    """
    if isinstance(fig, dict):
        for trace in fig.get("data") or ():
            for key, value in list(trace.items()):
                new, c = _clean(value) if key != "type" else (value, False)
                if c:
                    trace[key] = new
        layout = fig.get("layout") or {}
        for key, value in list(layout.items()):
            new, c = _clean(value) if key != "template" else (value, False)
            if c:
                layout[key] = new
        return fig
    layout, changed = _clean(fig.layout.to_plotly_json())
    if changed:
        fig.update_layout(layout, overwrite=True)
    for trace in fig.data:
        props = getattr(trace, "_props", None)
        props = trace.to_plotly_json() if props is None else dict(props)  # _props: no copy of the samples
        updates = {}
        for key, value in props.items():
            if key == "type":
                continue
            new, c = _clean(value)
            if c:
                updates[key] = new
        if updates:
            trace.update(updates, overwrite=True)
    for frame in getattr(fig, "frames", ()) or ():
        for trace in frame.data:
            props = trace.to_plotly_json()
            updates = {k: v for k, v in ((k, _clean(v)) for k, v in props.items() if k != "type") if v[1]}
            if updates:
                trace.update({k: v[0] for k, v in updates.items()}, overwrite=True)
    return fig
