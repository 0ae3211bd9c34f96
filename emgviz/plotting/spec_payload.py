"""A Plotly figure dict as the numbers a canvas draws: the subset Teach's figures use, arrays packed once.

Teach's figures are built as Plotly dicts (:func:`emgviz.plotting.lesson.lesson_spec`,
:func:`emgviz.plotting.lesson.presenter_spec`) and drawn, by default, by a mounted canvas
(:mod:`emgviz.views.spec_canvas`) instead of Plotly: the browser then loads no Plotly code and
redraws in a few ms. That canvas draws exactly the keys listed in :data:`DRAWN`; the keys in
:data:`NOT_NEEDED` are Plotly settings whose effect the canvas has anyway (or hover texts it
replaces by its own readout). :func:`canvas_payload` refuses any other key, so a builder that
starts using a new Plotly feature fails loudly (and its test names the key) instead of being
silently left out of the drawing.

Arrays are sent once each: every distinct float32 array is one base64 string in
``payload["arrays"]`` and a trace refers to it as ``{"a": index}`` (the six time traces of a
lesson share one time vector, its five spectra one frequency vector). Never imports streamlit.
"""

from __future__ import annotations

import base64
import re
from typing import Iterator

import numpy as np

__all__ = ["DRAWN", "NOT_NEEDED", "spec_paths", "unsupported", "canvas_payload", "payload_array", "rich_text_runs"]

#: Every key path the canvas draws (axis names without their number: ``xaxis3`` → ``xaxis``), and how.
DRAWN: dict[str, str] = {
    "data[].type": "only 'scatter'",
    "data[].mode": "only 'lines'",
    "data[].x": "float array or list with null gaps",
    "data[].y": "float array or list with null gaps",
    "data[].xaxis": "the trace's x axis",
    "data[].yaxis": "the trace's y axis",
    "data[].name": "the readout's trace name",
    "data[].meta.band": "the trace's band on its axis (px): the readout maps it back to values",
    "data[].meta.values": "the values at the band's ends",
    "data[].meta.unit": "the readout's unit",
    "data[].line.color": "stroke colour",
    "data[].line.width": "stroke width (px)",
    "data[].line.dash": "'dash' or 'dot'",
    "layout.height": "canvas height (px)",
    "layout.margin.l": "plot area (px)",
    "layout.margin.r": "plot area (px)",
    "layout.margin.t": "plot area (px)",
    "layout.margin.b": "plot area (px)",
    "layout.paper_bgcolor": "canvas background",
    "layout.plot_bgcolor": "plot area background",
    "layout.font.size": "default font size (px)",
    "layout.font.color": "default text colour",
    "layout.annotations[].text": "fillText runs: <b>…</b> bold, <span style='color:…'>…</span> colour",
    "layout.annotations[].x": "position",
    "layout.annotations[].y": "position",
    "layout.annotations[].xref": "'paper' or an x axis",
    "layout.annotations[].yref": "'paper' or a y axis",
    "layout.annotations[].xanchor": "left, center, right",
    "layout.annotations[].yanchor": "bottom, middle, top",
    "layout.annotations[].font.size": "font size (px)",
}
for _a in ("xaxis", "yaxis"):
    DRAWN.update({
        f"layout.{_a}.domain": "position in the plot area (fractions)",
        f"layout.{_a}.anchor": "the axis its ticks sit on",
        f"layout.{_a}.range": "fixed range (else from the data)",
        f"layout.{_a}.matches": "shares the range (and the zoom) of another axis",
        f"layout.{_a}.nticks": "about this many round ticks (1-2-5 steps)",
        f"layout.{_a}.tickmode": "'array': tickvals/ticktext",
        f"layout.{_a}.tickvals": "tick positions",
        f"layout.{_a}.ticktext": "tick labels",
        f"layout.{_a}.tickfont.size": "tick label size (px)",
        f"layout.{_a}.tickfont.color": "tick label colour",
        f"layout.{_a}.ticks": "'outside': 5 px tick marks",
        f"layout.{_a}.showgrid": "grid lines at the ticks",
        f"layout.{_a}.gridcolor": "grid colour",
        f"layout.{_a}.showline": "axis line",
        f"layout.{_a}.linecolor": "axis line colour",
        f"layout.{_a}.linewidth": "axis line width",
        f"layout.{_a}.title.text": "axis title (y: turned)",
        f"layout.{_a}.title.font.size": "axis title size (px)",
        f"layout.{_a}.title.standoff": "gap between tick labels and title (px)",
        f"layout.{_a}.fixedrange": "no drag-zoom on this axis",
        f"layout.{_a}.visible": "false: no ticks, labels or grid",
        f"layout.{_a}.overlaying": "drawn over another axis' domain",
        f"layout.{_a}.side": "'right': labels right of the plot",
    })

