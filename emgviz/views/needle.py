"""Needle view: MUP templates, the per-muscle MUP table against reference values, recordings side by
side at locked gain and sweep, and the interference pattern. Wires widgets to :mod:`emgviz.needle`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import samples
from ..export import table_csv
from ..needle import MUSCLES, interference_pattern, muap_analysis, needle_summary, outside_cloud
from ..needle.filtering import channel_uv, needle_filter
from ..io import read_file
from ..plotting.needle import interference_figure, mup_grid_figure, side_by_side_figure, templates_overlay_figure
from ..settings import Settings
from .cache import file_digest
from .context import ViewContext
from .text import md
from ..plotting.safe import plain_figure

THIS = "This recording"
SWEEPS_MS = (5, 10, 20, 50, 100, 200)
GAINS_UV = (20, 50, 100, 200, 500, 1000, 2000, 5000)
_FACTS = (("age", "Age"), ("sex", "Sex"), ("diagnosis", "Diagnosis"), ("medications", "Medications"),
          ("muscle", "Muscle"), ("electrode", "Electrode"), ("task", "Task"))


def _example_label(key: str) -> str:
    return "Needle example: " + key.split("-", 1)[1]


@st.cache_resource(max_entries=6, show_spinner="Reading the needle example…")
def _example(key: str):
    return read_file(samples.sample_path(key))


@st.cache_resource(max_entries=12, show_spinner="Finding motor-unit potentials…")
def mup_analysis_cached(key: str, channel: str, _rec):
    """``muap_analysis(_rec, channel)``, once per (recording key, channel): the Needle and Summary views share it."""
    return muap_analysis(_rec, channel)


@st.cache_resource(max_entries=12, show_spinner=False)
def _ip(key: str, channel: str, _rec):
    return interference_pattern(_rec, channel)


@st.cache_resource(max_entries=12, show_spinner=False)
def _filtered_uv(key: str, channel: str, _rec):
    _, x = channel_uv(_rec, channel)
    return needle_filter(x, _rec.fs)[0]


#: Session-state key of the MUPs the clinician rejected: ``{"<file sha256>|<channel>": [MUP ids]}``. Kept
#: outside the widgets' state, so the Summary, its CSV and the report see them after the Needle view is left.
REJECTED = "needle_rejected_mups"


@st.cache_data(max_entries=6, show_spinner=False)
def _example_digest(key: str) -> str:
    """SHA-256 of a needle example's files, as the sidebar computes it when the example is opened."""
    return file_digest(samples.sample_files(key))


def rejected_mups(digest: str, channel: str) -> list[int]:
    """The MUP ids the clinician rejected in the Needle view for this file (SHA-256) and channel."""
    return list(st.session_state.get(REJECTED, {}).get(f"{digest}|{channel}", []))


def _remember_rejected(digest: str, channel: str, ids) -> None:
    store = st.session_state.setdefault(REJECTED, {})
    store[f"{digest}|{channel}"] = [int(i) for i in ids]


def _recordings(ctx: ViewContext) -> dict:
    """label -> (cache key, Recording, file SHA-256) for the recordings picked for this view (up to three)."""
    options = [THIS] + [_example_label(k) for k in samples.NEEDLE_SAMPLES]
    examples = st.session_state.get("source") == "Needle examples"
    default = options[1:] if examples else [THIS]
    picked = st.multiselect("Recordings (up to three, side by side)", options, default=default, max_selections=3,
                            key="needle_recordings_examples" if examples else "needle_recordings")
    out = {}
    for label in picked:
        if label == THIS:
            out[ctx.name] = (ctx.key, ctx.rec, ctx.digest)
        else:
            key = next(k for k in samples.NEEDLE_SAMPLES if _example_label(k) == label)
            out[label.removeprefix("Needle example: ").capitalize()] = (key, _example(key), _example_digest(key))
    return out


