"""Plotly charts that stay mounted: one ``st.components.v2`` component updating in place with ``Plotly.react``.

Why: ``st.plotly_chart`` gives every new figure a new element id, so each rerun (a filter change, a
Browse page) threw the chart away and drew it twice, and the first page with a chart made the
browser load Streamlit's Plotly chunk (the full 4.7 MB plotly.js, ~2 s of renderer CPU on a cold
open). :func:`plotly_chart` instead mounts one component per ``key``; a rerun only hands it the new
figure JSON (numpy arrays as plotly.py's typed ``bdata``) and it calls ``Plotly.react`` on the same
``<div>``. The plotly.js it draws with is the **cartesian** dist bundle of the same version as
plotly.py's (plotly.js-cartesian-dist-min 4.1.1, MIT, 1.5 MB: scatter, bar, heatmap, box, histogram,
contour, pie, …; no WebGL traces), vendored as ``static/plotly-cartesian-4.1.1.min.js`` beside
``app.py`` and served by Streamlit's static file server (``server.enableStaticServing``) at
``/app/static/…``: the browser fetches it once per page open (then from its HTTP cache or a 304),
never over the websocket.

What users had with ``st.plotly_chart`` is kept: Streamlit's chart theme (the values it merges into
``layout.template.layout``, light theme: Source Sans, grey ticks, light grid; in Streamlit's dark theme,
read from the ``--st-*`` CSS properties components v2 carry, the page's background behind the plot,
grey ticks on a dark grid, and light ink for what a figure draws dark on white (traces, labels), checked
each second so a switch in Settings redraws), the figure's title in
bold, hover, drag-zoom, double-click reset, the mode bar on hover (no Plotly logo, a full-screen
button), width stretched to the container, height from the figure (450 px by default). Zoom survives
a rerun through ``layout.uirevision`` (pass ``uirevision``: a change of it resets the view). A click
on a point is sent back (:func:`selected_points`) for charts given ``on_select``.

Falls back to ``st.plotly_chart`` (same keys) when this Streamlit has no components v2, when static
serving is off (the app run without the repo's ``.streamlit/config.toml``), or when the environment
variable ``EMGVIZ_PLOTLY_COMPONENT=0`` asks for it. Figures are built in :mod:`emgviz.plotting`.

After each draw the chart's ``div.emgviz-plotly`` carries ``data-drawn`` (a draw counter) and
``data-pending`` (``"1"`` while a newer figure waits to be drawn), read by the e2e tests and the
browser benchmark.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import streamlit as st

from ._plotly_js import CHART_JS as _JS, LOADER as _LOADER, PRELOAD_JS as _PRELOAD_JS
from .canvas_component import available as _components_v2, component

__all__ = ["plotly_chart", "selected_points", "enabled", "preload", "PLOTLY_JS", "CLASS", "PRELOAD_KEY"]

#: The vendored plotly.js bundle (served at ``/app/static/<name>``).
PLOTLY_JS = Path(__file__).resolve().parents[2] / "static" / "plotly-cartesian-4.1.1.min.js"
#: CSS class of the chart's div (tests find it with ``div.emgviz-plotly``).
CLASS = "emgviz-plotly"

_FONT = '"Source Sans", sans-serif'
_GREY70, _GREY30, _GREY90, _HEADING, _BG = "#808495", "#e6eaf1", "#262730", "#2F2D2B", "#FFFFFF"
_AXIS = {"automargin": True, "gridcolor": _GREY30, "zerolinecolor": _GREY30, "tickcolor": _GREY30,
         "tickfont": {"color": _GREY70, "size": 12}, "minor": {"gridcolor": _GREY30},
         "title": {"font": {"color": _GREY70, "size": 14}}}
#: What ``st.plotly_chart`` (Streamlit 1.67, light theme) merges into ``layout.template.layout``:
#: read from the charts it drew (``gd.layout.template.layout`` in the browser).
STREAMLIT_THEME = {
    "font": {"color": _GREY70, "family": _FONT, "size": 12, "weight": 400},
    "title": {"x": 0, "xanchor": "left", "pad": {"l": 4}, "font": {"family": _FONT, "size": 16, "color": _HEADING}},
    "legend": {"title": {"font": {"size": 12, "color": _GREY70}, "side": "top"}, "valign": "top",
               "bordercolor": "transparent", "borderwidth": 0, "font": {"size": 12, "color": _GREY90}},
    "paper_bgcolor": _BG, "plot_bgcolor": _BG,
    "xaxis": {**_AXIS, "showgrid": False, "zeroline": False, "title": {**_AXIS["title"], "standoff": 20},
              "rangeselector": {"bgcolor": _BG, "bordercolor": _GREY30, "borderwidth": 1, "x": 0}},
    "yaxis": {**_AXIS, "ticklabelposition": "outside", "title": {**_AXIS["title"], "standoff": 24}},
    "margin": {"pad": 8, "r": 0, "l": 0},
    "hoverlabel": {"bgcolor": _BG, "bordercolor": "#DCD8D4", "font": {"color": _GREY70, "family": _FONT, "size": 12}},
    "coloraxis": {"colorbar": {"thickness": 16, "xpad": 24, "ticklabelposition": "outside",
                               "outlinecolor": "transparent", "outlinewidth": 8, "len": 0.75, "y": 0.5745,
                               "title": {"font": {"color": _GREY70, "size": 14}},
                               "tickfont": {"color": _GREY70, "size": 12}}},
}
#: ``st.plotly_chart``'s own config (Streamlit 1.67), under the chart's ``config``.
BASE_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendChartToCloud"]}

def _js() -> str:
    return (_JS.replace("__THEME__", json.dumps(STREAMLIT_THEME)).replace("__CONFIG__", json.dumps(BASE_CONFIG))
            .replace("__LOADER__", _LOADER))


#: The key of :func:`preload`'s element (hidden by :mod:`.layout`'s page style).
PRELOAD_KEY = "emgviz_plotly_preload"


def preload() -> None:
    """Start loading plotly.js now, before any chart of this page is drawn (call it at the top of a page
    that will draw charts). Nothing on the page: the element is hidden.

    The browser fetches and runs the bundle while it still builds the rest of the page (the sidebar,
    the header), instead of after the first chart has mounted: on a fresh open of the Overview the
    bundle's request started only after everything above the chart had been drawn.
    """
    if enabled():
        component("emgviz_plotly_preload", _PRELOAD_JS)(key=PRELOAD_KEY, data=_src())


def enabled() -> bool:
    """True when charts go through the mounted component, False when they fall back to ``st.plotly_chart``.

    Needs components v2, ``server.enableStaticServing`` (the repo's ``.streamlit/config.toml``), the
    bundle in ``static/`` beside the running app's script (``app.py``: the repo's ``static/``) and no
    ``EMGVIZ_PLOTLY_COMPONENT=0`` in the environment.
    """
    if os.environ.get("EMGVIZ_PLOTLY_COMPONENT", "1") == "0" or not _components_v2():
        return False
    try:
        if not st.get_option("server.enableStaticServing"):
            return False
    except Exception:  # noqa: BLE001 - an option this Streamlit does not know
        return False
    return _served().exists()


def _served() -> Path:
    """Where Streamlit serves the bundle from: ``static/`` beside the running app's main script."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    main = getattr(ctx, "main_script_path", None) if ctx is not None else None
    return (Path(main).resolve().parent / "static" / PLOTLY_JS.name) if main else PLOTLY_JS


