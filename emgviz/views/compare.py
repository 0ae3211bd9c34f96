"""Compare view: the loaded recording against uploads and bundled samples, matched by muscle."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import streamlit as st

from ..compare import (EFFECT_SIZE_METHOD, SYMMETRY_METHOD, Session, compare_fatigue, compare_features,
                       compare_spectra, match_channels, session_symmetry, symmetry_table)
from ..compare_export import comparison_csv, comparison_in_units
from ..cycles import cycle_average, event_times, onset_times
from ..export import Source, figure_html, safe_stem
from ..plotting.compare import (comparison_bars, cycle_bands, effect_size_plot, envelope_overlay,
                                fatigue_slopes, spectra_overlay)
from ..units import DisplayUnit, amplitude_magnitude, display_unit
from .browser import markers_of
from .cache import bursts_cached, process_cached
from .compare_sessions import (apply_link_state, candidates, labelled, link_reference, mapping_editor,
                               write_link_state)
from .context import ViewContext
from .text import md
from ..plotting.safe import plain_figure

__all__ = ["render"]

_P = "compare_"
_CYCLE_SOURCES = ("file events", "detected onsets", "markers / typed times")


# ---- cached computations (keys say what the sessions are; big objects pass with a leading underscore).
# Reading, processing and burst detection use .cache, shared with the sidebar and the other views:
# the loaded recording is never processed twice.
@st.cache_data(max_entries=8, show_spinner="Comparing sessions…")
def _compare(key: str, settings_json: str, window_s: float, mapping_json: str, reference: str, _sessions):
    from ..settings import Settings

    return compare_features(_sessions, Settings.from_dict(json.loads(settings_json)), window_s=window_s,
                            step_s=window_s / 2, mapping=json.loads(mapping_json), reference=reference)


@st.cache_data(max_entries=8, show_spinner=False)
def _spectra(key: str, settings_json: str, mapping_json: str, _sessions):
    from ..settings import Settings

    return compare_spectra(_sessions, Settings.from_dict(json.loads(settings_json)),
                           mapping=json.loads(mapping_json))


@st.cache_data(max_entries=8, show_spinner=False)
def _fatigue(key: str, settings_json: str, feature: str, window_s: float, mapping_json: str, _sessions):
    from ..settings import Settings

    return compare_fatigue(_sessions, Settings.from_dict(json.loads(settings_json)), feature=feature,
                           window_s=window_s, mapping=json.loads(mapping_json))


def _process_all(ctx: ViewContext, sessions: list[Session], ids: dict[str, str]) -> dict | None:
    """Each session's ``Processed`` (the loaded recording's is ``ctx.processed``); None after an error."""
    out = {}
    for s in sessions:
        try:
            out[s.label] = (ctx.processed if s.recording is ctx.rec
                            else process_cached(ids[s.label], ctx.settings_key, s.recording))
        except ValueError as exc:  # e.g. a recording too short for the filter
            st.error(md(f"Cannot compare these sessions: {s.label}: {exc}"))
            return None
    return out


def _html_download(fig, name: str, slot: str) -> None:
    st.download_button("Figure as HTML", data=lambda: figure_html(fig), file_name=f"{name}.html",
                       mime="text/html", key=f"{_P}dl_{slot}_html", on_click="ignore")


def comparison_unit(sessions) -> DisplayUnit:
    """One display unit for every session (the unit rule on the largest session), so bars,
    envelopes, spectra and the table of a comparison share it; raw counts stay a.u."""
    units = {s.recording.unit for s in sessions}
    if units != {"V"}:
        return display_unit(next(iter(units)) if len(units) == 1 else "a.u.")
    return display_unit("V", max(amplitude_magnitude(s.recording.data) for s in sessions))


def _display(table: pd.DataFrame) -> pd.DataFrame:
    cols = ["muscle", "feature", "session", "value", "window_sd", "change", "change_pct", "hedges_g",
            "g_ci_low", "g_ci_high", "n_windows"]
    return table[cols].rename(columns={"value": "value (mean over windows)", "window_sd": "SD over windows",
                                       "change_pct": "change (%)", "hedges_g": "Hedges' g",
                                       "g_ci_low": "g 95 % CI low", "g_ci_high": "g 95 % CI high"})


def _cycle_events(sessions, ctx, proc, matches, ids) -> dict[str, np.ndarray] | None:
    source = st.selectbox("Cycle starts from", _CYCLE_SOURCES, key=_P + "cycle_source",
                          help="Each cycle runs from one event to the next, normalised to 0–100 %.")
    events: dict[str, np.ndarray] = {}
    if source == "file events":
        labels = sorted({lab for s in sessions for lab in s.recording.events["label"]})
        if not labels:
            st.info("None of these recordings has events; pick detected onsets or type times.")
            return None
        label = st.selectbox("Event label", labels, key=_P + "cycle_label")
        for s in sessions:
            events[s.label] = event_times(s.recording.events, label=label)
    elif source == "detected onsets":
        muscles = list(matches.loc[matches["matched"], "muscle"])
        muscle = st.selectbox("Muscle whose burst onsets start each cycle", muscles, key=_P + "cycle_muscle")
        row = matches.set_index("muscle").loc[muscle]
        for s in sessions:
            try:
                bursts = bursts_cached(ids[s.label], ctx.settings_key, proc[s.label].filtered)
            except ValueError as exc:
                st.error(md(f"{s.label}: burst detection failed: {exc}"))
                return None
            events[s.label] = onset_times(bursts, channel=row[s.label])
    else:
        for i, s in enumerate(sessions):
            default = ""
            if s.recording is ctx.rec:
                marks = markers_of(ctx.digest)
                if marks is not None and len(marks):
                    default = ", ".join(f"{t:.3f}" for t in marks["time_s"])
            text = st.text_input(md(f"Cycle start times of {s.label} (s, comma-separated)"), value=default,
                                 key=f"{_P}cycle_times_{i}")
            try:
                events[s.label] = np.array([float(x) for x in re.split(r"[,;\s]+", text.strip()) if x])
            except ValueError:
                st.error(md(f"{s.label}: times must be numbers in s separated by commas, got {text!r}"))
                return None
    return events


def render(ctx: ViewContext) -> None:
    """The Compare view: sessions, mapping, comparison table, figures, cycle averages, downloads."""
    st.subheader("Compare sessions")
    st.caption("What changed, in which muscle, and how sure are we: pre/post, left/right, day 1/day 30. "
               "Every session is processed with the sidebar settings at its own sampling rate.")
    apply_link_state()
    cands = candidates(ctx)
    if len(cands) < 2:
        st.info("Add a second recording above (upload or bundled sample) to compare it with "
                f"{ctx.name!r}.")
        return
    sessions = labelled(cands)
    if sessions is None:
        return
    ids = {s.label: c["key"] for s, c in zip(sessions, cands)}
    mapping = mapping_editor(sessions, [c["slot"] for c in cands])
    settings_json = ctx.settings_key
    mapping_json = json.dumps(mapping, sort_keys=True)
    key = "|".join(f"{lab}={i}" for lab, i in ids.items())
    if not match_channels(sessions, mapping=mapping)["matched"].any():
        st.warning("No muscle is in every session yet: in the channel mapping table above, type the same "
                   "muscle name for the channels that record the same muscle.")
        return
    c1, c2 = st.columns(2)
    labels = [s.label for s in sessions]
    reference = c1.selectbox("Reference session", labels, index=link_reference(labels), key=_P + "reference")
    write_link_state(cands, sessions, reference)
    window_s = c2.number_input("Window (s) for the spread and effect size", min_value=0.1, max_value=30.0,
                               value=1.0, step=0.25, key=_P + "window_s", help="Windows overlap by half.")
    proc = _process_all(ctx, sessions, ids)
    if proc is None:
        return
    # the filtered recordings from the shared processing cache: compare_* never filters again
    sessions = [Session(s.label, s.recording, proc[s.label].filtered) for s in sessions]
    try:
        table = _compare(key, settings_json, float(window_s), mapping_json, reference, sessions)
    except ValueError as exc:
        st.error(md(f"Cannot compare these sessions: {exc}"))
        return
    for w in [f"{lab}: {w}" for lab, p in proc.items() for w in p.warnings] + table.attrs.get("warnings", []):
        st.warning(md(w))
    matches = table.attrs["matches"]

    unit = comparison_unit(sessions)
    shown = comparison_in_units(table, unit)  # amplitudes in µV/mV as in every view; NaN, never "None"
    st.markdown("##### Change from the reference, per muscle and feature")
    st.dataframe(_display(shown), hide_index=True, key=_P + "table",
                 column_config={c: st.column_config.NumberColumn(format="%.4g")
                                for c in ("value (mean over windows)", "SD over windows", "change")}
                 | {c: st.column_config.NumberColumn(format="%.2f")
                    for c in ("change (%)", "Hedges' g", "g 95 % CI low", "g 95 % CI high")})
    st.caption(EFFECT_SIZE_METHOD)
    st.download_button("Comparison table (CSV, settings in # lines)",
                       data=comparison_csv(table, ctx.settings, sessions=[s.label for s in sessions],
                                           window_s=float(window_s), step_s=float(window_s) / 2, unit=unit,
                                           sources=[Source(c["source"].name, c["source"].sha256,
                                                           c["source"].reader_options, s.label)
                                                    for s, c in zip(sessions, cands)]),
                       file_name=f"compare_{safe_stem(ctx.name)}.csv", mime="text/csv", key=_P + "dl_table",
                       on_click="ignore")

    args = dict(ctx=ctx, sessions=sessions, proc=proc, table=shown, matches=matches, ids=ids, key=key, unit=unit,
                settings_json=settings_json, mapping_json=mapping_json, window_s=float(window_s))
    names = list(_TABS)
    tabs = st.tabs(names, key=_P + "tabs", on_change="rerun")
    for name, tab in zip(names, tabs):
        if tab.open:  # only the selected tab computes (the others may be slow on long recordings)
            with tab:
                _TABS[name](**args)


def _tab_features(*, table, **_):
    features = list(dict.fromkeys(table["feature"]))
    default = next((f for f in features if f.startswith("RMS")), features[0])
    feature = st.selectbox("Feature", features, index=features.index(default), key=_P + "feature")
    fig = comparison_bars(table, feature)
    st.plotly_chart(plain_figure(fig), key=_P + "bars_chart")
    _html_download(fig, "compare_bars", "bars")
    fig = effect_size_plot(table, feature)
    st.plotly_chart(plain_figure(fig), key=_P + "effect_chart")
    _html_download(fig, "compare_effect", "effect")


def _tab_envelopes(*, proc, matches, unit, **_):
    norm = st.toggle("Normalised time (0–100 % of each recording)", key=_P + "norm_time")
    fig = envelope_overlay({lab: p.envelope for lab, p in proc.items()}, matches, normalise_time=norm, unit=unit)
    st.plotly_chart(plain_figure(fig), key=_P + "env_chart")
    _html_download(fig, "compare_envelopes", "env")


def _tab_spectra(*, sessions, key, settings_json, mapping_json, unit, **_):
    try:
        spectra = _spectra(key, settings_json, mapping_json, sessions)
    except ValueError as exc:
        st.error(md(f"Cannot compute the spectra: {exc}"))
        return
    fig = spectra_overlay(spectra, labels=[s.label for s in sessions], unit=unit)
    st.plotly_chart(plain_figure(fig), key=_P + "psd_chart")
    st.caption("Welch PSD of the filtered signal (Hann segments of 0.25 s, 50 % overlap).")
    _html_download(fig, "compare_spectra", "psd")


def _tab_cycles(*, ctx, sessions, proc, ids, matches, **_):
    events = _cycle_events(sessions, ctx, proc, matches, ids)
    if events is None:
        return
    averages = {}
    for s in sessions:
        try:
            averages[s.label] = cycle_average(proc[s.label].envelope, events[s.label])
        except ValueError as exc:
            st.warning(md(f"{s.label}: {exc}"))
    if not averages:
        return
    st.caption("Envelope per cycle, time-normalised to 0–100 % by linear interpolation; line = ensemble mean, "
               "band = ± SD across cycles. Cycles: "
               + ", ".join(f"{lab} {a.cycles.shape[1]}" for lab, a in averages.items()))
    fig = cycle_bands(averages, matches, unit=ctx.rec.unit)
    st.plotly_chart(plain_figure(fig), key=_P + "cycle_chart")
    _html_download(fig, "compare_cycles", "cycles")


def _tab_fatigue(*, sessions, key, settings_json, mapping_json, window_s, **_):
    from ..fatigue import FATIGUE_METHOD

    base = st.radio("Feature", ("MDF", "MNF", "RMS"), horizontal=True, key=_P + "fatigue_feature")
    try:
        slopes = _fatigue(key, settings_json, base, window_s, mapping_json, sessions)
    except ValueError as exc:
        st.error(md(f"Cannot fit the fatigue slopes: {exc}"))
        return
    fig = fatigue_slopes(slopes)
    st.plotly_chart(plain_figure(fig), key=_P + "fatigue_chart")
    st.caption(md(FATIGUE_METHOD + f" Here: non-overlapping {window_s:g} s windows."))
    _html_download(fig, "compare_fatigue", "fatigue")


def _tab_symmetry(*, sessions, table, **_):
    st.caption(SYMMETRY_METHOD)
    labels = [s.label for s in sessions]
    c1, c2 = st.columns(2)
    left = c1.selectbox("Left session", labels, index=0, key=_P + "sym_left")
    right = c2.selectbox("Right session", labels, index=1, key=_P + "sym_right")
    if left != right:
        st.dataframe(session_symmetry(table, left=left, right=right), hide_index=True, key=_P + "sym_sessions")
    within = []
    for lab in labels:
        wide = table[table["session"] == lab].pivot_table(index="muscle", columns="feature", values="value",
                                                          sort=False)
        si = symmetry_table(wide.reset_index().rename(columns={"muscle": "channel"}))
        if not si.empty:
            within.append(si.assign(session=lab))
    if within:
        st.markdown("Left/right channel pairs within each session (named _L/_R, Left/Right, L/R prefix)")
        st.dataframe(pd.concat(within, ignore_index=True), hide_index=True, key=_P + "sym_within")


_TABS = {"Features": _tab_features, "Envelopes": _tab_envelopes, "Spectra": _tab_spectra, "Cycles": _tab_cycles,
         "Fatigue": _tab_fatigue, "Symmetry": _tab_symmetry}