def render(ctx: ViewContext) -> None:
    """Draw the Needle view."""
    st.markdown("##### Needle EMG: motor-unit potentials (MUPs)")
    recs = _recordings(ctx)
    if not recs:
        st.info("Pick at least one recording above.")
        return
    analyses, problems = {}, []
    digests = {}
    for name, (key, rec, digest) in recs.items():
        channel = rec.ch_names[0] if "emg" not in rec.ch_kinds else rec.ch_names[list(rec.ch_kinds).index("emg")]
        digests[name] = digest
        try:
            analyses[name] = (key, rec, channel, mup_analysis_cached(key, channel, rec))
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
    for p in problems:
        st.error(md(p))
    if ctx.name in recs and ctx.name not in analyses and ctx.rec.fs < 4000.0:
        st.info("This view measures motor-unit potentials of a needle recording. To see it work, pick "
                "**Source → Needle examples** in the sidebar (healthy, myopathy, neuropathy), or upload a needle "
                "recording sampled at 4 kHz or more.")
    if not analyses:
        return
    band = Settings.from_preset("needle")
    notes = dict.fromkeys(md(n[:1].upper() + n[1:]) for a in analyses.values() for n in a[3].notes[:1])
    st.caption(f"MUP analysis on the raw samples with the needle filter: band-pass {band.low_hz:g}–{band.high_hz:g} Hz "
               f"(Butterworth order {band.order}, zero-phase; the low-pass is clipped to 0.95·fs/2 when fs < 20 kHz), "
               "no notch, no rectification or envelope. " + ". ".join(notes) + ("." if notes else ""))
    tabs = st.tabs(["MUP templates", "MUP table vs reference", "Side by side", "Interference pattern"])
    rejected = _templates_tab(tabs[0], analyses, digests)
    _table_tab(tabs[1], analyses, rejected, ctx)
    _side_tab(tabs[2], analyses, rejected)
    _ip_tab(tabs[3], analyses)


def _templates_tab(tab, analyses, digests) -> dict:
    rejected = {}
    with tab:
        for name, (key, rec, channel, res) in analyses.items():
            ids = [int(m) for m in res.table["MUP"]]
            wkey = f"needle_reject_{key}"
            if wkey not in st.session_state:  # back in the view: the rejections made before
                st.session_state[wkey] = [i for i in rejected_mups(digests[name], channel) if i in ids]
            rejected[name] = st.multiselect(f"Reject MUPs of {name}", ids, key=wkey,
                                            help="Rejected MUPs are left out of the table, the summary, "
                                                 "the exports and the overlay, here and in the Summary "
                                                 "and its report.")
            _remember_rejected(digests[name], channel, rejected[name])
            fig = mup_grid_figure(res, rejected=rejected[name], title=f"{name} · {channel}")
            st.plotly_chart(plain_figure(fig), key=f"needle_grid_{key}", width="stretch")
        st.caption("Grey: superimposed discharges; dark: template (median of the accepted discharges); "
                   "green/red dotted: onset and end of the duration; orange: satellites (time-locked late "
                   "components, reported apart from the duration).")
    return rejected


def _kept(res, rejected) -> pd.DataFrame:
    return res.table[~res.table["MUP"].isin(rejected)].reset_index(drop=True)


