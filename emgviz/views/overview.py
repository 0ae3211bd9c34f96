"""Overview: the whole recording stacked (decimated), its envelope, the per-muscle table and a bar chart."""

from __future__ import annotations

import streamlit as st

from ..plotting.browser import stacked_figure
from ..plotting.summary import display_table, display_unit, feature_bars
from .cache import features_cached
from ..recording import Recording
from .context import ViewContext, per_recording
from ..plotting.safe import plain_figure
from .paging import channel_page


@st.cache_resource(max_entries=8, show_spinner="Drawing the whole recording…")
def _overview_figure(key: str, settings_key: str, show_env: bool, _filtered, _envelope, _events):
    """The decimated overview figure, built once per (recording and channels, settings, overlay).

    Decimating an hour of 16 channels takes seconds; a rerun with nothing changed reuses the
    figure (a few thousand points per trace, so Streamlit's serialisation of it stays cheap).
    """
    fig = stacked_figure(_filtered, t_start_s=_filtered.t0, t_window_s=_filtered.duration_s,
                         overlay=_envelope if show_env else None, events=_events)
    return plain_figure(compact_times(fig, _filtered.t0, _filtered.duration_s))


def compact_times(fig, t0: float, duration_s: float, width_px: int = 1400):
    """Trace times in float32 when that is exact to a twentieth of a pixel (halves their bytes).

    An hour at 2 kHz, 16 channels with envelopes: 1.5 MB of figure JSON becomes about 1 MB.
    A recording whose clock starts far from 0 keeps float64 (float32 would round it visibly).
    """
    import numpy as np

    t_max = max(abs(t0), abs(t0 + duration_s))
    if t_max * 2.0 ** -23 >= duration_s / (20 * width_px):
        return fig
    for trace in fig.data:
        if trace.x is not None:
            trace.x = np.asarray(trace.x, dtype=np.float32)
    return fig


def render(ctx: ViewContext) -> None:
    """Draw the overview of ``ctx``: traces with the envelope, the feature table, one bar chart."""
    out = ctx.processed
    show_env = st.toggle("Envelope overlay", value=True, key="overview_envelope")
    names = channel_page(out.filtered.ch_names, "overview_channel_page")
    filtered, envelope, key = out.filtered, out.envelope, ctx.key
    if len(names) < out.filtered.n_channels:  # a wide file: one page of channels per figure
        filtered, envelope = (per_recording("pick", r, Recording.pick, tuple(names)) for r in (filtered, envelope))
        key = f"{ctx.key}|{names[0]}"
    fig = _overview_figure(key, ctx.settings_key, show_env, filtered, envelope, ctx.rec.events)
    st.plotly_chart(fig, key="overview_chart", width="stretch")
    with st.spinner("Computing the per-muscle features…"):  # seconds on an hour of 16 channels
        table = features_cached(ctx.key, ctx.settings_key, out.filtered)
    st.markdown("##### Per-muscle features (filtered signal)")
    shown, formats = _display_table(f"{ctx.key}|{ctx.settings_key}", repr(ctx.display), table, ctx.display)
    st.dataframe(shown, key="overview_table", hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(c, format=f) for c, f in formats.items()})
    _bars(table, ctx.display, f"{ctx.key}|{ctx.settings_key}")


@st.cache_resource(max_entries=32, show_spinner=False)
def _bars_figure(key: str, feature: str, unit_key: str, _table, _unit):
    """The bar chart of one feature, built once per (recording and settings, feature, display unit).

    Building a Plotly figure with its template costs ~0.1–0.4 s; a rerun with nothing
    changed reuses it.
    """
    return plain_figure(feature_bars(_table, feature, unit=_unit))


@st.cache_resource(max_entries=16, show_spinner=False)
def _display_table(key: str, unit_key: str, _table, _unit):
    """The feature table in display units with its formats, once per (recording and settings, unit)."""
    return display_table(_table, unit=_unit)


@st.fragment
def _bars(table, unit, key: str) -> None:
    """One feature across muscles; picking another feature reruns only this part."""
    numeric = [c for c in table.columns if c != "channel"]
    feature = st.selectbox("Feature", numeric, key="overview_feature", format_func=lambda c: display_unit(c, unit)[0])
    st.plotly_chart(_bars_figure(key, feature, repr(unit), table, unit), key="overview_bars", width="stretch")
