"""Marks on a stacked page: shaded burst spans in a channel's band, labelled vertical lines (events, markers).

Pure figure pieces (Plotly shape and annotation dicts) for :func:`emgviz.plotting.browser.stacked_figure`.
"""

from __future__ import annotations

import numpy as np

BURST_FILL = "rgba(31, 120, 180, 0.18)"
_MAX_LABELS = 60          # event/marker labels drawn per page; more would be unreadable
_MAX_SPANS = 400          # burst spans drawn per page


def _burst_shapes(bursts, centers, div, t_start, t_end) -> list[dict]:
    if bursts is None or len(bursts) == 0:
        return []
    missing = {"channel", "onset_s", "offset_s"} - set(bursts.columns)
    if missing:
        raise ValueError(f"bursts need the columns channel, onset_s, offset_s; missing {sorted(missing)}")
    b = bursts[bursts["channel"].isin(list(centers)) & (bursts["offset_s"] >= t_start)
               & (bursts["onset_s"] <= t_end)]
    out = []
    for ch, on, off in b[["channel", "onset_s", "offset_s"]].head(_MAX_SPANS).itertuples(index=False):
        c = centers[ch]
        out.append(dict(type="rect", xref="x", yref="y", x0=max(float(on), t_start), x1=min(float(off), t_end),
                        y0=c - div / 2, y1=c + div / 2, fillcolor=BURST_FILL, line=dict(width=0),
                        layer="below"))
    return out


def _line_marks(table, text_col, t_start, t_end, color, dash, *, durations=False, prefix=""):
    if table is None or len(table) == 0:
        return [], []
    if "time_s" not in table.columns:
        raise ValueError(f"a table of lines needs a time_s column; found {list(table.columns)}")
    times = table["time_s"].to_numpy(dtype=float)
    dur = table["duration_s"].to_numpy(dtype=float) if durations and "duration_s" in table else np.zeros(len(table))
    texts = table[text_col].astype(str).to_numpy() if text_col in table else np.full(len(table), "")
    keep = np.flatnonzero((times + dur >= t_start) & (times <= t_end))
    shapes, annotations = [], []
    for j, i in enumerate(keep):
        t = float(times[i])
        if dur[i] > 0:
            shapes.append(dict(type="rect", xref="x", yref="paper", x0=max(t, t_start),
                               x1=min(t + dur[i], t_end), y0=0, y1=1, fillcolor=color, opacity=0.06,
                               line=dict(width=0), layer="below"))
        if t_start <= t <= t_end:
            shapes.append(dict(type="line", xref="x", yref="paper", x0=t, x1=t, y0=0, y1=1,
                               line=dict(color=color, width=1, dash=dash)))
            if j < _MAX_LABELS and (texts[i] or prefix):
                annotations.append(dict(x=t, xref="x", y=1.0, yref="paper", yanchor="bottom", xanchor="left",
                                        text=prefix + texts[i][:40], showarrow=False,
                                        font=dict(size=11, color=color)))
    return shapes, annotations
