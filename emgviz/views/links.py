"""Shareable links: the view, the sample and every processing setting in the URL, checked on the way in.

A session's first run seeds widget state from the link (:func:`apply_query_params`); every run
writes the URL back (:func:`write_query_params`), so a copied link reopens the same state. A value
outside a widget's range is refused with a message, never clipped. :mod:`.sidebar` re-exports
these names.
"""

from __future__ import annotations

import streamlit as st

from .. import samples
from ..settings import Settings
from . import VIEWS

__all__ = ["SOURCES", "SETTING_KEYS", "WIDGET_RANGES", "apply_query_params", "write_query_params", "keep_settings"]

SOURCES = ("Sample", "Needle examples", "Upload", "Synthetic")
_SAMPLE_TITLES = {s.key: s.title for s in samples.SAMPLES}

#: The session-state key of each processing setting's widget.
SETTING_KEYS = {name: f"set_{name}" for name in Settings().to_dict()}


# ---- query parameters (shareable links) ------------------------------------------------------
def apply_query_params() -> list[str]:
    """On a session's first run, seed widget state from the URL. Returns problems to show."""
    if st.session_state.get("_qp_applied"):
        return []
    st.session_state["_qp_applied"] = True
    qp = st.query_params
    raw, problems = _in_range({k: qp.get(k) for k in qp.keys()})
    settings, more = Settings.from_query(raw)
    problems += more
    for name, value in settings.to_dict().items():
        st.session_state[SETTING_KEYS[name]] = _widget_value(name, value)
    if "sample" in qp:
        if qp["sample"] in _SAMPLE_TITLES:
            st.session_state["sample"] = qp["sample"]
            st.session_state["source"] = "Sample"
        else:
            problems.append(f"ignored sample={qp['sample']!r} from the link: no such bundled sample")
    if "source" in qp and qp["source"] in SOURCES:
        st.session_state["source"] = qp["source"]
    if "view" in qp:
        if qp["view"] in VIEWS:
            st.session_state["view"] = qp["view"]
        else:
            problems.append(f"ignored view={qp['view']!r} from the link: views are {', '.join(VIEWS)}")
    return problems


#: Valid range and unit of each numeric setting: the sidebar widgets' bounds, and what a link may set.
WIDGET_RANGES = {"low_hz": (0.1, 10_000.0, "Hz"), "high_hz": (1.0, 20_000.0, "Hz"), "order": (1, 10, ""),
                 "notch_harmonics": (1, 20, ""), "notch_q": (1.0, 200.0, ""),
                 "rms_window_ms": (1.0, 5000.0, "ms"), "lowpass_hz": (0.1, 100.0, "Hz")}


def _in_range(params: dict) -> tuple[dict, list[str]]:
    """The link's parameters without numeric settings outside :data:`WIDGET_RANGES` (one message each).

    A value out of range is refused, never clipped or replaced: the message names the
    parameter, the value and the valid range, and the setting keeps its default.
    """
    kept, problems = {}, []
    for key, raw in params.items():
        text = raw[-1] if isinstance(raw, (list, tuple)) else raw
        if key in WIDGET_RANGES:
            lo, hi, unit = WIDGET_RANGES[key]
            try:
                value = float(str(text).strip())
            except ValueError:
                value = None  # not a number: Settings.from_query says so
            if value is not None and not lo <= value <= hi:  # NaN fails too
                problems.append(f"ignored {key}={text!r} from the link: {key} must be from {lo:g} to {hi:g}"
                                f"{' ' + unit if unit else ''}; the default {getattr(Settings(), key):g}"
                                f"{' ' + unit if unit else ''} is used")
                continue
        kept[key] = raw
    return kept, problems


def write_query_params(view: str, settings: Settings) -> None:
    """Keep the URL in step with the view, sample and settings, so a copied link reopens them."""
    params = {"view": view, **settings.to_query()}
    source = st.session_state.get("source", "Sample")
    if source == "Sample":
        params["sample"] = st.session_state.get("sample", samples.DEFAULT_SAMPLE)
    else:
        params["source"] = source
    # views keep their own state under namespaced keys ("compare.samples", "browse.t"): keep them
    params.update({k: st.query_params[k] for k in st.query_params.keys() if "." in k})
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def keep_settings() -> None:
    """Keep the processing settings' widget state through runs that do not draw them (the Teach view)."""
    for key in SETTING_KEYS.values():
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _widget_value(name: str, value):
    if name == "notch_hz":
        return "Off" if value is None else f"{value:g} Hz"
    return value
