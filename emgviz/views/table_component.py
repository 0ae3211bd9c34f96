"""A light sortable table: an HTML ``<table>`` in one ``st.components.v2`` component, for small tables.

Why: ``st.dataframe`` draws with Glide Data Grid on a canvas and makes the browser load about
1.5 MB of JavaScript on the first page that shows one (the grid, Apache Arrow and its formatting
chunks). On the Overview of the bundled sample that was about 1 s of the browser's CPU at each
page open, and the grid redrew on every filter change, for a table of 8–16 rows. This component
draws the same rows as plain HTML in the page: one header per column, numbers right-aligned in the
column's printf format (``"%.1f"``, ``"%.3f"``, ``"%d"``, ``"%.3g"``, as :func:`emgviz.plotting.summary.display_table`
gives them), the first column (the channel) kept in view when the table scrolls sideways.

A click on a column header sorts the rows by it: ascending, then descending, then back to the
file's order (the header says which, ``aria-sort``); missing values (NaN) stay last. The sort is
kept across reruns while the columns stay the same. Colours and font follow Streamlit's theme
(``--st-*`` CSS properties of components v2), in the light and the dark theme.

Falls back to ``st.dataframe`` (the same key and formats) when this Streamlit has no components
v2, or when the environment variable ``EMGVIZ_LIGHT_TABLE=0`` asks for it. Reading the shown
table back (tests): :func:`shown_table`.
"""

from __future__ import annotations

import json
import math
import os

import pandas as pd
import streamlit as st

from .canvas_component import available as _components_v2, component

__all__ = ["table", "enabled", "payload", "shown_table", "CLASS"]

#: CSS class of the ``<table>`` (tests find it with ``table.emgviz-table``).
CLASS = "emgviz-table"

_CSS = """
.emgviz-table-wrap { overflow-x: auto; border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  border-radius: var(--st-base-radius, 0.5rem); }
table.emgviz-table { border-collapse: separate; border-spacing: 0; width: 100%; font-size: 14px;
  font-family: var(--st-font, "Source Sans", sans-serif); color: var(--st-text-color, #31333F);
  background: var(--st-background-color, #fff); font-variant-numeric: tabular-nums; }
table.emgviz-table th, table.emgviz-table td { padding: 0 8px; height: 34px; white-space: nowrap;
  border-bottom: 1px solid var(--st-border-color-light, var(--st-border-color, rgba(49, 51, 63, 0.1)));
  border-right: 1px solid var(--st-border-color-light, var(--st-border-color, rgba(49, 51, 63, 0.1))); }
table.emgviz-table tr:last-child td { border-bottom: none; }
table.emgviz-table th:last-child, table.emgviz-table td:last-child { border-right: none; }
table.emgviz-table th { font-weight: 400; text-align: left; padding: 0; position: sticky; top: 0;
  background: var(--st-secondary-background-color, #F0F2F6); }
table.emgviz-table th button { all: unset; box-sizing: border-box; display: block; width: 100%;
  padding: 0 8px; height: 34px; line-height: 34px; cursor: pointer; color: var(--st-text-color, #31333F);
  opacity: 0.75; }
table.emgviz-table th button:hover { opacity: 1; }
table.emgviz-table th button:focus-visible { outline: 2px solid var(--st-primary-color, #FF4B4B); outline-offset: -2px; }
table.emgviz-table th[aria-sort] button { opacity: 1; }
table.emgviz-table td.num, table.emgviz-table th.num button { text-align: right; }
table.emgviz-table th:first-child, table.emgviz-table td:first-child { position: sticky; left: 0; z-index: 1;
  background: var(--st-secondary-background-color, #F0F2F6); }
table.emgviz-table td:first-child { background: var(--st-background-color, #fff); }
table.emgviz-table th:first-child { z-index: 2; }
table.emgviz-table tbody tr:hover td { background: var(--st-secondary-background-color, #F0F2F6); }
"""