#: Plotly keys whose effect the canvas has without drawing anything for them, and why.
NOT_NEEDED: dict[str, str] = {
    "data[].hovertemplate": "Plotly's hover text; the canvas has its own readout",
    "data[].hoverinfo": "Plotly's hover switch; the canvas has its own readout",
    "data[].customdata": "Plotly's hover values; the canvas' readout reads meta",
    "layout.hovermode": "Plotly's hover switch",
    "layout.showlegend": "always false in these figures: the canvas draws no legend",
    "layout.template": "always 'none': the canvas has no template",
    "layout.margin.autoexpand": "the canvas never grows its margins",
    "layout.xaxis.automargin": "the canvas never grows its margins",
    "layout.yaxis.automargin": "the canvas never grows its margins",
    "layout.xaxis.ticklabeloverflow": "the canvas draws every label, as 'allow'",
    "layout.yaxis.ticklabeloverflow": "the canvas draws every label, as 'allow'",
    "layout.xaxis.zeroline": "always false in these figures: no zero line is drawn",
    "layout.yaxis.zeroline": "always false in these figures: no zero line is drawn",
    "layout.annotations[].showarrow": "always false in these figures: no arrows are drawn",
}
#: Keys dropped from the payload (the canvas never reads them).
_DROPPED = {"hovertemplate", "hoverinfo", "customdata", "hovermode", "template", "showarrow"}
_AXIS = re.compile(r"^([xy]axis)\d*$")
_ARRAYS = ("x", "y")


def spec_paths(spec: dict) -> Iterator[str]:
    """Every key path of a figure dict, axis numbers dropped and list items as ``[]``.

    Examples
    --------
    >>> sorted(set(spec_paths({"data": [{"x": [1]}], "layout": {"xaxis2": {"range": [0, 1]}}})))
    ['data[].x', 'layout.xaxis.range']
    """
    def walk(obj, path: str):
        if isinstance(obj, dict):
            for key, value in obj.items():
                name = _AXIS.sub(r"\1", key) if path == "layout" else key
                yield from walk(value, f"{path}.{name}" if path else name)
        elif isinstance(obj, (list, tuple)) and not obj:
            return
        elif isinstance(obj, (list, tuple)) and all(isinstance(v, dict) for v in obj):
            for value in obj:
                yield from walk(value, path + "[]")
        else:
            yield path

    return walk(spec, "")


def unsupported(spec: dict) -> list[str]:
    """The key paths of ``spec`` the canvas neither draws (:data:`DRAWN`) nor needs (:data:`NOT_NEEDED`)."""
    return sorted({p for p in spec_paths(spec) if p not in DRAWN and p not in NOT_NEEDED})


def _check_values(spec: dict) -> None:
    for i, tr in enumerate(spec["data"]):
        if tr.get("type", "scatter") != "scatter" or tr.get("mode", "lines") != "lines":
            raise ValueError(f"trace {i}: the canvas draws scatter lines only, not "
                             f"type={tr.get('type')!r} mode={tr.get('mode')!r}")
        dash = tr.get("line", {}).get("dash")
        if dash not in (None, "solid", "dash", "dot"):
            raise ValueError(f"trace {i}: line dash {dash!r} is not drawn (solid, dash or dot)")


