"""The needle part of the HTML report: the per-muscle MUP table against reference values, with citations."""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from .recording import Recording
from .settings import Settings

__all__ = ["is_needle_recording", "mup_tables", "needle_report_section", "MUSCLE_MUP_FORMATS", "MUP_METHOD", "SHOWN_COLUMNS"]

#: printf formats of the per-muscle MUP table's numbers (the Summary view and the report use them).
MUSCLE_MUP_FORMATS = {"Age (years)": "%.0f", "MUPs": "%d", "Mean duration (ms)": "%.1f",
                      "Mean amplitude (µV)": "%.0f", "Polyphasic (%)": "%.0f", "Reference duration (ms)": "%.2f",
                      "Duration deviation (%)": "%+.0f", "Reference amplitude (µV)": "%.0f",
                      "Amplitude upper limit (µV)": "%.0f", "Polyphasic limit (%)": "%.0f"}
#: How the MUPs were found (stated in the report, the Summary view and the CSV provenance).
MUP_METHOD = ("emgviz.muap_table on the raw samples (needle band 10 Hz – 10 kHz, low-pass clipped to 0.95·fs/2 "
              "below 20 kHz)")
#: Columns the report and the Summary show as the table; the statements and citations follow it as text.
SHOWN_COLUMNS = ["channel", "Muscle", "Age (years)", "MUPs", "Mean duration (ms)", "Mean amplitude (µV)",
                 "Polyphasic (%)", "Reference duration (ms)", "Duration deviation (%)", "Reference amplitude (µV)",
                 "Amplitude upper limit (µV)", "Polyphasic limit (%)", "Pattern"]


def is_needle_recording(rec: Recording, settings: Settings | None = None) -> bool:
    """Whether to analyse MUPs: the file says needle/concentric (:func:`emgviz.quality.is_needle`) or the
    settings are the needle preset (also as lowered for the sampling rate), and fs ≥ 4 kHz."""
    from .export import preset_text
    from .needle.muscles import MIN_NEEDLE_FS
    from .quality import is_needle

    if rec.fs < MIN_NEEDLE_FS:
        return False
    return is_needle(rec) or (settings is not None and preset_text(settings).split(",")[0] == "needle")


def mup_tables(rec: Recording, channels=None) -> dict[str, pd.DataFrame]:
    """``{channel: muap_table(rec, channel)}`` for the needle channels (default every EMG channel).

    A channel whose analysis fails (e.g. a unit that is not volts) is left out; the per-muscle table
    then states why (:func:`emgviz.needle.muscle_mup_table` analyses it again and keeps the reason).
    """
    from .needle import muap_table
    from .needle.muscles import needle_channels

    out = {}
    for ch in needle_channels(rec) if channels is None else channels:
        try:
            out[ch] = muap_table(rec, ch)
        except ValueError:
            continue
    return out


def needle_report_section(rec: Recording, settings: Settings, *, tables: Mapping[str, pd.DataFrame] | None,
                          file_name: str, sha256: str, muscles: Mapping[str, str] | None = None) -> str:
    """The report's ``<section id="mups">``: per-muscle table, statements, citations, per-MUP tables, CSV.

    Parameters
    ----------
    rec : Recording
        The raw needle recording.
    settings : Settings
        The settings stated in the CSV's provenance (the MUP analysis applies its own needle band).
    tables : mapping or None
        ``{channel: MUP table}`` already computed (the app's cache); None analyses every needle channel.
    file_name, sha256 : str
        The input file, for the CSV's provenance.
    muscles : mapping, optional
        ``{channel: muscle}`` where the channel name and the file's header do not say it.
    """
    from .export import safe_stem, table_csv
    from .needle.muscles import muscle_mup_table
    from .report import _csv_link, _e, _html_table, _section

    tables = mup_tables(rec) if tables is None else dict(tables)
    per_muscle = muscle_mup_table(rec, channels=list(tables) or None, tables=tables, muscle=dict(muscles or {}))
    csv_text = table_csv(per_muscle, settings=settings, source_name=file_name, sha256=sha256,
                         what="MUP table per muscle", units="µV and ms as in the column names",
                         extra={"MUP analysis": MUP_METHOD})
    body = [f"<p>Motor-unit potentials (MUPs) found per channel by {_e(MUP_METHOD)}; means over "
            "the MUPs of each muscle, compared with the reference row named below. Amplitude is peak-to-peak; "
            "duration from the first departure from baseline to the final return; polyphasic = 5 or more "
            "phases. The patterns are statements of measurement, not a diagnosis.</p>",
            _html_table(per_muscle[SHOWN_COLUMNS], MUSCLE_MUP_FORMATS, table_id="mup-muscle-table"),
            '<ul id="mup-statements">']
    for _, row in per_muscle.iterrows():
        findings = [f for f in str(row["Findings"]).split("; ") if f]
        body.append(f"<li><b>{_e(row['channel'])}</b>: {_e(row['Statement'])}"
                    + ("<ul>" + "".join(f"<li>{_e(f)}</li>" for f in findings) + "</ul>" if findings else "")
                    + "</li>")
    body.append("</ul>")
    refs = per_muscle[per_muscle["Reference"].astype(str) != ""]
    if len(refs):
        body.append('<p>Reference values:</p><ul id="mup-references">'
                    + "".join(f"<li>{_e(r['channel'])}: {_e(r['Reference'])} — {_e(r['Reference status'])}</li>"
                              for _, r in refs.iterrows()) + "</ul>")
    for ch, t in tables.items():
        cols = [c for c in t.columns if c not in ("channel", "Onset (ms)", "End (ms)")]
        fmts = {c: "%.1f" for c in cols} | {"MUP": "%d", "Phases": "%d", "Turns": "%d", "Discharges": "%d",
                                             "Satellites": "%d", "Averaged": "%d", "Amplitude (µV)": "%.0f",
                                             "Area (µV·ms)": "%.0f", "Size index": "%.2f"}
        body.append(f"<details><summary>The {len(t)} MUPs of {_e(ch)}</summary>"
                    + _html_table(t[cols], fmts, table_id=f"mups-{safe_stem(ch)}") + "</details>")
    link = _csv_link(csv_text, f"{safe_stem(file_name)}_mup_muscles.csv", "Download the per-muscle MUP table (CSV)")
    body.append(f"<p>{link}</p>"
                f'<details><summary>Per-muscle MUP table CSV</summary><pre id="mup-csv">{_e(csv_text)}</pre></details>')
    return _section("mups", "Motor-unit potentials per muscle (needle EMG)", "\n".join(body))
