"""Per-muscle summary figures: feature bars, muscles × windows heatmaps, quality badges, envelopes."""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .decimate import minmax_decimate
from ..units import DisplayUnit, column_display, display_unit as _rule
from .templates import lean_template

_DEFAULT_UNIT = _rule("V")  # surface-EMG size: µV

__all__ = ["feature_bars", "feature_bars_spec", "feature_heatmap", "quality_badges", "envelope_overview",
           "display_table", "display_unit", "split_unit", "GRADE_STYLE"]

#: How each quality grade is drawn: emoji, colour (hex), Streamlit badge colour.
GRADE_STYLE = {
    "good": ("✓", "#2ca02c", "green"),
    "check": ("⚠", "#e6a700", "orange"),
    "poor": ("✗", "#d62728", "red"),
}
_UNKNOWN_GRADE = ("?", "#7f7f7f", "gray")

_FONT = dict(size=15)
_BAR_COLOUR = "#1f77b4"
_POOR_COLOUR = "#bdbdbd"
_BADGE_COLUMNS = ["channel", "grade", "emoji", "colour", "badge_colour", "label", "reason"]
_UNIT_RE = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)\s*$")


def split_unit(column: str) -> tuple[str, str]:
    """Split ``"RMS (V)"`` into ``("RMS", "V")``; a column without a unit gives ``(column, "")``."""
    m = _UNIT_RE.match(str(column))
    if not m:
        return str(column), ""
    return m.group("name"), m.group("unit").strip()


def display_unit(column: str, unit: DisplayUnit | None = None) -> tuple[str, float, str]:
    """The column name, scale factor and number format to show ``column`` to people.

    Amplitude columns follow the one display-unit rule (:mod:`emgviz.units`): with
    ``unit`` the recording's display unit, else µV (``"RMS (V)"`` → ``("RMS (µV)", 1e6,
    "%.1f")``); frequencies, percentages and µV get one decimal; mV three; unit-less
    numbers keep three significant digits.

    Returns
    -------
    label : str
        The column header with the display unit.
    factor : float
        Multiply the stored values by this.
    fmt : str
        A printf-style format for the scaled values.
    """
    label, factor = column_display(column, unit or _DEFAULT_UNIT)
    shown = split_unit(label)[1]
    if shown.startswith("mV"):
        return label, factor, "%.3f"
    if shown.startswith("µV") or shown in ("Hz", "%MVC", "%", "ms", "N", "Hz/s", "%/min"):
        return label, factor, "%.1f"
    if shown in ("s",):
        return label, factor, "%.3f"
    if shown in ("count", "n", "#"):
        return label, factor, "%d"
    return label, factor, "%.3g"


def _feature_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c != "channel" and pd.api.types.is_numeric_dtype(table[c])]


