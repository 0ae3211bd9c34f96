"""One self-contained HTML report per recording: muscles, quality, bursts, figures, settings, a snippet."""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import html
import json
import math
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .export import figure_html, library_versions, preset_text, safe_stem, table_csv
from .plotting.summary import (display_table, display_unit, envelope_overview, feature_bars, feature_heatmap,
                               quality_badges)
from .recording import Recording
from .settings import Settings

__all__ = ["report_html", "write_report", "reproduce_snippet", "standouts", "bursts_for_display",
           "heatmap_window_s"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:16px;line-height:1.45;
max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.8em}h2{font-size:1.35em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:15px}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f3f3f3}td.text,th.text{text-align:left}
pre{background:#f7f7f7;border:1px solid #ddd;padding:.8em;overflow-x:auto;font-size:14px}
.poor{background:#fde8e8}.check{background:#fff6dc}.note{color:#555}
"""
_BURST_METHOD = "threshold"   # the detector the app's Summary shows


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _cell(value, fmt: str | None) -> tuple[str, bool]:
    """Formatted cell text and whether it is text (left-aligned)."""
    if isinstance(value, (bool, np.bool_)):
        return ("yes" if value else "no"), True
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        v = float(value)
        if not math.isfinite(v):
            return "–", False
        return (fmt % v if fmt else f"{v:.4g}"), False
    return str(value), True


def _html_table(df: pd.DataFrame, formats: Mapping[str, str] | None = None, *, table_id: str = "",
                row_class: Sequence[str] | None = None) -> str:
    formats = formats or {}
    ident = f' id="{_e(table_id)}"' if table_id else ""
    text_cls = ' class="text"'
    head = "".join(f"<th{'' if pd.api.types.is_numeric_dtype(df[c]) else text_cls}>{_e(c)}</th>"
                   for c in df.columns)
    rows = []
    for i, (_, row) in enumerate(df.iterrows()):
        cls = f' class="{_e(row_class[i])}"' if row_class is not None and row_class[i] else ""
        cells = []
        for c in df.columns:
            text, is_text = _cell(row[c], formats.get(c))
            cells.append(f"<td{text_cls if is_text else ''}>{_e(text)}</td>")
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _kv_table(pairs: Sequence[tuple[str, str]], table_id: str = "") -> str:
    ident = f' id="{_e(table_id)}"' if table_id else ""
    rows = "".join(f'<tr><th class="text">{_e(k)}</th><td class="text">{_e(v)}</td></tr>' for k, v in pairs)
    return f"<table{ident}><tbody>{rows}</tbody></table>"


def heatmap_window_s(duration_s: float) -> float:
    """A window length (s) that gives a readable heatmap: 1 s, shorter for short recordings."""
    return float(min(1.0, max(0.05, duration_s / 8.0)))


def bursts_for_display(bursts: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The burst table with units in the headers (``peak (V)``, ``area (V·s)``) for display/export."""
    return bursts.rename(columns={"peak": f"peak ({unit})", "area": f"area ({unit}·s)"})


def standouts(table: pd.DataFrame, quality: pd.DataFrame | None = None, *, feature_column: str | None = None,
              ratio: float = 2.0) -> list[str]:
    """Plain sentences on what stands out per muscle: poor or doubtful signals, unusual amplitudes.

    A muscle stands out when its ``feature_column`` (default the RMS column) is at least
    ``ratio`` times above, or ``1/ratio`` below, the median of the muscles whose signal is
    not graded poor. Poor channels are reported for their quality, never compared.

    Parameters
    ----------
    table : DataFrame
        :func:`emgviz.feature_table` output.
    quality : DataFrame, optional
        :func:`emgviz.signal_quality` output.
    feature_column : str, optional
        Default: the first column starting with ``"RMS"``.
    ratio : float, default=2.0

    Returns
    -------
    list of str
    """
    out: list[str] = []
    grades: dict[str, tuple[str, str]] = {}
    if quality is not None and len(quality):
        for _, r in quality_badges(quality).iterrows():
            grades[r["channel"]] = (r["grade"], r["reason"])
            if r["grade"] in ("poor", "check"):
                verb = "is poor" if r["grade"] == "poor" else "needs a check"
                out.append(f"{r['channel']}: signal quality {verb} ({r['reason']}).")
    if feature_column is None:
        feature_column = next((c for c in table.columns if str(c).startswith("RMS")), None)
    if feature_column is None or feature_column not in table.columns or len(table) < 3:
        return out
    label, factor, fmt = display_unit(feature_column)
    channels = table["channel"].astype(str).to_numpy()
    values = table[feature_column].to_numpy(dtype=float)
    usable = np.array([grades.get(c, ("", ""))[0] != "poor" for c in channels]) & np.isfinite(values)
    if usable.sum() < 3:
        return out
    med = float(np.median(values[usable]))
    if med <= 0:
        return out
    name = label.rsplit(" (", 1)[0]
    for ch, v, ok in zip(channels, values, usable):
        if not ok:
            continue
        if v >= ratio * med or v <= med / ratio:
            word = "above" if v > med else "below"
            out.append(f"{ch}: {name} {fmt % (v * factor)} is {v / med:.2g}× the median of the usable "
                       f"muscles ({fmt % (med * factor)}), {word} the others.")
    return out


def reproduce_snippet(file_name: str, settings: Settings, *, channels: Sequence[str] | None = None,
                      read_kwargs: Mapping[str, object] | None = None) -> str:
    """Python that recomputes the feature table with emgviz, printed as CSV.

    Parameters
    ----------
    file_name : str
        The input file, as the snippet opens it (run the snippet in the file's folder).
    settings : Settings
        The processing settings (written as a dict literal).
    channels : sequence of str, optional
        Channels to keep (``rec.pick``); None keeps all.
    read_kwargs : mapping, optional
        Extra ``read_file`` arguments (``fs=1000``, ...).

    Returns
    -------
    str
    """
    args = [repr(str(file_name))] + [f"{k}={v!r}" for k, v in (read_kwargs or {}).items()]
    lines = ["import emgviz",
             "from emgviz.features import feature_table",
             "from emgviz.pipeline import preprocess",
             "from emgviz.units import recording_display_unit, to_display_units",
             "",
             f"rec = emgviz.read_file({', '.join(args)})",
             "unit = recording_display_unit(rec)  # the app's unit rule: µV, or mV for large signals"]
    if channels is not None:
        lines.append(f"rec = rec.pick({list(map(str, channels))!r})")
    lines += [f"settings = emgviz.Settings.from_dict({settings.to_dict()!r})",
              "out = preprocess(rec, settings)",
              "print(to_display_units(feature_table(out.filtered), unit).to_csv(index=False))"]
    return "\n".join(lines) + "\n"


def _section(ident: str, title: str, body: str) -> str:
    return f'<section id="{ident}"><h2>{_e(title)}</h2>\n{body}\n</section>'


def _fig_div(fig) -> str:
    return f'<div class="figure">{figure_html(fig, include_plotlyjs=False, full_html=False)}</div>'


def _csv_link(text: str, file_name: str, label: str) -> str:
    b64 = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (f'<a download="{_e(file_name)}" href="data:text/csv;charset=utf-8;base64,{b64}">'
            f"{_e(label)}</a>")


def report_html(rec: Recording, settings: Settings, *, file_name: str, sha256: str,
                mvc: pd.Series | None = None, mvc_source: str = "", file_channels: Sequence[str] | None = None,
                read_kwargs: Mapping[str, object] | None = None, needle: bool | None = None,
                mup_tables: Mapping[str, pd.DataFrame] | None = None,
                needle_muscles: Mapping[str, str] | None = None) -> str:
    """A single offline HTML page summarising ``rec`` muscle by muscle, reproducible.

    Holds: the input file name and SHA-256, the versions of emgviz, numpy, scipy, pandas and
    plotly, the settings (``describe()``, JSON and the preset they equal), what stands out, the quality table,
    the per-muscle feature table (display units, plus the full-precision CSV), the bursts,
    figures (feature bars, a muscles × windows heatmap, envelopes; plotly.js inlined once),
    a Python snippet that recomputes the feature table, and for a needle recording the per-muscle MUP
    table against reference values (with citations and each muscle's MUPs). Every text from the file
    (channel names, file name) is HTML-escaped.

    Parameters
    ----------
    rec : Recording
        The raw recording (the channels to report, usually the EMG ones).
    settings : Settings
        Processing settings (as requested; the effective ones and warnings are listed).
    file_name : str
        The input file's name, shown and used in the snippet.
    sha256 : str
        SHA-256 hex of the input file's bytes.
    mvc : Series, optional
        %MVC reference per channel (index = channel, in ``rec.unit``), from
        :func:`emgviz.mvc_reference` or :func:`emgviz.mvc_from_recording`; adds a %MVC table.
    mvc_source : str, default=""
        Where the reference came from, e.g. ``"segment 2–5 s"`` or the MVC file name.
    file_channels : sequence of str, optional
        All channels of the file; when they differ from ``rec.ch_names`` the snippet picks
        ``rec``'s channels. None: the snippet always picks them.
    read_kwargs : mapping, optional
        Extra arguments the snippet passes to ``read_file`` (``fs=...``, ``unit="V"``): the
        reader options the recording was read with, so the snippet reads it the same way.
    needle : bool, optional
        Add the per-muscle MUP table of a needle recording (:mod:`emgviz.report_needle`); default:
        when the file says needle/concentric or ``settings`` are the needle preset, and fs ≥ 4 kHz.
    mup_tables : mapping, optional
        ``{channel: emgviz.muap_table(rec, channel)}`` already computed (the app's cache); default:
        computed here for every EMG channel.
    needle_muscles : mapping, optional
        ``{channel: muscle}`` for channels whose name and file header do not say the muscle.

    Returns
    -------
    str
        The HTML document.
    """
    import plotly.offline

    from .features import feature_table, windowed_features
    from .burst_params import BURST_DEFAULTS
    from .onsets import detect_bursts
    from .pipeline import preprocess
    from .quality import signal_quality
    from .report_needle import is_needle_recording, needle_report_section

    out = preprocess(rec, settings)
    table = feature_table(out.filtered)
    quality = signal_quality(rec, mains_hz=settings.notch_hz)
    notes: list[str] = list(out.warnings)
    try:
        bursts = detect_bursts(out.filtered, method=_BURST_METHOD, **BURST_DEFAULTS.detector_options())
    except ValueError as exc:
        bursts = None
        notes.append(f"burst detection skipped: {exc}")
    win = heatmap_window_s(rec.duration_s)
    try:
        windowed = windowed_features(out.filtered, window_s=win, step_s=win / 2)
    except ValueError as exc:
        windowed = None
        notes.append(f"windowed features skipped: {exc}")

    versions = library_versions()
    csv_text = table_csv(table, settings=settings, source_name=file_name, sha256=sha256)
    stem = safe_stem(file_name)
    badges = quality_badges(quality)  # once; the functions below take it in place of the quality table
    shown, formats = display_table(table, badges)
    grade = dict(zip(badges["channel"], badges["grade"]))
    row_class = [grade.get(ch, "") if grade.get(ch, "") in ("poor", "check") else "" for ch in shown["channel"]]

    parts: list[str] = []
    parts.append(f"<h1>EMG summary: {_e(file_name)}</h1>")
    parts.append(f'<p class="note">Made with emgviz {_e(versions["emgviz"])} on '
                 f'{_e(_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))}. '
                 "This page works offline.</p>")
    parts.append(_section("input", "Input", _kv_table([
        ("file", file_name), ("SHA-256", sha256),
        ("channels", ", ".join(rec.ch_names)),
        ("sampling rate", f"{rec.fs:g} Hz"), ("duration", f"{rec.duration_s:.3f} s"),
        ("samples per channel", str(rec.n_samples)), ("unit", rec.unit),
    ], "input-table")))
    parts.append(_section("versions", "Versions", _kv_table(list(versions.items()), "versions-table")))
    eff = out.settings
    settings_body = (f"<p>{_e(settings.describe())}</p>"
                     f'<p>Preset: <span id="settings-preset">{_e(preset_text(settings))}</span></p>'
                     f'<pre id="settings-json">{_e(json.dumps(settings.to_dict(), indent=2, sort_keys=True))}</pre>')
    if eff != settings:
        settings_body += f"<p>Effective for this recording: {_e(eff.describe())}</p>"
    if notes:
        settings_body += "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"
    parts.append(_section("settings", "Processing settings", settings_body))
    found = standouts(table, badges)
    parts.append(_section("standouts", "What stands out",
                          ("<ul>" + "".join(f"<li>{_e(s)}</li>" for s in found) + "</ul>") if found else
                          "<p>No channel has poor quality and no muscle's RMS is 2× above or below the "
                          "median of the others.</p>"))
    qshow = badges[["channel", "label", "reason"]].rename(columns={"label": "quality"})
    parts.append(_section("quality", "Signal quality per channel", _html_table(qshow, table_id="quality-table")))
    feat_body = ("<p>Filtered signal, whole recording. Amplitudes shown in µV where the file is in volts; "
                 "the CSV keeps the SI values at full precision.</p>"
                 + _html_table(shown, formats, table_id="feature-table", row_class=row_class)
                 + f"<p>{_csv_link(csv_text, f'{stem}_features.csv', 'Download the feature table (CSV)')}</p>"
                 + f'<details><summary>Feature table CSV</summary><pre id="feature-csv">{_e(csv_text)}</pre>'
                 "</details>")
    parts.append(_section("features", "Features per muscle", feat_body))
    if needle if needle is not None else is_needle_recording(rec, settings):
        try:
            parts.append(needle_report_section(rec, settings, tables=mup_tables, file_name=file_name, sha256=sha256,
                                               muscles=needle_muscles))
        except ValueError as exc:
            parts.append(_section("mups", "Motor-unit potentials per muscle (needle EMG)",
                                  f"<p>The MUP analysis failed: {_e(exc)}</p>"))
    if mvc is not None:
        from .normalise import to_percent_mvc

        pct = to_percent_mvc(out.filtered, mvc)
        pct_table = feature_table(pct)
        pshow, pformats = display_table(pct_table)
        ref = pd.DataFrame({"channel": [str(c) for c in mvc.index], "reference": mvc.to_numpy(dtype=float)})
        ref_label, ref_factor, ref_fmt = display_unit(f"reference ({rec.unit})")
        ref = ref.assign(reference=ref["reference"] * ref_factor).rename(columns={"reference": ref_label})
        parts.append(_section("mvc", "Features in %MVC",
                              f"<p>Reference: {_e(mvc_source or 'given')}.</p>"
                              + _html_table(ref, {ref_label: ref_fmt}, table_id="mvc-reference")
                              + _html_table(pshow, pformats, table_id="mvc-table")))
    if bursts is not None:
        bshow, bformats = display_table(bursts_for_display(bursts, rec.unit))
        bformats.update({"onset_s": "%.3f", "offset_s": "%.3f", "duration_s": "%.3f"})
        body = (f"<p>{len(bursts)} burst(s), detector “{_e(_BURST_METHOD)}” on the filtered signal.</p>"
                + _html_table(bshow, bformats, table_id="bursts-table"))
        parts.append(_section("bursts", "Bursts", body))
    figs = []
    rms_col = next((c for c in table.columns if str(c).startswith("RMS")), None)
    for col in (rms_col, "MDF (Hz)"):
        if col in table.columns:
            figs.append(_fig_div(feature_bars(table, col, quality=badges)))
    if windowed is not None and len(windowed):
        wcol = next((c for c in windowed.columns if str(c).startswith("RMS")), None)
        if wcol:
            figs.append(_fig_div(feature_heatmap(windowed, wcol)))
        if "MDF (Hz)" in windowed.columns:
            figs.append(_fig_div(feature_heatmap(windowed, "MDF (Hz)",
                                                 title=f"Median frequency per window ({win:g} s): fatigue")))
    figs.append(_fig_div(envelope_overview(out.envelope, bursts=bursts)))
    parts.append(_section("figures", "Figures", "\n".join(figs)))
    picks = None if file_channels is not None and list(file_channels) == list(rec.ch_names) else rec.ch_names
    snippet = reproduce_snippet(file_name, settings, channels=picks, read_kwargs=read_kwargs)
    parts.append(_section("reproduce", "Reproduce the feature table",
                          "<p>Run this in the folder holding the file (emgviz "
                          f"{_e(versions['emgviz'])}):</p>"
                          f'<pre><code id="snippet">{_e(snippet)}</code></pre>'))
    plotly_js = plotly.offline.get_plotlyjs()
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>emgviz report: {_e(file_name)}</title>\n<style>{_CSS}</style>\n"
            f'<script type="text/javascript">{plotly_js}</script>\n</head>\n<body>\n'
            + "\n".join(parts) + "\n</body>\n</html>\n")


def write_report(path, out_path, *, settings: Settings | None = None) -> Path:
    """Read a recording file and write its HTML report.

    Parameters
    ----------
    path : str or PathLike
        The recording (for WFDB, the ``.hea``).
    out_path : str or PathLike
        The HTML file to write, or an existing folder (then ``<stem>_report.html`` in it).
    settings : Settings, optional
        Processing settings; default ``Settings()``.

    Returns
    -------
    Path
        Where the report was written.
    """
    from .io import read_file

    path = Path(path)
    settings = settings or Settings()
    full = read_file(path)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    rec = full.pick_kind("emg") if "emg" in full.ch_kinds else full
    out = Path(out_path)
    if out.is_dir():
        out = out / f"{path.stem}_report.html"
    text = report_html(rec, settings, file_name=path.name, sha256=sha, file_channels=full.ch_names)
    out.write_text(text, encoding="utf-8")
    return out
