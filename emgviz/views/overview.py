"""Overview: the whole recording stacked (decimated), its envelope, the per-muscle table and a bar chart."""

from __future__ import annotations

import streamlit as st

from ..plotting.browser import stacked_figure
from ..plotting.summary import display_table, feature_bars
from .cache import features_cached
from .context import ViewContext
from ..plotting.safe import plain_figure


def render(ctx: ViewContext) -> None:
    """Draw the overview of ``ctx``: traces with the envelope, the feature table, one bar chart."""
    out = ctx.processed
    show_env = st.toggle("Envelope overlay", value=True, key="overview_envelope")
    fig = stacked_figure(out.filtered, t_start_s=out.filtered.t0, t_window_s=out.filtered.duration_s,
                         overlay=out.envelope if show_env else None, events=ctx.rec.events)
    st.plotly_chart(plain_figure(fig), key="overview_chart", width="stretch")
    table = features_cached(ctx.key, ctx.settings_key, out.filtered)
    st.markdown("##### Per-muscle features (filtered signal)")
    shown, formats = display_table(table)
    st.dataframe(shown, key="overview_table", hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(c, format=f) for c, f in formats.items()})
    _bars(table)


@st.fragment
def _bars(table) -> None:
    """One feature across muscles; picking another feature reruns only this part."""
    numeric = [c for c in table.columns if c != "channel"]
    feature = st.selectbox("Feature", numeric, key="overview_feature")
    st.plotly_chart(plain_figure(feature_bars(table, feature)), key="overview_bars", width="stretch")