def display_table(table: pd.DataFrame, quality: pd.DataFrame | None = None, *,
                  unit: DisplayUnit | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """The per-muscle table scaled for people, plus a printf format per numeric column.

    Parameters
    ----------
    table : DataFrame
        A :func:`emgviz.feature_table` result: a ``channel`` column and unit-named feature
        columns (``"RMS (V)"``, ``"MDF (Hz)"``, ...).
    quality : DataFrame, optional
        A :func:`emgviz.signal_quality` result (``channel``, ``grade``, ``reason``); adds a
        ``quality`` column (``"✗ poor"``) after ``channel``.
    unit : DisplayUnit, optional
        The recording's display unit (``ctx.display``); µV when not given.

    Returns
    -------
    shown : DataFrame
        Numeric columns scaled (V → µV) and renamed with their display unit; still numbers,
        so a table widget sorts them correctly.
    formats : dict
        Display column name → printf format (``"%.1f"``).
    """
    shown = pd.DataFrame({"channel": table["channel"].astype(str).to_numpy()})
    if quality is not None and len(quality):
        badges = quality_badges(quality).set_index("channel")
        shown["quality"] = [badges["label"].get(ch, "") for ch in shown["channel"]]
    formats = {}
    for col in table.columns:
        if col == "channel":
            continue
        if pd.api.types.is_numeric_dtype(table[col]):
            label, factor, fmt = display_unit(col, unit)
            shown[label] = table[col].to_numpy(dtype=float) * factor
            formats[label] = fmt
        else:
            shown[str(col)] = table[col].to_numpy()
    return shown, formats


def quality_badges(quality: pd.DataFrame) -> pd.DataFrame:
    """Badge data per channel: emoji, colour and the reason (for a hover or help text).

    Parameters
    ----------
    quality : DataFrame
        Per-channel quality with columns ``channel``, ``grade`` (``"good"``, ``"check"``,
        ``"poor"``) and ``reason``.

    Returns
    -------
    DataFrame
        Columns ``channel``, ``grade``, ``emoji``, ``colour`` (hex), ``badge_colour``
        (a Streamlit badge colour), ``label`` (``"✓ good"``) and ``reason`` (never empty).
        Given such a table, returns it as it is, so the functions that take ``quality``
        (:func:`display_table`, :func:`feature_bars`) also take the badges computed once.

    Examples
    --------
    >>> q = pd.DataFrame({"channel": ["biceps"], "grade": ["poor"], "reason": ["flat line"]})
    >>> quality_badges(q)[["channel", "label"]].to_dict("records")
    [{'channel': 'biceps', 'label': '✗ poor'}]
    """
    if list(quality.columns) == _BADGE_COLUMNS:
        return quality  # already badges: compute them once and pass them around
    missing = {"channel", "grade"} - set(quality.columns)
    if missing:
        raise ValueError(f"quality needs the columns channel and grade; missing {sorted(missing)}")
    rows = []
    for _, row in quality.iterrows():
        grade = str(row["grade"]).strip().lower()
        emoji, colour, badge = GRADE_STYLE.get(grade, _UNKNOWN_GRADE)
        reason = str(row["reason"]) if "reason" in quality.columns and pd.notna(row["reason"]) else ""
        rows.append({"channel": str(row["channel"]), "grade": grade, "emoji": emoji, "colour": colour,
                     "badge_colour": badge, "label": f"{emoji} {grade}",
                     "reason": reason.strip() or ("no problem found" if grade == "good" else grade)})
    return pd.DataFrame(rows, columns=_BADGE_COLUMNS)


def feature_bars(table: pd.DataFrame, feature_column: str, *, quality: pd.DataFrame | None = None,
                 title: str | None = None, unit: DisplayUnit | None = None) -> go.Figure:
    """Bars of one feature across muscles, poor-quality channels greyed, hatched and labelled.

    The dashed reference line is the median over the channels that are not graded
    ``"poor"``: a broken electrode never shifts what "normal" looks like. Poor channels
    keep their bar (so nothing silently disappears) but are drawn grey with a hatch and
    the text "poor: <reason>".

    Parameters
    ----------
    table : DataFrame
        Per-muscle features: a ``channel`` column and ``feature_column``.
    feature_column : str
        The column to draw, e.g. ``"RMS (V)"`` (shown in µV) or ``"MDF (Hz)"``.
    quality : DataFrame, optional
        :func:`emgviz.signal_quality` output (``channel``, ``grade``, ``reason``).
    title : str, optional
        Figure title; defaults to the feature name.

    Returns
    -------
    plotly.graph_objects.Figure
        The figure of :func:`feature_bars_spec`.
    """
    return go.Figure(feature_bars_spec(table, feature_column, quality=quality, title=title, unit=unit))


def feature_bars_spec(table: pd.DataFrame, feature_column: str, *, quality: pd.DataFrame | None = None,
                      title: str | None = None, unit: DisplayUnit | None = None) -> dict:
    """:func:`feature_bars` as a plain figure dict (``{"data": [...], "layout": {...}}``), without
    plotly's graph objects.

    What a chart that takes figure JSON (the app's mounted Plotly component) needs: building
    the ``go.Figure`` validates every property against Plotly's schema, 30–50 ms on each filter
    change for 8 bars; this dict is the same figure (``go.Figure(spec)`` gives it back unchanged)
    in well under a millisecond. The template is shared between calls: do not modify it.
    Parameters and the drawing as :func:`feature_bars`.
    """
    if feature_column not in table.columns:
        raise KeyError(f"no column {feature_column!r}; feature columns are {_feature_columns(table)}")
    label, factor, fmt = display_unit(feature_column, unit)
    channels = table["channel"].astype(str).tolist()
    values = table[feature_column].to_numpy(dtype=float) * factor
    grades = {ch: ("", "") for ch in channels}
    if quality is not None and len(quality):
        for _, r in quality_badges(quality).iterrows():
            grades[r["channel"]] = (r["grade"], r["reason"])
    poor = np.array([grades.get(ch, ("", ""))[0] == "poor" for ch in channels], dtype=bool)
    colours = [_POOR_COLOUR if p else _BAR_COLOUR for p in poor]
    patterns = ["/" if p else "" for p in poor]
    py_fmt = fmt.replace("%", ":").replace(":d", ":.0f")
    texts = []
    for ch, v, p in zip(channels, values, poor):
        shown = "–" if not np.isfinite(v) else ("{" + py_fmt + "}").format(v)
        texts.append(f"poor: {grades[ch][1]}" if p else shown)
    hover = [f"{ch}<br>{label}: {t}" + (f"<br>quality: {grades[ch][0]} ({grades[ch][1]})" if grades[ch][0] else "")
             for ch, t in zip(channels, [("{" + py_fmt + "}").format(v) if np.isfinite(v) else "–" for v in values])]
    bar = {"hoverinfo": "text", "hovertext": hover,
           "marker": {"color": colours, "line": {"color": ["#555555" if p else _BAR_COLOUR for p in poor], "width": 1},
                      "pattern": {"fgcolor": "#555555", "shape": patterns}},
           "name": label, "showlegend": False, "text": texts, "textposition": "auto",
           "x": channels, "y": values, "type": "bar"}
    layout = {"title": {"font": {"size": 18}, "text": title or label}, "font": dict(_FONT),
              "margin": {"l": 70, "r": 30, "t": 60, "b": 80}, "uniformtext": {"minsize": 11, "mode": "hide"},
              "yaxis": {"title": {"text": label}}, "xaxis": {"title": {"text": "muscle / channel"}, "type": "category"},
              "bargap": 0.25, "height": 420, "template": _bar_template()}
    usable = values[~poor & np.isfinite(values)]
    if usable.size:
        ref = float(np.median(usable))
        n_excl = int(poor.sum())
        note = f"median of {usable.size} usable channel{'s' if usable.size != 1 else ''}"
        if n_excl:
            note += f" ({n_excl} poor excluded)"
        layout["shapes"] = [{"line": {"color": "#444444", "dash": "dash", "width": 1.5}, "type": "line",
                             "x0": 0, "x1": 1, "xref": "x domain", "y0": ref, "y1": ref, "yref": "y"}]
        shown = ("{" + py_fmt + "}").format(ref)
        # above the plot's top right corner: never over a bar or its value (a 1024 px screen put the note on
        # a bar's label when it sat on the line); "┄" ties it to the dashed line
        layout["annotations"] = [{"font": {"size": 13}, "showarrow": False, "text": f"┄ {note}: {shown}",
                                  "x": 1, "xanchor": "right", "xref": "x domain", "y": 1, "yanchor": "bottom",
                                  "yref": "y domain"}]
    return {"data": [bar], "layout": layout}


@functools.lru_cache(maxsize=1)
def _bar_template() -> dict:
    """The lean ``plotly_white`` template with the bar defaults, as a dict (computed once)."""
    return lean_template("plotly_white", ("bar",)).to_plotly_json()


def feature_heatmap(windowed: pd.DataFrame, feature_column: str, *, title: str | None = None,
                    unit: DisplayUnit | None = None) -> go.Figure:
    """Heatmap of one windowed feature: muscles (rows) × time windows (columns).

    Use RMS to see where each muscle works, MDF (median frequency) to see fatigue: a
    falling MDF along a row over sustained work.

    Parameters
    ----------
    windowed : DataFrame
        :func:`emgviz.windowed_features` output, tidy: ``channel``, ``t_start_s``,
        ``t_end_s`` and feature columns.
    feature_column : str
        The feature to colour by, e.g. ``"RMS (V)"`` (shown in µV) or ``"MDF (Hz)"``.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        x = window centre in s, y = channel (in table order), colour = feature.
    """
    needed = {"channel", "t_start_s", "t_end_s", feature_column}
    missing = needed - set(windowed.columns)
    if missing:
        raise KeyError(f"windowed table lacks {sorted(missing)}; columns are {list(windowed.columns)}")
    label, factor, fmt = display_unit(feature_column, unit)
    channels = list(dict.fromkeys(windowed["channel"].astype(str)))
    df = windowed.assign(channel=windowed["channel"].astype(str),
                         t_mid_s=(windowed["t_start_s"] + windowed["t_end_s"]) / 2.0)
    grid = df.pivot_table(index="channel", columns="t_mid_s", values=feature_column, aggfunc="mean", sort=True)
    grid = grid.reindex(channels)
    z = grid.to_numpy(dtype=float) * factor
    x = grid.columns.to_numpy(dtype=float)
    py_fmt = fmt.replace("%", "").replace("d", ".0f")
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=channels, colorscale="Viridis", colorbar=dict(title=dict(text=label)),
        hovertemplate="%{y}<br>t = %{x:.2f} s<br>" + label + ": %{z:" + py_fmt + "}<extra></extra>",
        hoverongaps=False))
    width = float(np.median(df["t_end_s"] - df["t_start_s"])) if len(df) else 0.0
    fig.update_layout(title=dict(text=title or f"{split_unit(feature_column)[0]} per window "
                                 f"({width:g} s windows)", font=dict(size=18)),
                      font=_FONT, xaxis_title="time (s, window centre)", yaxis_title="muscle / channel",
                      template="plotly_white", height=max(300, 90 + 38 * len(channels)),
                      margin=dict(l=110, r=30, t=60, b=60))
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def _set_shapes(fig: go.Figure, shapes: list[dict]) -> None:
    """``fig.update_layout(shapes=shapes)`` without plotly's validation of each shape: ``shapes`` are the
    rectangles built in :func:`envelope_overview`, already in plotly's own form (nested ``line``), so the
    figure is the same (its JSON equal to the validated one's); validating takes ~1 ms a shape, ~6 s
    for the 5 760 bursts of an hour of 16 channels."""
    layout = fig.layout
    layout._validate = False
    try:
        fig.update_layout(shapes=shapes)
    finally:
        layout._validate = True


