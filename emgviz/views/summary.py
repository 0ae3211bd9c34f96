"""Summary: per-muscle features and quality, %MVC, bars, heatmap, envelopes and reproducible downloads."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from ..export import figure_html, figure_png, png_available, safe_stem, table_csv
from ..features import feature_table, windowed_features
from ..plotting.summary import (display_table, display_unit, envelope_overview, feature_bars, feature_heatmap,
                                quality_badges)
from ..recording import Recording
from ..units import to_display_units
from ..report import bursts_for_display, heatmap_window_s, report_html, standouts
from .cache import bursts_cached, features_cached, file_digest, read_cached, read_key
from .context import ViewContext, resolved
from .paging import channel_page
from .summary_mups import render_mups
from .text import md as _md
from ..plotting.safe import plain_figure

__all__ = ["render"]

_MVC_MODES = ("off", "segment of this recording", "separate MVC recording")
_PNG_SIZE = {"bars": (1200, 500), "heatmap": (1400, 600), "envelopes": (1400, 900), "fatigue": (1400, 600)}


# ---- cached computations (big objects pass with a leading underscore; the key says what they are) ----
# The feature table and the bursts come from .cache, shared with the other views.
@st.cache_data(max_entries=16, show_spinner=False)
def _quality(key: str, mains: str, _rec) -> pd.DataFrame:
    from ..quality import signal_quality

    return signal_quality(_rec, mains_hz=None if mains == "None" else float(mains))


@st.cache_data(max_entries=16, show_spinner=False)
def _windowed(key: str, settings_json: str, window_s: float, _filtered) -> pd.DataFrame:
    return windowed_features(_filtered, window_s=window_s, step_s=window_s / 2)


@st.cache_data(max_entries=8, show_spinner=False)
def _mvc_segment(key: str, settings_json: str, start: float, end: float, _envelope: Recording) -> pd.Series:
    from ..normalise import mvc_reference

    # the envelope's maximum in the segment: the same kind of amplitude as an MVC file gives
    return mvc_reference(_envelope, segment=(start, end), window_ms=None)


@st.cache_data(max_entries=4, show_spinner="Processing the MVC recording…")
def _mvc_file(mvc_key: str, settings_json: str, _mvc_rec: Recording) -> pd.Series:
    from ..normalise import mvc_from_recording
    from ..settings import Settings

    return mvc_from_recording(_mvc_rec, settings=Settings.from_dict(json.loads(settings_json)))


@st.cache_resource(max_entries=4, show_spinner=False)
def _percent_mvc(key: str, settings_json: str, ref_json: str, _processed, _ref: pd.Series):
    """The feature table and the envelope in %MVC of ``_ref`` (a Recording and a table: not copied)."""
    from ..normalise import to_percent_mvc

    return feature_table(to_percent_mvc(_processed.filtered, _ref)), to_percent_mvc(_processed.envelope, _ref)


@st.cache_resource(max_entries=8, show_spinner="Computing the envelopes…")
def _envelope_figure(key: str, settings_json: str, params_json: str, ref_json: str, unit_key: str, _out, _env,
                     _bursts, _unit):
    """The envelopes-and-bursts figure, built once per (recording, settings, burst options, %MVC reference, unit).

    Without a %MVC envelope (``_env`` None) each channel's envelope is computed in turn and decimated
    (``Processed.envelope_channel``): the envelope of every channel, as large as the recording (0.92 GB
    for an hour of 16 channels at 2 kHz), is not computed and kept with the processed recording.
    """
    if _env is not None:
        return envelope_overview(_env, bursts=_bursts, title="Envelopes (%MVC)", unit=_unit)
    return envelope_overview(_out.filtered, bursts=_bursts, title="Envelopes", unit=_unit,
                             channel=_out.envelope_channel)


def _figure_downloads(fig, base: str, what: str, slot: str, png: bool) -> None:
    """HTML and PNG downloads of one figure, both built only on click (an HTML page is ~5 MB).

    ``png``: whether PNG export can run (:func:`emgviz.export.png_available`, asked once per run).
    """
    c1, c2 = st.columns(2)
    c1.download_button(f"{what} as HTML", data=lambda: figure_html(fig), file_name=f"{base}.html", mime="text/html",
                       key=f"summary_dl_{slot}_html", on_click="ignore")
    width, height = _PNG_SIZE[slot]
    if png:
        c2.download_button(f"{what} as PNG", data=lambda: figure_png(fig, width=width, height=height),
                           file_name=f"{base}.png", mime="image/png", key=f"summary_dl_{slot}_png",
                           on_click="ignore")
    else:
        c2.download_button(f"{what} as PNG", data=b"", file_name=f"{base}.png", key=f"summary_dl_{slot}_png",
                           disabled=True, help="PNG export needs Chromium: apt-get install -y chromium")


def _mvc_section(ctx: ViewContext):
    """The %MVC controls; returns (reference Series or None, description)."""
    with st.expander("%MVC normalisation", expanded=False):
        mode = st.radio("Express amplitudes as % of a maximal voluntary contraction (MVC)", _MVC_MODES,
                        key="summary_mvc_mode", horizontal=True)
        if mode == _MVC_MODES[1]:
            rec = ctx.rec
            c1, c2 = st.columns(2)
            start = c1.number_input("MVC start (s)", value=float(rec.t0), step=0.1, format="%.3f",
                                    key="summary_mvc_start_s")
            end = c2.number_input("MVC end (s)", value=float(rec.t0 + min(rec.duration_s, 1.0)), step=0.1,
                                  format="%.3f", key="summary_mvc_end_s")
            try:
                ref = _mvc_segment(ctx.key, ctx.settings_key, float(start), float(end), ctx.processed.envelope)
            except (ValueError, KeyError) as exc:
                st.error(_md(f"MVC segment: {exc}"))
                return None, ""
            return ref, f"segment {start:g}–{end:g} s of {ctx.name}"
        if mode == _MVC_MODES[2]:
            up = st.file_uploader("MVC recording (same channel names)", key="summary_mvc_upload")
            if up is None:
                st.info("Upload the recording of the maximal contraction.")
                return None, ""
            try:
                files = ((up.name, up.getvalue()),)
                digest = file_digest(files)
                mvc_rec = read_cached(digest, (up.name,), None, "{}", files)
                ref = _mvc_file(read_key(digest, None, {}), ctx.settings_key, mvc_rec)
            except (ValueError, KeyError) as exc:  # ReadError is a ValueError
                st.error(_md(str(exc)))
                return None, ""
            return ref, f"MVC file {up.name}"
    return None, ""


def _paged(ctx: ViewContext) -> ViewContext:
    """``ctx`` narrowed to the channels of the page picked (:func:`emgviz.views.paging.channel_page`): a file
    with thousands of channels is summarised 16 channels per screen, every table, figure and export alike."""
    import dataclasses

    names = channel_page(ctx.rec.ch_names, "summary_channel_page")
    if len(names) == ctx.rec.n_channels:
        return ctx
    out = ctx.processed
    first = list(ctx.rec.ch_names).index(names[0]) + 1
    st.caption(_md(f"Channels {first}–{first + len(names) - 1} of {ctx.rec.n_channels}: the tables, figures and "
                   "downloads below cover this page."))
    # the page's envelope only (computed on its first read when the whole one is not held): paging a
    # wide file never computes the envelope of every channel
    processed = out.pick(names)
    return dataclasses.replace(ctx, rec=ctx.rec.pick(names), processed=processed, key=f"{ctx.key}|{names[0]}")


def render(ctx: ViewContext) -> None:
    """Draw the muscle-by-muscle summary of ``ctx`` (one page of channels of a wide file) with its downloads."""
    try:
        _render(_paged(ctx))
    except Exception as exc:  # noqa: BLE001 - the user sees the message, never a traceback
        st.error(_md(f"The summary could not be computed: {exc}"))


@st.cache_data(max_entries=8, show_spinner="Fitting fatigue trends…")
def _fatigue(key: str, settings_json: str, window_s: float, _filtered):
    from ..fatigue import fatigue_trend

    # non-overlapping windows (step = window): the slope's CI assumes independent points
    return fatigue_trend(_filtered, window_s=window_s, step_s=window_s)


def _fatigue_section(ctx: ViewContext, base: str, png: bool) -> None:
    """MDF/MNF/RMS per window over time, the fitted line with the 95 % CI of its slope, slopes in %/min."""
    from ..fatigue import FATIGUE_METHOD
    from ..plotting.fatigue import fatigue_over_time, fatigue_table

    st.markdown("##### Fatigue over time")
    c1, c2 = st.columns([2, 1])
    feature = c1.radio("Feature", ("MDF", "MNF", "RMS"), horizontal=True, key="summary_fatigue_feature")
    window_s = c2.number_input("Fatigue window (s)", min_value=0.1, max_value=60.0, value=1.0, step=0.25,
                               key="summary_fatigue_window_s")
    try:
        result = _fatigue(ctx.key, ctx.settings_key, float(window_s), ctx.processed.filtered)
    except ValueError as exc:
        st.error(_md(f"Fatigue trend: {exc}"))
        return
    fig = fatigue_over_time(result, feature, display=ctx.display)
    st.plotly_chart(plain_figure(fig), key="summary_fatigue_chart", width="stretch")
    _figure_downloads(fig, f"{base}_{feature}_fatigue", "Fatigue", "fatigue", png)
    slopes = fatigue_table(result, display=ctx.display)
    st.dataframe(slopes, hide_index=True, width="stretch", key="summary_fatigue_table",
                 column_config={c: st.column_config.NumberColumn(c, format="%.4g")
                                for c in ("slope per s", "95 % CI low", "95 % CI high", "r²", "p")}
                 | {"change (%/min)": st.column_config.NumberColumn("change (%/min)", format="%.2f")})
    st.caption(FATIGUE_METHOD + f" Here: non-overlapping {window_s:g} s windows.")
    st.download_button("Fatigue slopes (CSV)", key="summary_dl_fatigue", mime="text/csv", on_click="ignore",
                       file_name=f"{base}_fatigue.csv",
                       data=table_csv(slopes, settings=ctx.settings, sources=[ctx.source],
                                      units=ctx.display.describe(), what="fatigue slopes",
                                      extra={"fatigue method": FATIGUE_METHOD,
                                             "fatigue windows": f"{window_s:g} s, not overlapping"}))


def _burst_params():
    """The burst-detection parameters (threshold, minimum duration, merge gap), app defaults first."""
    from ..burst_params import BURST_DEFAULTS, BurstParams

    c1, c2, c3 = st.columns(3)
    k = c1.number_input("Burst threshold (SD above rest)", min_value=0.5, max_value=50.0, step=0.5,
                        value=BURST_DEFAULTS.k, key="summary_burst_k",
                        help="Mean + k·SD of the rest envelope (Hodges & Bui 1996)")
    on = c2.number_input("Minimum burst duration (ms)", min_value=1.0, max_value=10_000.0, step=50.0,
                         value=BURST_DEFAULTS.min_duration_ms, key="summary_burst_min_ms")
    gap = c3.number_input("Merge bursts closer than (ms)", min_value=1.0, max_value=10_000.0, step=50.0,
                          value=BURST_DEFAULTS.merge_gap_ms, key="summary_burst_gap_ms")
    return BurstParams(k=k, min_duration_ms=on, merge_gap_ms=gap)


def _render(ctx: ViewContext) -> None:
    out = resolved(ctx.processed)  # the Summary reads the filtered samples: one object for the whole run
    settings_json = ctx.settings_key
    base = safe_stem(ctx.name)
    png = png_available()
    table = features_cached(ctx.key, settings_json, out.filtered)
    # badges computed once: display_table, feature_bars and standouts take them as the quality table
    quality = badges = quality_badges(_quality(ctx.key, str(ctx.settings.notch_hz), ctx.rec))

    st.markdown("##### Signal quality per channel")
    ncol = max(1, min(len(badges), 4))  # 4 a row: "channel4: check" whole at 1024 px
    cols = st.columns(ncol)
    for i, row in badges.iterrows():
        cols[i % ncol].badge(f"{row['emoji']} {_md(row['channel'])}: {row['grade']}", color=row["badge_colour"],
                             help=_md(row["reason"]))

    try:
        mups = render_mups(ctx, base)
    except Exception as exc:  # noqa: BLE001 - the rest of the summary still shows
        st.error(_md(f"The MUP analysis failed: {exc}"))
        mups = None

    ref, ref_source = _mvc_section(ctx)
    extra = {}
    env = None  # the envelope of every channel is read only for %MVC (see _envelope_figure)
    shown_table = table
    if ref is not None:
        ref_json = json.dumps([[str(c), float(v)] for c, v in ref.items()])
        try:
            shown_table, env = _percent_mvc(ctx.key, settings_json, ref_json, out, ref)
        except ValueError as exc:  # channels or units that do not match the reference
            st.error(_md(f"%MVC: {exc}"))
            ref = None
    if ref is not None:
        extra = {"%MVC reference": ref_source,
                 "%MVC reference values": ", ".join(f"{c}={float(v):.6g}" for c, v in ref.items())}
        st.caption(_md(f"Amplitudes in %MVC of the envelope's maximum; reference: {ref_source}."))

    st.markdown("##### Features per muscle (filtered signal)")
    for line in standouts(shown_table, quality):
        st.markdown(f"- {_md(line)}")
    shown, formats = display_table(shown_table, quality, unit=ctx.display)
    config = {c: st.column_config.NumberColumn(c, format=f) for c, f in formats.items()}
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch")
    st.download_button("Feature table (CSV)", key="summary_dl_features", mime="text/csv",
                       file_name=f"{base}_features{'_mvc' if ref is not None else ''}.csv", on_click="ignore",
                       data=table_csv(to_display_units(shown_table, ctx.display), settings=ctx.settings,
                                      sources=[ctx.source], units=ctx.display.describe(),
                                      what="features of the filtered signal", extra=extra))

    numeric = [c for c in shown_table.columns if c != "channel"]
    default = next((i for i, c in enumerate(numeric) if c.startswith("RMS")), 0)
    feature = st.selectbox("Feature across muscles", numeric, index=default, key="summary_feature",
                           format_func=lambda c: display_unit(c, ctx.display)[0])
    bars = feature_bars(shown_table, feature, quality=quality, unit=ctx.display)
    st.plotly_chart(plain_figure(bars), key="summary_bars", width="stretch")
    _figure_downloads(bars, f"{base}_{safe_stem(feature)}_bars", "Bar chart", "bars", png)

    st.markdown("##### Muscles × time windows")
    c1, c2 = st.columns([2, 1])
    which = c1.radio("Colour by", ["RMS (activity)", "MDF (fatigue)"], key="summary_heatmap_feature",
                     horizontal=True)
    window_s = c2.number_input("Window (s)", min_value=0.01, value=heatmap_window_s(ctx.rec.duration_s),
                               step=0.05, format="%.2f", key="summary_window_s")
    try:
        windowed = _windowed(ctx.key, settings_json, float(window_s), out.filtered)
    except ValueError as exc:
        st.error(_md(f"Windowed features: {exc}"))
        windowed = None
    if windowed is not None and len(windowed) == 0:
        st.warning(_md(f"The recording ({ctx.rec.duration_s:.2f} s) is shorter than one {window_s:g} s window."))
    elif windowed is not None:
        col = next(c for c in windowed.columns if c.startswith("RMS" if which.startswith("RMS") else "MDF"))
        heat = feature_heatmap(windowed, col, unit=ctx.display)
        st.plotly_chart(plain_figure(heat), key="summary_heatmap", width="stretch")
        _figure_downloads(heat, f"{base}_{safe_stem(col)}_heatmap", "Heatmap", "heatmap", png)

    st.markdown("##### Envelopes and bursts")
    params = _burst_params()
    try:
        bursts = bursts_cached(ctx.key, settings_json, out.filtered, params_json=json.dumps(params.to_dict()))
    except ValueError as exc:
        st.error(_md(f"Burst detection: {exc}"))
        bursts = None
    envfig = _envelope_figure(ctx.key, settings_json, json.dumps(params.to_dict()),
                              json.dumps([[str(c), float(v)] for c, v in ref.items()]) if ref is not None else "",
                              repr(ctx.display), out, env, bursts, ctx.display)
    st.plotly_chart(plain_figure(envfig), key="summary_envelopes", width="stretch")
    _figure_downloads(envfig, f"{base}_envelopes", "Envelopes", "envelopes", png)
    if bursts is not None:
        bshow = bursts_for_display(bursts, ctx.rec.unit)
        st.caption(_md(f"{len(bursts)} burst(s) found on the filtered signal; {params.describe()}."))
        disp, bformats = display_table(bshow, unit=ctx.display)
        bformats.update({"onset_s": "%.3f", "offset_s": "%.3f", "duration_s": "%.3f"})
        st.dataframe(disp, hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(c, format=f) for c, f in bformats.items()})
        st.download_button("Bursts (CSV)", key="summary_dl_bursts", mime="text/csv", on_click="ignore",
                           file_name=f"{base}_bursts.csv",
                           data=table_csv(to_display_units(bshow, ctx.display), settings=ctx.settings,
                                          sources=[ctx.source], units=ctx.display.describe(), what="bursts",
                                          extra={"burst detection": params.to_json()}))

    _fatigue_section(ctx, base, png)

    st.markdown("##### Report")
    rec, settings, name, digest, full_names = ctx.rec, ctx.settings, ctx.name, ctx.digest, ctx.full.ch_names
    read_kwargs = ctx.read_kwargs  # the reader options the sidebar used (unit, a typed fs): for the snippet

    def _report() -> bytes:
        try:
            return report_html(rec, settings, file_name=name, sha256=digest, mvc=ref, mvc_source=ref_source,
                               file_channels=full_names, read_kwargs=read_kwargs, needle=mups is not None,
                               mup_tables=mups and mups[0], needle_muscles=mups and mups[1]).encode("utf-8")
        except Exception as exc:  # noqa: BLE001 - a download cannot show st.error; say it in the file
            import html

            return (f"<!DOCTYPE html><html><body><h1>Report failed</h1><p>{html.escape(str(exc))}</p>"
                    "</body></html>").encode("utf-8")

    st.download_button("HTML report (works offline)", data=_report, file_name=f"{base}_report.html",
                       mime="text/html", key="summary_dl_report", on_click="ignore",
                       help="Tables, figures, settings, versions and a Python snippet that reproduces the numbers")