def _src() -> str:
    """The bundle's path relative to the app's root: the browser resolves it against the URL it loaded
    Streamlit's own scripts from, so it works under ``server.baseUrlPath`` and behind a proxy that adds
    a path prefix alike (an absolute ``/app/static/…`` broke there)."""
    return "app/static/" + PLOTLY_JS.name


def payload(fig, *, config: dict | None = None, select: bool = False, uirevision=None,
            overlay_shapes: bool = False) -> bytes:
    """The bytes the component gets: its options and the figure as plotly.py's JSON (arrays as ``bdata``)."""
    import plotly.io as pio

    head = json.dumps({"src": _src(), "config": config or {}, "select": bool(select),
                       "uirevision": uirevision, "overlay": bool(overlay_shapes)})
    return (head[:-1] + ',"figure":' + pio.to_json(fig, validate=False) + "}").encode()


def plotly_chart(fig, *, key: str, config: dict | None = None, on_select=None, uirevision=None,
                 overlay_shapes: bool = False) -> None:
    """Draw ``fig`` in the chart with this ``key``, updating it in place on every rerun.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or dict
        The figure (built in :mod:`emgviz.plotting`).
    key : str
        The same on every run: the chart stays mounted.
    config : dict, default=None
        Plotly config on top of Streamlit's (e.g. ``{"displayModeBar": False}``).
    on_select : callable, default=None
        Called when a point is clicked; read the points with :func:`selected_points` ``(key)``.
    uirevision : str or number, default=None
        A new value resets zoom and pan; the same value keeps the user's view across reruns
        (default: the figure's ``layout.uirevision``, else one per chart).
    overlay_shapes : bool, default=False
        Draw the figure's rectangles (``xref`` x, ``yref`` paper) as page elements over the plot, not
        with Plotly: a rerun in which only they moved (Browse's overview strip on a new page) then
        costs no Plotly redraw. ``layout.meta`` is not given to Plotly then (not drawn anyway).
    """
    if not enabled():
        kwargs = {"on_select": on_select, "selection_mode": "points"} if on_select is not None else {}
        st.plotly_chart(fig, key=key, config=config or {}, width="stretch", **kwargs)
        return
    events = {"on_select_change": on_select} if on_select is not None else {}
    component("emgviz_plotly", _js())(key=key, data=payload(fig, config=config, select=on_select is not None,
                                                            uirevision=uirevision, overlay_shapes=overlay_shapes),
                                      **events)


def selected_points(key: str) -> list[dict]:
    """The points of the last click on chart ``key`` (``x``, ``y``, …), from either the component or
    ``st.plotly_chart``'s selection; empty when there is none."""
    value = st.session_state.get(key)
    if not isinstance(value, dict):
        try:
            value = dict(value)  # st.plotly_chart's selection state
        except (TypeError, ValueError):
            return []
    event = value.get("select") or value.get("selection") or {}
    try:
        return list(event.get("points") or [])
    except AttributeError:
        return []
