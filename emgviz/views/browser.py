"""Browse view: page through a recording like a clinical EMG machine, with spectrum, sound and markers.

Only wires widgets to :mod:`emgviz.plotting.browser`, :mod:`emgviz.plotting.spectra`,
:mod:`emgviz.audio` and :mod:`emgviz.markers`. Everything below the view's header runs in
an ``st.fragment``: paging reruns the browser only, never loading or processing.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from ..export import safe_stem
from ..markers import add_marker, delete_marker, empty_markers, markers_from_csv, markers_to_csv
from ..plotting.browser import (auto_scales, format_scale, overview_envelope, overview_figure, page_slice,
                                scale_choices, stacked_figure)
from .cache import bursts_cached
from ..recording import Recording
from .context import ViewContext, per_recording, resolved
from .browser_panels import SLOWDOWN_CHOICES, sound_panel, spectrum_panel  # noqa: F401 - re-exported
from .paging import channel_page
from .plotly_component import plotly_chart, selected_points
from .text import md
from ..plotting.safe import plain_figure

__all__ = ["render", "markers_of", "PAGE_CHOICES", "SLOWDOWN_CHOICES"]

#: Page lengths offered, in s (the clinical "time base").
PAGE_CHOICES = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0)
DIVISIONS = 4
#: Min–max buckets of the overview strip: about one per pixel of its plot area on a 1920 px screen (each
#: bucket is drawn as a filled min–max band, so more would only add bytes and drawing to every page).
STRIP_BUCKETS = 1200
_P = "browse_"
_T = _P + "t"               # page start in s (the state the paging widgets share)
_FILE = _P + "_file"        # ctx.key the widget state belongs to
_MARKERS = _P + "markers"   # {digest: DataFrame}: survives new files, channel changes and reprocessing
_MSG = _P + "_marker_msg"
_OVERRIDES = _P + "_scale_overrides"  # {channel: per-channel amplitude choice}
_KEEP = {_MARKERS}
_SIGNALS = ("Raw", "Filtered")
_SHARED, _AUTO = "shared", "auto"


# ---------------------------------------------------------------------------- caches
# (burst detection: .cache.bursts_cached, shared with the Summary and Compare views)
@st.cache_data(max_entries=8, show_spinner=False)
def _auto_scales(key: str, which: str, settings_key: str, divisions: float, _rec) -> dict:
    return auto_scales(_rec, divisions_per_channel=divisions)


@st.cache_data(max_entries=8, show_spinner="Summarising the whole recording…")
def _overview_env(key: str, which: str, settings_key: str, n_points: int, _rec):
    return overview_envelope(_rec, n_points=n_points)


# ---------------------------------------------------------------------------- state
def _reset_on_new_file(ctx: ViewContext) -> None:
    """A new file (or channel set) starts at its beginning with default controls; markers stay."""
    state = st.session_state
    if state.get(_FILE) == ctx.key:
        return
    for k in [k for k in state.keys() if isinstance(k, str) and k.startswith(_P) and k not in _KEEP]:
        del state[k]
    state[_FILE] = ctx.key
    state[_T] = ctx.rec.t0
    if not state.get(_LINK_APPLIED):  # a link's position and scales apply to the first file opened
        state[_LINK_APPLIED] = True
        _apply_link(state)


_LINK_APPLIED = "_browse_link_applied"   # outside the _P namespace: survives new files


def _apply_link(state) -> None:
    """Time base, page start and amplitude scale from a link (``browse.page_s``, ``browse.t``, ``browse.scale``).

    A value that is not a number, or not one the controls offer, is ignored with a warning.
    """
    qp = st.query_params
    for name in ("browse.page_s", "browse.t", "browse.scale"):
        if name not in qp or (name == "browse.scale" and qp[name] == _AUTO):
            continue
        try:
            value = float(qp[name])
        except ValueError:
            st.warning(md(f"Ignored {name}={qp[name]!r} from the link: not a number."))
            continue
        if name == "browse.page_s" and value not in PAGE_CHOICES:
            st.warning(md(f"Ignored {name}={qp[name]!r} from the link: the time base is one of "
                          f"{', '.join(f'{p:g}' for p in PAGE_CHOICES)} s."))
        elif name == "browse.scale" and not (np.isfinite(value) and value > 0):
            st.warning(md(f"Ignored {name}={qp[name]!r} from the link: a scale is a positive number."))
        else:
            state[{"browse.page_s": _P + "page_s", "browse.t": _T, "browse.scale": _P + "link_scale"}[name]] = value


def _write_link(t: float, page_s: float, scale) -> None:
    """Keep the page start, time base and shared scale in the URL, so a copied link reopens this page."""
    params = {"browse.t": f"{t:.6g}", "browse.page_s": f"{page_s:g}",
              "browse.scale": _AUTO if scale == _AUTO else f"{float(scale):.6g}"}
    for k, v in params.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v


def _bounds(rec, page_s: float) -> tuple[float, float]:
    """First and last allowed page start (the last page ends at the recording's end)."""
    t_min = rec.t0
    return t_min, max(t_min, rec.t0 + rec.duration_s - page_s)


def _clamp(t: float, rec, page_s: float) -> float:
    lo, hi = _bounds(rec, page_s)
    return float(min(max(t, lo), hi))


def _page_s() -> float:
    return float(st.session_state.get(_P + "page_s", 10.0))


def _on_prev(rec) -> None:
    st.session_state[_T] = _clamp(st.session_state[_T] - _page_s(), rec, _page_s())


def _on_next(rec) -> None:
    st.session_state[_T] = _clamp(st.session_state[_T] + _page_s(), rec, _page_s())


def _on_jump(rec) -> None:
    value = st.session_state.get(_P + "jump")
    if value is not None:
        st.session_state[_T] = _clamp(float(value), rec, _page_s())


def _on_slider(rec) -> None:
    st.session_state[_T] = _clamp(float(st.session_state[_P + "pos"]), rec, _page_s())


def _on_scale_override(name: str) -> None:
    """Keep a channel's amplitude choice beyond its selectbox (gone while its panel is closed)."""
    st.session_state.setdefault(_OVERRIDES, {})[name] = st.session_state[f"{_P}scale_{name}"]


def _on_channel_page() -> None:
    """Another page of channels: the channel picker starts again with all of that page."""
    st.session_state.pop(_P + "channels", None)


def _on_overview_click(rec) -> None:
    try:
        x = float(selected_points(_P + "overview")[0]["x"])
    except (KeyError, IndexError, TypeError, ValueError):
        return
    st.session_state[_T] = _clamp(x - _page_s() / 2, rec, _page_s())


def markers_of(digest: str):
    """The user's markers (DataFrame ``time_s``, ``note``) on the file with this digest, or None."""
    return st.session_state.get(_MARKERS, {}).get(digest)


def _markers(ctx: ViewContext):
    return st.session_state.setdefault(_MARKERS, {}).get(ctx.digest, empty_markers())


def _set_markers(ctx: ViewContext, table) -> None:
    st.session_state.setdefault(_MARKERS, {})[ctx.digest] = table


def _on_add_marker(ctx: ViewContext) -> None:
    t = st.session_state.get(_P + "marker_time")
    t = st.session_state[_T] if t is None else float(t)
    note = st.session_state.get(_P + "marker_note", "")
    _set_markers(ctx, add_marker(_markers(ctx), t, note))
    st.session_state[_P + "marker_note"] = ""
    st.session_state[_MSG] = ("success", f"Marker added at {t:.3f} s.")


def _on_delete_marker(ctx: ViewContext) -> None:
    i = st.session_state.get(_P + "marker_pick")
    table = _markers(ctx)
    if i is not None and 0 <= int(i) < len(table):
        _set_markers(ctx, delete_marker(table, int(i)))
        st.session_state[_MSG] = ("success", "Marker deleted.")


def _on_upload_markers(ctx: ViewContext) -> None:
    upload = st.session_state.get(_P + "marker_upload")
    if upload is None:
        return
    try:
        table = markers_from_csv(upload.getvalue())
    except ValueError as exc:
        st.session_state[_MSG] = ("error", f"Could not read markers from {upload.name}: {exc}")
        return
    _set_markers(ctx, table)
    st.session_state[_MSG] = ("success", f"Loaded {len(table)} markers from {upload.name}.")


# ---------------------------------------------------------------------------- view
def render(ctx: ViewContext) -> None:
    """The Browse view: paged stacked channels, overview strip, markers, spectrum and sound."""
    from . import sweep  # the clinical sweep lives in its own module

    _reset_on_new_file(ctx)
    st.session_state.setdefault(_P + "sweep", sweep.link_asks_for_sweep())  # a link with sweep.* opens it
    if st.toggle("Clinical sweep", key=_P + "sweep", help="Needle EMG as on a clinical machine: ms/div and "
                 "µV/div steps, consecutive sweeps (raster), triggered sweeps, two cursors."):
        sweep.render(ctx)
        return
    sweep.clear_link()
    _browser(ctx)


@st.fragment
def _browser(ctx: ViewContext) -> None:
    rec = ctx.rec
    processed = ctx.processed
    has_processed = processed is not None  # fetched only when the filtered signal or its layers are shown
    state = st.session_state

    # ---- time base and position
    # buttons wide enough for their label and shortcut at 1024 px (else "◂ Ctrl+←")
    c_page, c_prev, c_next, c_jump = st.columns([1.5, 1.25, 1.25, 1.5], vertical_alignment="bottom")
    default_page = next((p for p in PAGE_CHOICES if p >= min(10.0, rec.duration_s)), PAGE_CHOICES[-1])
    page_s = c_page.selectbox("Time base (s per page)", PAGE_CHOICES, key=_P + "page_s",
                              index=PAGE_CHOICES.index(default_page), format_func=lambda p: f"{p:g} s")
    c_prev.button("◀ Prev", key=_P + "prev", on_click=_on_prev, args=(rec,), width="stretch",
                  shortcut="Ctrl+ArrowLeft", help="Previous page (Ctrl+←)")
    c_next.button("Next ▶", key=_P + "next", on_click=_on_next, args=(rec,), width="stretch",
                  shortcut="Ctrl+ArrowRight", help="Next page (Ctrl+→)")
    t = _clamp(state.get(_T, rec.t0), rec, page_s)
    state[_T] = t
    t_lo, t_hi = _bounds(rec, page_s)
    state[_P + "jump"] = t
    c_jump.number_input("Go to time (s)", min_value=float(t_lo), max_value=float(t_hi), key=_P + "jump",
                        step=float(page_s), format="%.3f", on_change=_on_jump, args=(rec,))
    if t_hi > t_lo:
        state[_P + "pos"] = t
        st.slider("Position (s)", min_value=float(t_lo), max_value=float(t_hi), key=_P + "pos",
                  step=float(page_s) / 10, format="%.2f", on_change=_on_slider, args=(rec,))

    # ---- what to show: a wide file pages its channels (16 per screen), the picker offers that page
    page_names = channel_page(rec.ch_names, _P + "channel_page", on_change=_on_channel_page)
    channels = st.multiselect("Channels (top to bottom, in the order picked)", page_names,
                              default=page_names, key=_P + "channels")
    c_sig, c_opts = st.columns([1, 2], vertical_alignment="bottom")
    signal_kind = c_sig.radio("Signal", _SIGNALS if has_processed else _SIGNALS[:1], key=_P + "signal",
                              horizontal=True, help="Filtered = after DC removal, band-pass and notch.")
    with c_opts:
        o1, o2, o3 = st.columns(3)
        show_env = o1.toggle("Envelope", key=_P + "envelope", disabled=not has_processed,
                             help="Draw the envelope over each trace, same scale.")
        show_bursts = o2.toggle("Bursts", key=_P + "bursts", disabled=not has_processed,
                                help="Shade detected bursts (threshold method on the filtered signal).")
        show_events = o3.toggle("Events", key=_P + "events", value=True, help="The file's events as lines.")
    # one processed object for the whole run when a layer needs it (held here, so the lazy context and the
    # sound panel get this same one even if the store evicts it meanwhile: never filtered twice in a run)
    needs = has_processed and (signal_kind == "Filtered" or show_env or show_bursts)
    out = resolved(processed) if needs else None
    shown = out.filtered if (signal_kind == "Filtered" and out is not None) else rec
    which = "filtered" if shown is not rec else "raw"
    skey = ctx.settings_key
    key = ctx.key
    if len(page_names) < shown.n_channels:  # scales and the overview strip of this page's channels only
        shown = per_recording("pick", shown, Recording.pick, tuple(page_names))
        key = f"{ctx.key}|{page_names[0]}"
    if not channels:
        st.info("Pick at least one channel to browse.")
        return

    # ---- amplitude scales
    try:
        autos = _auto_scales(key, which, skey if which == "filtered" else "", DIVISIONS, shown)
    except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
        st.error(md(f"Could not compute the automatic scales: {exc}"))
        return
    unit = shown.unit
    choices = scale_choices(unit, around=float(np.median(list(autos.values()))))
    link_scale = state.get(_P + "link_scale")
    if link_scale is not None:
        if link_scale not in choices:
            choices = sorted([*choices, link_scale])
        if not state.get(_P + "link_scale_set"):
            state[_P + "link_scale_set"] = True
            state[_P + "scale"] = link_scale
    c_scale, c_info = st.columns([2, 5], vertical_alignment="bottom")
    shared = c_scale.selectbox("Amplitude (per division)", [_AUTO, *choices], key=_P + "scale",
                               format_func=lambda v: "auto (per channel)" if v == _AUTO else format_scale(v, unit))
    options = [_SHARED, _AUTO, *choices]
    kept = state.setdefault(_OVERRIDES, {})  # per-channel choices, kept while the panel is closed
    overrides = {n: kept[n] for n in channels if kept.get(n) in options}
    panel = st.expander("Per-channel amplitude", key=_P + "scales_open", on_change="rerun")
    if panel.open:  # built only while open: eight selectboxes re-sent on every page otherwise
        cols = panel.columns(4)
        for i, name in enumerate(channels):
            key = f"{_P}scale_{name}"
            if state.get(key) not in options:
                state[key] = overrides.get(name, _SHARED)
            overrides[name] = cols[i % 4].selectbox(
                md(name), options, key=key, on_change=_on_scale_override, args=(name,),
                format_func=lambda v: ("as above" if v == _SHARED else "auto" if v == _AUTO
                                       else format_scale(v, unit)))
    scales = {}
    for name in channels:
        v = overrides.get(name, _SHARED)
        v = shared if v == _SHARED else v
        scales[name] = autos[name] if v == _AUTO else float(v)

    # ---- derived layers
    overlay = None
    if show_env and out is not None:  # this page's envelope only: the whole one is as large as the recording
        page = page_slice(out.filtered, t, page_s)
        overlay = out.envelope_span(page.start - 1, page.stop + 1, names=channels)
    bursts = None
    if show_bursts and out is not None:
        try:
            bursts = bursts_cached(ctx.key, skey, out.filtered)
        except Exception as exc:  # noqa: BLE001
            st.warning(md(f"Burst detection failed: {exc}"))
    events = rec.events if show_events and len(rec.events) else None
    markers = _markers(ctx)

    # ---- main figure + overview
    t_end = t + page_s
    c_info.caption(md(f"{which.capitalize()} · {t:.3f}–{t_end:.3f} s of {rec.t0:.3f}–"
                   f"{rec.t0 + rec.duration_s:.3f} s · {page_s / 10:g} s/div · "
                   + ", ".join(f"{n}: {format_scale(scales[n], unit)}" for n in channels[:4])
                   + (" …" if len(channels) > 4 else "")))
    try:
        fig = stacked_figure(shown, t_start_s=t, t_window_s=page_s, channels=channels, scale=scales,
                             divisions_per_channel=DIVISIONS, overlay=overlay, bursts=bursts, events=events,
                             markers=markers)
        plotly_chart(plain_figure(fig), key=_P + "chart", config={"displaylogo": False, "scrollZoom": False})
    except Exception as exc:  # noqa: BLE001
        st.error(md(f"Could not draw this page: {exc}"))
    try:
        env = _overview_env(key, which, skey if which == "filtered" else "", STRIP_BUCKETS, shown)
        ov = overview_figure(shown, t_start_s=t, t_window_s=page_s, envelope=env, channels=channels)
        plotly_chart(plain_figure(ov), key=_P + "overview", on_select=functools.partial(_on_overview_click, rec),
                     config={"displayModeBar": False}, overlay_shapes=True)  # a new page only moves its box
        st.caption("Overview of the whole recording; the shaded box is this page. Click the strip to jump there.")
    except Exception as exc:  # noqa: BLE001
        st.warning(md(f"Could not draw the overview: {exc}"))

    _write_link(t, page_s, shared)
    _markers_panel(ctx, t)
    spectrum_panel(ctx, shown, channels, t, page_s)
    sound_panel(ctx, channels, t, page_s, has_processed)


def _markers_panel(ctx: ViewContext, t: float) -> None:
    state = st.session_state
    table = _markers(ctx)
    panel = st.expander("Markers: add, delete, load, download", key=_P + "markers_open", on_change="rerun")
    if not panel.open:  # built only while open (a fixed label: a label with the count would close it)
        return
    with panel:
        msg = state.pop(_MSG, None)
        if msg:
            (st.success if msg[0] == "success" else st.error)(md(msg[1]))
        c_time, c_note, c_add = st.columns([2, 4, 1], vertical_alignment="bottom")
        c_time.number_input("Time (s); empty = page start", value=None, key=_P + "marker_time", format="%.3f",
                            placeholder=f"{t:.3f}")
        c_note.text_input("Note", key=_P + "marker_note", placeholder="e.g. fasciculation, artefact")
        c_add.button("Add", key=_P + "marker_add", on_click=_on_add_marker, args=(ctx,), width="stretch")
        if len(table):
            st.dataframe(table, hide_index=False, width="stretch", height=min(35 * (len(table) + 1) + 3, 250),
                         column_config={"time_s": st.column_config.NumberColumn("time (s)", format="%.3f")})
            c_pick, c_del = st.columns([4, 1], vertical_alignment="bottom")
            c_pick.selectbox("Marker to delete", list(range(len(table))), key=_P + "marker_pick",
                             format_func=lambda i: f"{i}: {table['time_s'].iloc[i]:.3f} s {table['note'].iloc[i]}")
            c_del.button("Delete", key=_P + "marker_delete", on_click=_on_delete_marker, args=(ctx,),
                         width="stretch")
        c_dl, c_up = st.columns(2)
        stem = safe_stem(ctx.name)
        c_dl.download_button("Download markers (CSV)", markers_to_csv(table), file_name=f"{stem}_markers.csv",
                             mime="text/csv", key=_P + "marker_download", on_click="ignore")
        c_up.file_uploader("Load markers (CSV with time_s, note)", type=["csv"], key=_P + "marker_upload",
                           on_change=_on_upload_markers, args=(ctx,))