def envelope_overview(envelope, *, bursts: pd.DataFrame | None = None, n_points: int = 2000,
                      title: str = "Envelopes", unit: DisplayUnit | None = None, channel=None) -> go.Figure:
    """One small panel per channel with its envelope (min–max decimated) and shaded bursts.

    Parameters
    ----------
    envelope : Recording
        The envelope (e.g. ``preprocess(...).envelope``, or a %MVC recording).
    bursts : DataFrame, optional
        Bursts with ``channel``, ``onset_s``, ``offset_s``; each is shaded in its panel.
    n_points : int, default=2000
        Most points drawn per channel.
    title : str, default="Envelopes"
    channel : callable, optional
        ``channel(i)`` → the envelope of channel ``i`` (1-D, what ``envelope.data[i]`` would be), called
        once per channel; ``envelope`` then only gives the names, units and clock (e.g. the filtered
        recording with :meth:`emgviz.processed.Processed.envelope_channel`), so the envelope of every
        channel (as large as the recording) is never held at once.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    n = envelope.n_channels
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, vertical_spacing=min(0.04, 0.3 / max(n, 1)),
                        subplot_titles=list(envelope.ch_names))
    t = envelope.times
    shapes: list[dict] = []  # one layout update: add_vrect per burst is O(n²) in plotly
    for i, name in enumerate(envelope.ch_names):
        label, factor, _ = display_unit(f"x ({envelope.ch_units[i]})", unit)
        td, yd = minmax_decimate(t, envelope.data[i] if channel is None else channel(i), n_out=n_points)
        fig.add_trace(go.Scatter(x=td, y=np.asarray(yd) * factor, mode="lines", name=name,
                                 line=dict(width=1.2, color=_BAR_COLOUR), showlegend=False,
                                 hovertemplate="%{x:.3f} s: %{y:.3g}<extra></extra>"), row=i + 1, col=1)
        fig.update_yaxes(title_text=split_unit(label)[1], row=i + 1, col=1)
        if bursts is not None and len(bursts) and {"channel", "onset_s", "offset_s"} <= set(bursts.columns):
            axis = "" if i == 0 else str(i + 1)
            mine = bursts[bursts["channel"].astype(str) == name]
            shapes += [dict(fillcolor="#ff7f0e", layer="below", opacity=0.18, type="rect", x0=float(a), x1=float(b),
                            xref=f"x{axis}", y0=0, y1=1, yref=f"y{axis} domain", line=dict(width=0))
                       for a, b in zip(mine["onset_s"], mine["offset_s"])]
    fig.update_xaxes(title_text="time (s)", row=n, col=1)
    _set_shapes(fig, shapes)
    fig.update_layout(title=dict(text=title, font=dict(size=18)), font=_FONT, template="plotly_white",
                      height=max(300, 60 + 140 * n), margin=dict(l=70, r=30, t=70, b=50))
    fig.update_annotations(font_size=14)
    return fig
