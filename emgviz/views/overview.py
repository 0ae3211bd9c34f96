"""Overview: the whole recording stacked (decimated), its envelope, the per-muscle table and a bar chart."""

from __future__ import annotations

import streamlit as st

from ..plotting.overview_stack import decimate_stack, decimated_stack_figure, stack_points
from ..plotting.summary import display_table, display_unit, feature_bars_spec
from .cache import _spinner, features_asked, features_cached
from .context import ViewContext, resolved
from ..plotting.safe import plain_figure
from .paging import channel_page
from .plotly_component import plotly_chart
from . import table_component


@st.cache_resource(max_entries=8, show_spinner=False)
def _overview_figure(key: str, settings_key: str, show_env: bool, names: tuple[str, ...], _out, _events):
    """The decimated overview figure, built once per (recording, settings, channels, overlay).

    Built from :func:`overview_decimation` (computed once per processed recording and kept with
    it), so a rerun, the overlay toggle or a return to this view costs milliseconds.
    """
    out = resolved(_out)  # fetched (or filtered) here only: on a cache miss
    dec = overview_decimation(out, names, show_env)
    filtered = out.filtered
    fig = decimated_stack_figure(dec, filtered, overlay=show_env and dec.overlay is not None, events=_events)
    return plain_figure(compact_times(fig, filtered.t0, filtered.duration_s))


def overview_decimation(out, names: tuple[str, ...], overlay: bool):
    """The min–max decimation of channels ``names`` of ``out.filtered`` (and of their envelopes) over the
    whole recording, computed once per processed recording and kept with it (``Processed.derived``).

    The envelope is computed channel by channel into one reused buffer and decimated at once: the
    full-rate envelope (as large as the recording) is never held for the Overview.
    """
    n_env, n_sig = stack_points(len(names), True), stack_points(len(names), False)
    with_env = out.has_envelope and (overlay or n_env == n_sig)  # the same points: one decimation for both
    n_out = n_env if with_env else n_sig
    key = ("overview", names, n_out, with_env)

    def compute():
        with _spinner(f"Decimating {len(names)} channels{' and their envelopes' if with_env else ''} "
                      f"of {out.filtered.duration_s / 60:.0f} min for display…"):
            return decimate_stack(out.filtered, names, n_out=n_out,
                                  envelope_channel=out.envelope_channel if with_env else None)

    return out.derived(key, compute)


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
    # ctx.processed is fetched (or filtered) only when a product below is not cached: returning to
    # settings already seen reads no samples, even after the store evicted their filtered copy
    out = ctx.processed
    _prefetch_features(ctx, out)  # the feature table on other threads while the traces are decimated and drawn
    show_env = st.toggle("Envelope overlay", value=True, key="overview_envelope")
    names = channel_page(ctx.rec.ch_names, "overview_channel_page")
    key = ctx.key if len(names) == ctx.rec.n_channels else f"{ctx.key}|{names[0]}"
    fig = _overview_figure(key, ctx.settings_key, show_env, tuple(names), out, ctx.rec.events)
    plotly_chart(fig, key="overview_chart")  # mounted once: a filter change redraws it in place
    with st.spinner("Computing the per-muscle features…"):  # seconds on an hour of 16 channels
        table = features_cached(ctx.key, ctx.settings_key, out)
    st.markdown("##### Per-muscle features (filtered signal)")
    shown, formats = _display_table(f"{ctx.key}|{ctx.settings_key}", repr(ctx.display), table, ctx.display)
    table_component.table(shown, key="overview_table", formats=formats)  # sortable HTML: no data-grid chunks
    _bars(table, ctx.display, f"{ctx.key}|{ctx.settings_key}")


def _prefetch_features(ctx: ViewContext, out) -> None:
    """Start the feature table of ``out.filtered`` in the background when ``features_cached`` will not
    have it: once per processed recording, and not for a table asked for lately (by any view).

    ``features_cached`` below then waits for that computation instead of starting its own (same
    numbers, see :func:`emgviz.features.prefetch_feature_table`); meanwhile the decimation and the
    figure use the cores too. A table asked for lately is in ``features_cached``'s cache (a processed
    recording computed again after an eviction finds its table there): nothing is started for it, and
    a lazy processed recording stays unfetched.
    """
    from ..features import prefetch_feature_table

    if features_asked(ctx.key, ctx.settings_key):
        return
    proc = resolved(out)
    derived = getattr(proc, "derived", None)
    if derived is not None:
        derived(("feature_table_prefetch",), lambda: prefetch_feature_table(proc.filtered) is not None)


@st.cache_resource(max_entries=32, show_spinner=False)
def _bars_figure(key: str, feature: str, unit_key: str, _table, _unit):
    """The bar chart of one feature, built once per (recording and settings, feature, display unit).

    A plain figure dict (the mounted chart takes JSON): no Plotly graph objects to validate on each
    filter change; a rerun with nothing changed reuses it.
    """
    return plain_figure(feature_bars_spec(_table, feature, unit=_unit))


@st.cache_resource(max_entries=16, show_spinner=False)
def _display_table(key: str, unit_key: str, _table, _unit):
    """The feature table in display units with its formats, once per (recording and settings, unit)."""
    return display_table(_table, unit=_unit)


@st.fragment
def _bars(table, unit, key: str) -> None:
    """One feature across muscles; picking another feature reruns only this part."""
    numeric = [c for c in table.columns if c != "channel"]
    feature = st.selectbox("Feature", numeric, key="overview_feature", format_func=lambda c: display_unit(c, unit)[0])
    plotly_chart(_bars_figure(key, feature, repr(unit), table, unit), key="overview_bars", uirevision=feature)