def _table_tab(tab, analyses, rejected, ctx) -> None:
    with tab:
        tables = []
        for name, (key, rec, channel, res) in analyses.items():
            st.markdown(f"**{md(name)}**")
            facts = [f"{label}: {md(rec.meta[k])}" for k, label in _FACTS if rec.meta.get(k) not in (None, "")]
            if facts:
                st.caption(" · ".join(facts))
            muscle = rec.meta.get("muscle")
            c1, c2 = st.columns(2)
            opts = list(MUSCLES)
            # a muscle or age the file does not give is asked for, never assumed (the Summary does the same)
            muscle = c1.selectbox("Muscle", opts, index=opts.index(muscle) if muscle in opts else None,
                                  placeholder="Pick it to compare with reference values…", key=f"needle_muscle_{key}")
            age_meta = rec.meta.get("age")
            age = c2.number_input("Age (years)", 1, 110, int(age_meta) if age_meta else None, key=f"needle_age_{key}",
                                  placeholder="not in the file")
            table = _kept(res, rejected.get(name, []))
            if muscle is None:
                st.info(md(f"{name}: the file does not name the muscle; pick it above to compare the MUPs with "
                           "reference values."))
                st.dataframe(table.round(2), hide_index=True, key=f"needle_table_{key}")
                tables.append(table.assign(recording=name))
                continue
            summary = needle_summary(rec, muscle=muscle, age=age, table=table)
            (st.success if summary.pattern == "within reference values" else st.warning)(md(summary.statements[0]))
            for line in summary.statements[1:]:
                st.markdown(f"- {md(line)}")
            st.dataframe(summary.comparison().round(1), hide_index=True, key=f"needle_cmp_{key}")
            st.dataframe(table.round(2), hide_index=True, key=f"needle_table_{key}")
            st.caption(f"Reference: {md(summary.reference['source'])} — {md(summary.reference['status'])}")
            tables.append(table.assign(recording=name))
        both = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
        csv = table_csv(both, settings=Settings.from_preset("needle"), source_name=", ".join(analyses),
                        what="MUP tables", extra={"rejected MUPs": {k: list(v) for k, v in rejected.items() if v}})
        st.download_button("Download the MUP tables (CSV)", csv, file_name="mup_tables.csv", mime="text/csv",
                           key="needle_csv")


def _side_tab(tab, analyses, rejected) -> None:
    with tab:
        c1, c2, c3 = st.columns(3)
        sweep = c1.select_slider("Sweep (ms/div)", SWEEPS_MS, value=10, key="needle_sweep")
        gain = c2.select_slider("Gain (µV/div)", GAINS_UV, value=200, key="needle_gain")
        longest = max(r.duration_s for _, r, _, _ in analyses.values())
        start = c3.number_input("Start (s)", 0.0, float(longest), 1.0, step=sweep / 100.0, key="needle_start")
        traces = {n: _filtered_uv(k, ch, r) for n, (k, r, ch, _) in analyses.items()}
        fs = {n: r.fs for n, (_, r, _, _) in analyses.items()}
        st.plotly_chart(plain_figure(side_by_side_figure(traces, fs, start_s=start, sweep_ms_per_div=sweep, gain_uv_per_div=gain)),
                        key="needle_side", width="stretch")
        st.plotly_chart(plain_figure(templates_overlay_figure({n: a[3] for n, a in analyses.items()}, rejected=rejected)),
                        key="needle_overlay", width="stretch")


def _ip_tab(tab, analyses) -> None:
    with tab:
        ips = {n: _ip(k, ch, r) for n, (k, r, ch, _) in analyses.items()}
        healthy = samples.NEEDLE_SAMPLES[0]
        ref_rec = _example(healthy)
        cloud = _ip(healthy, ref_rec.ch_names[0], ref_rec)
        rows, band = [], None
        for name, ip in ips.items():
            pct, band = outside_cloud(ip, cloud)
            rows.append({"recording": name, "epochs": len(ip), "median turns/s": ip["Turns/s"].median(),
                         "median amplitude (µV)": ip["Mean amplitude (µV)"].median(), "% outside the cloud": pct})
        st.plotly_chart(plain_figure(interference_figure(ips, band=band, cloud_label="cloud: healthy example (TA)")),
                        key="needle_ip", width="stretch")
        st.dataframe(pd.DataFrame(rows).round(1), hide_index=True, key="needle_ip_table")
        st.caption("Turns ≥ 100 µV (Willison 1964) per 0.5 s epoch against the mean amplitude between turns "
                   "(Stålberg et al. 1983). No published cloud is bundled: the band is the central 95 % of the "
                   "healthy example's epochs (tibialis anterior, 44 y), which is one subject, not a reference "
                   "population.")