_JS = r"""
function fmt(v, f) {  // the printf subset display_table uses: %.Nf, %d, %.Ng
  if (v === null || v === undefined || (typeof v === 'number' && !isFinite(v))) return '';
  if (typeof v !== 'number' || !f) return String(v);
  const m = /^%(?:\.(\d+))?([dfg])$/.exec(f);
  if (!m) return String(v);
  const p = m[1] === undefined ? 6 : +m[1];
  if (m[2] === 'd') return Math.round(v).toFixed(0);
  if (m[2] === 'f') return v.toFixed(p);
  const s = v.toPrecision(Math.max(1, p));  // %g: no trailing zeros
  return s.includes('e') ? s.replace(/\.?0+e/, 'e') : (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
}

function cmp(a, b) {  // numbers before text, missing values last (either direction: handled by the caller)
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, {numeric: true});
}
const missing = v => v === null || v === undefined || (typeof v === 'number' && !isFinite(v));

function draw(root, spec) {
  const cols = spec.columns, rows = spec.rows, sort = root._sort;
  let order = rows.map((_, i) => i);
  if (sort && sort.col < cols.length) {
    const c = sort.col, dir = sort.dir === 'ascending' ? 1 : -1;
    order.sort((i, j) => {
      const a = rows[i][c], b = rows[j][c];
      if (missing(a) || missing(b)) return missing(a) - missing(b) || i - j;
      return dir * cmp(a, b) || i - j;
    });
  }
  const table = document.createElement('table');
  table.className = 'emgviz-table';
  const head = table.createTHead().insertRow();
  cols.forEach((name, c) => {
    const th = document.createElement('th');
    th.scope = 'col';
    if (spec.numeric[c]) th.className = 'num';
    if (sort && sort.col === c) th.setAttribute('aria-sort', sort.dir);
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = name + (sort && sort.col === c ? (sort.dir === 'ascending' ? ' ↑' : ' ↓') : '');
    b.title = 'Sort by ' + name;
    b.onclick = () => {  // ascending → descending → the file's order
      const s = root._sort;
      root._sort = !s || s.col !== c ? {col: c, dir: 'ascending'}
                 : s.dir === 'ascending' ? {col: c, dir: 'descending'} : null;
      draw(root, spec);
      const again = root.querySelectorAll('th button')[c];
      if (again) again.focus();
    };
    th.appendChild(b);
    head.appendChild(th);
  });
  const body = table.createTBody();
  for (const i of order) {
    const tr = body.insertRow();
    rows[i].forEach((v, c) => {
      const td = tr.insertCell();
      if (spec.numeric[c]) td.className = 'num';
      td.textContent = fmt(v, spec.formats[c]);
    });
  }
  root.replaceChildren(table);
  root.dataset.rows = String(rows.length);
}

export default function (component) {
  const { data, parentElement } = component;
  let root = parentElement.querySelector('div.emgviz-table-wrap');
  if (!root) {
    root = document.createElement('div');
    root.className = 'emgviz-table-wrap';
    parentElement.appendChild(root);
  }
  const text = typeof data === 'string' ? data
             : (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) ? new TextDecoder().decode(data) : JSON.stringify(data);
  if (text === root._text) return;
  root._text = text;
  const spec = JSON.parse(text);
  const sig = JSON.stringify(spec.columns);
  if (sig !== root._cols) { root._cols = sig; root._sort = null; }  // other columns: the file's order again
  draw(root, spec);
}
"""


def enabled() -> bool:
    """True when tables go through this component, False when they fall back to ``st.dataframe``."""
    return os.environ.get("EMGVIZ_LIGHT_TABLE", "1") != "0" and _components_v2()


def _cell(v):
    """A JSON value for one cell: numbers as numbers (NaN and ±inf as null), the rest as text."""
    if v is None:
        return None
    if isinstance(v, bool) or type(v).__name__ == "bool_":  # numpy's too: text, not 1/0
        return str(bool(v))
    if isinstance(v, (int, float)) or hasattr(v, "dtype"):
        try:
            f = float(v)
        except (TypeError, ValueError):
            return str(v)
        if not math.isfinite(f):
            return None
        return int(f) if float(f).is_integer() and abs(f) < 2 ** 53 else f
    return str(v)


def payload(df: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    """The JSON the component gets: column names, rows (cells as numbers or text), formats, numeric flags."""
    formats = formats or {}
    cols = [str(c) for c in df.columns]
    numeric = [bool(pd.api.types.is_numeric_dtype(df[c])) and not pd.api.types.is_bool_dtype(df[c])
               for c in df.columns]
    rows = [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
    return json.dumps({"columns": cols, "rows": rows, "numeric": numeric,
                       "formats": [formats.get(c) if n else None for c, n in zip(cols, numeric)]},
                      ensure_ascii=False, allow_nan=False)


def table(df: pd.DataFrame, *, key: str, formats: dict[str, str] | None = None) -> None:
    """Show ``df`` (its index hidden) as a sortable table, updated in place on every rerun.

    Parameters
    ----------
    df : DataFrame
        The rows as shown (display units already applied), e.g. from
        :func:`emgviz.plotting.summary.display_table`.
    key : str
        The same on every run: the table stays mounted and keeps its sort.
    formats : dict, default=None
        Column name → printf format of its numbers (``"%.1f"``, ``"%.3f"``, ``"%d"``, ``"%.3g"``).
    """
    formats = formats or {}
    if not enabled():
        st.dataframe(df, key=key, hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(c, format=f) for c, f in formats.items()})
        return
    component("emgviz_table", _JS, css=_CSS)(key=key, data=payload(df, formats).encode())


def shown_table(at, key: str) -> pd.DataFrame:
    """The table shown under ``key`` in an AppTest run (this component or ``st.dataframe``): its
    columns and values as shown, unformatted (the component's missing values as NaN)."""
    for el in at.get("bidi_component"):
        if getattr(el, "key", None) == key:
            proto = el.proto
            spec = json.loads(proto.bytes if proto.WhichOneof("data") == "bytes" else proto.json)
            if isinstance(spec, str):
                spec = json.loads(spec)
            df = pd.DataFrame(spec["rows"], columns=spec["columns"])
            for c, numeric in zip(spec["columns"], spec["numeric"]):
                if numeric:
                    df[c] = pd.to_numeric(df[c], errors="coerce")
            return df
    if len(at.dataframe) == 1:  # the fallback (AppTest keeps no key for a read-only st.dataframe)
        return at.dataframe[0].value
    raise LookupError(f"no table with key {key!r} on the page")
