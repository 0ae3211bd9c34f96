"""Summary of a needle recording: the per-muscle MUP table against reference values, with its CSV."""

from __future__ import annotations

import re

import streamlit as st

from ..export import table_csv
from ..needle import MUSCLES
from ..needle.muscles import muscle_mup_table, muscle_of, needle_channels
from ..report_needle import MUP_METHOD, MUSCLE_MUP_FORMATS, SHOWN_COLUMNS, is_needle_recording
from .context import ViewContext
from .needle import mup_analysis_cached, rejected_mups
from .text import md

__all__ = ["render_mups"]


def _muscle_pickers(rec, channels) -> dict:
    """``{channel: muscle}`` the user picked for channels whose muscle neither the name nor the file gives."""
    unknown = [ch for ch in channels if muscle_of(rec, ch) is None]
    if not unknown:
        return {}
    picked = {}
    cols = st.columns(min(len(unknown), 3))
    for i, ch in enumerate(unknown):
        m = cols[i % len(cols)].selectbox(f"Muscle of {md(ch)}", list(MUSCLES), index=None,
                                          placeholder="Pick it to compare with reference values…",
                                          key=f"summary_mup_muscle_{ch}")
        if m:
            picked[ch] = m
    return picked


def render_mups(ctx: ViewContext, base: str) -> tuple[dict, dict] | None:
    """Draw the per-muscle MUP table of a needle recording; return ``({channel: MUP table}, {channel:
    muscle picked here})`` for the report.

    Nothing is drawn (None returned) for a recording that is not a needle recording at fs ≥ 4 kHz
    (:func:`emgviz.report_needle.is_needle_recording`). A channel whose muscle neither its name nor the
    file's header gives gets a muscle picker.
    """
    rec = ctx.rec
    if not is_needle_recording(rec, ctx.settings):
        return None
    st.markdown("##### Motor-unit potentials per muscle (needle EMG)")
    tables, problems, rejected = {}, [], {}
    for ch in needle_channels(rec):
        try:
            found = mup_analysis_cached(ctx.key, ch, rec).table
        except ValueError as exc:
            problems.append(f"{ch}: {exc}")
            continue
        gone = [i for i in rejected_mups(ctx.digest, ch) if i in set(found["MUP"].astype(int))]
        if gone:  # the clinician rejected these in the Needle view: left out here, in the CSV and the report
            rejected[ch] = gone
        tables[ch] = found[~found["MUP"].isin(gone)].reset_index(drop=True)
    for p in problems:
        st.error(md(p))
    if rejected:
        st.caption(md("Left out, as rejected in the Needle view: "
                      + "; ".join(f"{ch} MUP {', '.join(map(str, ids))}" for ch, ids in rejected.items()) + "."))
    muscles = _muscle_pickers(rec, list(tables))
    table = muscle_mup_table(rec, channels=list(tables), tables=tables, muscle=muscles) if tables else None
    if table is None or not len(table):
        return tables, muscles
    for _, row in table.iterrows():
        say = st.success if row["Pattern"] == "within reference values" else st.warning
        say(md(f"{row['channel']}: {row['Statement']}"))
        findings = [f for f in str(row["Findings"]).split("; ") if f]
        if findings:
            st.markdown("\n".join(f"- {md(line)}" for line in findings))
    # rounded here as Python rounds (the statements, the report): the browser's "%.0f" shows 62.5 as 63
    shown = table[SHOWN_COLUMNS].copy()
    for col, fmt in MUSCLE_MUP_FORMATS.items():
        digits = re.search(r"\.(\d)f", fmt)
        if col in shown and digits:
            n = int(digits.group(1))
            shown[col] = [v if v != v else round(float(v), n) for v in shown[col].astype(float)]  # NaN stays
    st.dataframe(shown, hide_index=True, width="stretch", key="summary_mup_table",
                 column_config={c: st.column_config.NumberColumn(c, format=f) for c, f in MUSCLE_MUP_FORMATS.items()})
    refs = table[table["Reference"].astype(str) != ""]
    cites = " · ".join(dict.fromkeys(f"{r['Reference']} ({r['Reference status']})" for _, r in refs.iterrows()))
    st.caption(f"MUPs found by {MUP_METHOD}. Amplitude peak-to-peak in µV; duration in ms from the first departure "
               "from baseline to the final return; polyphasic = ≥ 5 phases. Statements of measurement, not a "
               "diagnosis. Each MUP, and the choice of muscle and age, are in the Needle view."
               + (f" Reference: {md(cites)}" if cites else ""))
    st.download_button("MUP table per muscle (CSV)", key="summary_dl_mups", mime="text/csv", on_click="ignore",
                       file_name=f"{base}_mup_muscles.csv",
                       data=table_csv(table, settings=ctx.settings, sources=[ctx.source], what="MUP table per muscle",
                                      units="µV and ms as in the column names",
                                      extra={"MUP analysis": MUP_METHOD,
                                             **({"rejected MUPs": rejected} if rejected else {})}))
    return tables, muscles
