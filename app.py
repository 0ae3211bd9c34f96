"""emgviz dashboard: `streamlit run app.py`. Wires widgets to the emgviz package; no signal math here."""

import importlib

import streamlit as st

from emgviz import __version__, iir_simd
from emgviz.plotting import overview_kernel
from emgviz.views import VIEW_MODULES, VIEWS, heap, layout, plotly_component, sidebar
from emgviz.views import notes as reader_notes
from emgviz.views.text import md

st.set_page_config(page_title="emgviz", page_icon="〰️", layout="wide")
iir_simd.warm_up_async()  # the compiled filter loads off the first render's path (once per server process)
overview_kernel.warm_up_async()  # likewise the Overview's one-pass decimation kernel
# Overview and Browse draw with the mounted Plotly component: plotly.js starts loading with the first element
# of the page, while the rest is built, not after the first chart has mounted (the view as last chosen or linked)
if (st.session_state.get("view") or st.query_params.get("view", VIEWS[0])) in ("Overview", "Browse"):
    plotly_component.preload()
layout.apply()

problems = sidebar.apply_query_params()
st.sidebar.title("emgviz")
view = st.sidebar.radio("View", VIEWS, key="view", horizontal=True,
                        help="Overview: the whole recording and its table. Browse: page through it like an "
                             "EMG machine, with sound. Summary: per-muscle features, quality and exports. "
                             "Compare: sessions side by side. Teach: a synthetic EMG, step by step.")
for message in problems:
    st.warning(md(message))

# Teach offers a second lesson, the needle examination (its own module)
if view == "Teach" and st.sidebar.radio("Lesson", ("Surface EMG", "Needle EMG"), key="lesson_choice",
                                        horizontal=True) == "Needle EMG":
    importlib.import_module("emgviz.views.needle_lesson").render()
    st.stop()


def _view_module(name: str):
    try:
        return importlib.import_module(f"emgviz.views.{VIEW_MODULES[name]}")
    except ImportError as exc:
        st.error(md(f"The {name} view is not available: {exc}"))
        st.stop()


if view == "Teach":  # Teach makes its own signal, has its own filters and writes its own link
    sidebar.keep_settings()
    _view_module(view).render()
    st.stop()

loaded = sidebar.load_source()
settings = sidebar.processing_settings()
sidebar.write_query_params(view, settings)
if loaded is None:
    st.stop()
rec = sidebar.pick_channels(loaded.rec, loaded.digest)
if rec is None:
    st.stop()
try:
    ctx = sidebar.build_context(loaded, rec, settings)
except ValueError as exc:  # e.g. a recording too short for the chosen filter
    st.error(md(f"Cannot process {loaded.name!r} with these settings: {exc}"))
    st.stop()

st.markdown(f"#### {md(ctx.name)}")
st.caption(f"{md(ctx.description)} · {settings.describe()} · emgviz {__version__}")
reader_notes.render(ctx.full)
for warning in ctx.processed.warnings:
    st.warning(md(warning))
try:
    _view_module(view).render(ctx)  # the filtered samples are fetched (or filtered) in the view, when needed
except MemoryError:
    st.error(md(f"Not enough memory to process {ctx.name!r} ({ctx.rec.n_channels} channels, "
                f"{ctx.rec.duration_s / 60:.0f} min) for this view. Pick fewer channels in the sidebar, close other "
                "sessions of this server, or give it a smaller cache (EMGVIZ_CACHE_MB) or more memory."))
# Streamlit collects garbage fully after every run (0.3 s of a 0.48 s Browse page with this heap): once the
# first page is drawn, freeze what lives (the imported libraries) so later collections skip it
heap.freeze_once()