def canvas_payload(spec: dict, **meta) -> dict:
    """The figure dict ``spec`` as the canvas' data: arrays packed once as float32, hover texts left out.

    Parameters
    ----------
    spec : dict
        ``{"data": [...], "layout": {...}}`` using only the keys of :data:`DRAWN` and
        :data:`NOT_NEEDED` (NumPy arrays or lists, ``None`` for gaps, in ``x`` and ``y``).
    **meta
        Extra JSON-safe values for the canvas (e.g. ``rows=6``, shown as ``data-rows``).

    Returns
    -------
    dict
        ``{"arrays": [base64 float32, ...], "data": [...], "layout": {...}, "meta": {...}}``;
        a trace's ``x``/``y`` is ``{"a": k}`` (``arrays[k]``) or a list with ``None`` gaps.

    Raises
    ------
    ValueError
        A key the canvas does not draw (named), or a trace that is not a line.
    """
    bad = unsupported(spec)
    if bad:
        raise ValueError(f"the Teach canvas does not draw {', '.join(bad)}: add it to "
                         f"emgviz/views/spec_canvas.py and emgviz/plotting/spec_payload.DRAWN, or draw "
                         f"with Plotly")
    _check_values(spec)
    arrays: list[str] = []
    index: dict[bytes, int] = {}

    def ref(values):
        if isinstance(values, (list, tuple)) and any(v is None for v in values):
            return [None if v is None else float(v) for v in values]
        raw = np.ascontiguousarray(np.asarray(values, dtype="<f4")).tobytes()
        if raw not in index:
            index[raw] = len(arrays)
            arrays.append(base64.b64encode(raw).decode("ascii"))
        return {"a": index[raw]}

    data = []
    for tr in spec["data"]:
        out = {k: v for k, v in tr.items() if k not in _DROPPED}
        for k in _ARRAYS:
            if k in out:
                out[k] = ref(out[k])
        data.append(out)
    layout = {k: v for k, v in spec["layout"].items() if k not in _DROPPED}
    for k, v in layout.items():
        if _AXIS.match(k):
            layout[k] = {a: (np.asarray(b, dtype=float).tolist() if isinstance(b, np.ndarray) else b)
                         for a, b in v.items()}
    if "annotations" in layout:
        layout["annotations"] = [{k: v for k, v in a.items() if k not in _DROPPED} for a in layout["annotations"]]
    return {"arrays": arrays, "data": data, "layout": layout, "meta": dict(meta)}


def payload_array(payload: dict, value) -> np.ndarray:
    """A trace's ``x``/``y`` of a payload back as a float32 array (``None`` gaps as NaN)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(payload["arrays"][value["a"]]), dtype="<f4")
    return np.array([np.nan if v is None else v for v in value], dtype=np.float32)


_TAG = re.compile(r"<b>|</b>|<span style=['\"]color:\s*([^;'\"]+);?['\"]>|</span>|<br>")


def rich_text_runs(text: str) -> list[tuple[str, bool, str | None]]:
    """An annotation's text as (text, bold, colour) runs, the way the canvas draws it.

    Only ``<b>``, ``<span style='color:…'>`` and ``<br>`` (drawn as a space) are markup;
    any other ``<`` is text, drawn as it is (the canvas never renders HTML).

    Examples
    --------
    >>> rich_text_runs("<b>1. Raw</b> · <span style='color:#E69F00'>gain</span>")
    [('1. Raw', True, None), (' · ', False, None), ('gain', False, '#E69F00')]
    """
    runs: list[tuple[str, bool, str | None]] = []
    bold, colours, pos = False, [], 0
    for m in _TAG.finditer(text):
        if m.start() > pos:
            runs.append((text[pos:m.start()], bold, colours[-1] if colours else None))
        tag = m.group(0)
        if tag == "<b>":
            bold = True
        elif tag == "</b>":
            bold = False
        elif tag == "</span>":
            colours = colours[:-1]
        elif tag == "<br>":
            runs.append((" ", bold, colours[-1] if colours else None))
        else:
            colours.append(m.group(1).strip())
        pos = m.end()
    if pos < len(text):
        runs.append((text[pos:], bold, colours[-1] if colours else None))
    return runs
