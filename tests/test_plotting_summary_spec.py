"""feature_bars_spec: the bar chart as a plain dict draws exactly what the graph-object build drew."""

import base64
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from emgviz.plotting.safe import plain_figure
from emgviz.plotting.summary import _BAR_COLOUR, _POOR_COLOUR, display_unit, feature_bars, feature_bars_spec
from emgviz.plotting.templates import lean_template


def _reference(table, feature, quality=None):
    """The graph-object build feature_bars used before (plotly validates every property), with the median
    note moved above the plot since."""
    label, factor, fmt = display_unit(feature)
    channels = table["channel"].astype(str).tolist()
    values = table[feature].to_numpy(dtype=float) * factor
    reasons = dict(zip(quality["channel"], quality["reason"])) if quality is not None else {}
    grades = dict(zip(quality["channel"], quality["grade"])) if quality is not None else {}
    poor = np.array([grades.get(ch) == "poor" for ch in channels])
    py = "{" + fmt.replace("%", ":").replace(":d", ":.0f") + "}"
    shown = [py.format(v) if np.isfinite(v) else "–" for v in values]
    texts = [f"poor: {reasons[ch]}" if p else s for ch, s, p in zip(channels, shown, poor)]
    hover = [f"{ch}<br>{label}: {s}" + (f"<br>quality: {grades[ch]} ({reasons[ch] or 'no problem found'})"
                                        if ch in grades else "") for ch, s in zip(channels, shown)]
    fig = go.Figure(go.Bar(x=channels, y=values, text=texts, textposition="auto", hovertext=hover, hoverinfo="text",
                           marker=dict(color=[_POOR_COLOUR if p else _BAR_COLOUR for p in poor],
                                       pattern=dict(shape=["/" if p else "" for p in poor], fgcolor="#555555"),
                                       line=dict(color=["#555555" if p else _BAR_COLOUR for p in poor], width=1)),
                           name=label, showlegend=False))
    usable = values[~poor & np.isfinite(values)]
    note = f"median of {usable.size} usable channel{'s' if usable.size != 1 else ''}"
    if poor.any():
        note += f" ({int(poor.sum())} poor excluded)"
    ref = float(np.median(usable))
    fig.add_hline(y=ref, line=dict(dash="dash", color="#444444", width=1.5))
    # since s5: the note above the plot's top right corner (it covered a bar's value when on the line)
    fig.add_annotation(text=f"┄ {note}: {py.format(ref)}", x=1, xref="x domain", xanchor="right", y=1,
                       yref="y domain", yanchor="bottom", showarrow=False, font=dict(size=13))
    fig.update_layout(title=dict(text=label, font=dict(size=18)), font=dict(size=15), yaxis_title=label,
                      xaxis_title="muscle / channel", bargap=0.25, margin=dict(l=70, r=30, t=60, b=80),
                      template=lean_template("plotly_white", ("bar",)), height=420,
                      uniformtext=dict(minsize=11, mode="hide"))
    fig.update_xaxes(type="category")
    return fig


def _json(fig):
    """The figure's JSON with typed arrays (``bdata``, plotly.py's numpy encoding) as plain lists (NaN → None)."""
    def plain(v):
        if isinstance(v, dict) and "bdata" in v:
            a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
            return [None if not np.isfinite(x) else float(x) for x in a]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return float(v) if isinstance(v, int) and not isinstance(v, bool) else v
    return plain(json.loads(pio.to_json(fig, validate=False)))


TABLE = pd.DataFrame({"channel": ["biceps", "triceps", "deltoid", "broken"],
                      "RMS (V)": [100e-6, 120e-6, np.nan, 5e-3], "ZC (count)": [10, 12, 9, 1]})
QUALITY = pd.DataFrame({"channel": ["biceps", "triceps", "deltoid", "broken"],
                        "grade": ["good", "check", "good", "poor"],
                        "reason": ["", "50 Hz hum", "", "clipping in 8% of samples"]})


@pytest.mark.parametrize("feature", ["RMS (V)", "ZC (count)"])
@pytest.mark.parametrize("quality", [None, QUALITY])
def test_the_spec_is_the_graph_object_figure(feature, quality):
    spec = feature_bars_spec(TABLE, feature, quality=quality)
    assert _json(spec) == _json(_reference(TABLE, feature, quality))
    assert _json(go.Figure(spec)) == _json(spec)  # valid Plotly: validation changes nothing
    assert _json(feature_bars(TABLE, feature, quality=quality)) == _json(spec)


def test_plain_figure_escapes_markup_in_a_dict_and_leaves_the_template_alone():
    table = pd.DataFrame({"channel": ['<a href="https://x">m1</a>', "m2"], "RMS (V)": [1e-4, 2e-4]})
    spec = plain_figure(feature_bars_spec(table, "RMS (V)"))
    bar = spec["data"][0]
    assert bar["x"][0] == '&lt;a href="https://x">m1&lt;/a>' and bar["x"][1] == "m2"
    assert bar["hovertext"][0].startswith('&lt;a href="https://x">m1&lt;/a><br>RMS')  # emgviz's own <br> kept
    assert spec["layout"]["template"] is feature_bars_spec(table, "RMS (V)")["layout"]["template"]
