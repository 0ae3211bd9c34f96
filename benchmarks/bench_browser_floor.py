"""The floor of a first render in the real browser: what Streamlit, Plotly, the grid and emgviz each cost.

Opens side by side, in one run, a ladder of small apps and the emgviz app, in Debian's Chromium
(headless, 1440×1000), each page timed from the navigation start until settled (the rule of
``bench_teach_browser.py``: the script has run, no skeleton, every visible Plotly chart drawn, DOM
quiet 400 ms; the time is the last DOM change):

* ``a_trivial``: a Streamlit page with a title, a slider and a line of text;
* ``b_plotly``: ``a`` + one small ``st.plotly_chart`` (2,000 points): Plotly's chunk;
* ``b_component``: ``a`` + the same chart through emgviz's mounted component
  (:mod:`emgviz.views.plotly_component`: plotly.js cartesian from ``/app/static/``);
* ``c_grid``: ``b`` + one small ``st.dataframe`` (8 rows): the Glide data-grid chunk;
* ``d_app``: the emgviz app (``app.py`` of the repo given with ``--app``), the Overview of the bundled sample;
* ``e_*``: stand-ins of ``d``: ``app.py`` itself with its last line (the view's ``render``) replaced by
  the Overview's own pieces (imported from ``emgviz.views.overview``: the same cached figures and
  table), each heavy element left out in turn: ``e_header`` (sidebar, title and caption, no view),
  ``e_no_chart`` (no stacked-traces chart), ``e_no_grid`` (no feature grid), ``e_no_bars`` (no bar
  chart), ``e_chart_only`` (sidebar + the stacked-traces chart). Product code is not touched.

Each page is opened two ways: in a **fresh context** (a new browser profile: nothing cached,
every chunk fetched and compiled) and as a **new tab of the same context** (HTTP and code caches
warm, as when a user opens a second tab). Recorded: wall seconds (median), the script runs the
server logged (server), the renderer process's CPU seconds (CDP ``Performance.getMetrics``
ProcessTime), the HTTP requests of the fresh open (name and body bytes of each JS chunk) and the
bytes received on the websocket (the script's deltas: figures, table, widgets).

    python benchmarks/bench_browser_floor.py [--app .] [--repeat 3] [--only a_trivial d_app] [--no-write]
        [--section browser_floor] [--json benchmarks/browser_floor.json]

Writes section ``browser_floor`` of benchmarks/RESULTS.md (with ``uptime``) and the raw numbers
to benchmarks/browser_floor.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_teach_browser as btb  # noqa: E402
from _results import machine, write_section  # noqa: E402

VIEWPORT = {"width": 1440, "height": 1000}

TRIVIAL = '''import streamlit as st
st.title("Floor")
st.slider("Level", 0.0, 1.0, 0.3)
st.write("hello")
'''
PLOTLY = '''
import numpy as np
import plotly.graph_objects as go
x = np.arange(2000) / 200.0
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(x))))
'''
#: ``a`` + the same chart through emgviz's mounted Plotly component (plotly.js cartesian from /app/static).
COMPONENT = '''
import numpy as np
import plotly.graph_objects as go
from emgviz.views.plotly_component import plotly_chart
x = np.arange(2000) / 200.0
plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(x))), key="floor_chart")
'''
GRID = '''
import pandas as pd
st.dataframe(pd.DataFrame({"channel": [f"ch{i}" for i in range(8)], "rms": np.arange(8) * 0.1,
                           "mnf": np.arange(8) * 10.0}), hide_index=True)
'''
#: The Overview's pieces, each switchable (replaces the last line of app.py in the ``e_*`` stand-ins).
OVERVIEW = '''
from emgviz.views import overview as _ov
def _standin(ctx, chart=True, grid=True, bars=True, table=False):
    out = ctx.processed
    show_env = st.toggle("Envelope overlay", value=True, key="overview_envelope")
    if chart:
        fig = _ov._overview_figure(ctx.key, ctx.settings_key, show_env, out.filtered, out.envelope, ctx.rec.events)
        st.plotly_chart(fig, key="overview_chart", width="stretch")
    table_ = _ov.features_cached(ctx.key, ctx.settings_key, out.filtered)
    st.markdown("##### Per-muscle features (filtered signal)")
    if grid:
        shown, formats = _ov._display_table(f"{ctx.key}|{ctx.settings_key}", repr(ctx.display), table_, ctx.display)
        st.dataframe(shown, key="overview_table", hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(c, format=f) for c, f in formats.items()})
    if table:  # an HTML table with the same formats (st.table) instead of the grid
        shown, formats = _ov._display_table(f"{ctx.key}|{ctx.settings_key}", repr(ctx.display), table_, ctx.display)
        st.table(shown.style.format({c: (lambda v, f=f: f % v) for c, f in formats.items()}, na_rep="-"),
                 hide_index=True)
    if bars:
        _ov._bars(table_, ctx.display, f"{ctx.key}|{ctx.settings_key}")
'''
#: The Overview's traces chart alone, built directly with stacked_figure: SVG or WebGL, points, envelope.
CHART = '''
from emgviz.plotting.browser import stacked_figure as _sf
from emgviz.plotting.safe import plain_figure as _pf
def _chart(ctx, **kw):
    f = ctx.processed.filtered
    kw.setdefault("overlay", ctx.processed.envelope)
    fig = _sf(f, t_start_s=f.t0, t_window_s=f.duration_s, events=ctx.rec.events, **kw)
    st.plotly_chart(_pf(fig), key="overview_chart", width="stretch")
'''
CHARTS = {
    "f_svg": "_chart(ctx)",
    "f_gl": "_chart(ctx, gl=True)",
    "f_svg_700px": "_chart(ctx, width_px=700)",
    "f_svg_no_env": "_chart(ctx, overlay=None)",
    "g_table": "_standin(ctx, grid=False, table=True)",
}
STANDINS = {
    "e_header": "pass",
    "e_no_chart": "_standin(ctx, chart=False)",
    "e_no_grid": "_standin(ctx, grid=False)",
    "e_no_bars": "_standin(ctx, bars=False)",
    "e_chart_only": "_standin(ctx, grid=False, bars=False)",
}
LABELS = {
    "a_trivial": "trivial page (title, slider, text)",
    "b_plotly": "+ one small Plotly chart",
    "b_component": "+ the same chart, mounted component (plotly.js cartesian)",
    "c_grid": "+ one small st.dataframe",
    "d_app": "**emgviz Overview, bundled sample**",
    "e_header": "app: sidebar + header, no view",
    "e_no_chart": "app Overview without the traces chart",
    "e_no_grid": "app Overview without the feature grid",
    "e_no_bars": "app Overview without the bar chart",
    "e_chart_only": "app: sidebar + header + traces chart only",
    "f_svg": "app header + the traces chart built here (SVG, 1400 px: as the product)",
    "f_gl": "same chart, WebGL (scattergl)",
    "f_svg_700px": "same chart, thinned for 700 px (half the points)",
    "f_svg_no_env": "same chart without the envelope traces",
    "g_table": "app Overview with an HTML st.table instead of the grid",
}


def write_apps(tmp: Path, app_root: Path) -> dict[str, Path]:
    """The app files of every variant, each in its own folder (with the repo's .streamlit config)."""
    out = {}
    source = (app_root / "app.py").read_text()
    last = "_view_module(view).render(ctx)"
    if not source.rstrip().endswith(last):
        raise SystemExit(f"{app_root}/app.py does not end with {last!r}: update the stand-ins")
    head = source.rstrip()[: -len(last)]
    texts = {"a_trivial": TRIVIAL, "b_plotly": TRIVIAL + PLOTLY, "b_component": TRIVIAL + COMPONENT,
             "c_grid": TRIVIAL + PLOTLY + GRID,
             "d_app": source}
    texts.update({k: head + OVERVIEW + call + "\n" for k, call in STANDINS.items()})
    texts.update({k: head + OVERVIEW + CHART + call + "\n" for k, call in CHARTS.items()})
    for name, text in texts.items():
        d = tmp / name
        d.mkdir()
        (d / "app.py").write_text(text)
        if (app_root / ".streamlit").is_dir():
            shutil.copytree(app_root / ".streamlit", d / ".streamlit")
        if (app_root / "static").is_dir():  # served at /app/static/ (the plotly.js of views/plotly_component.py)
            shutil.copytree(app_root / "static", d / "static")
        out[name] = d / "app.py"
    return out


def open_page(context, server, *, record: bool) -> dict:
    """A new page of ``context`` opens the app until settled: times (ms), CPU, requests, websocket bytes."""
    page = context.new_page()
    page.set_default_timeout(400_000)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    requests, ws_bytes = [], [0]
    if record:
        page.on("requestfinished", lambda r: requests.append(r))
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: ws_bytes.__setitem__(
        0, ws_bytes[0] + (len(f) if isinstance(f, (bytes, str)) else 0))))

    def cpu():
        m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
        return m.get("ProcessTime", 0.0), m.get("ThreadTime", 0.0)

    p0, t0 = cpu()
    mark = server.mark()
    page.goto(server.url + "/")
    page.wait_for_function(btb.SETTLED_JS, arg=btb.QUIET_MS, timeout=400_000, polling="raf")
    out = page.evaluate(btb.READ_JS)
    p1, t1 = cpu()
    time.sleep(0.05)
    server_s, server_cpu, runs = server.server_s(mark)
    out.pop("server")
    out.update(server=1000 * server_s, server_cpu=1000 * server_cpu, runs=runs,
               browser_cpu=1000 * (p1 - p0), browser_main_cpu=1000 * (t1 - t0), ws_bytes=ws_bytes[0],
               exceptions=page.locator('[data-testid="stException"]').count())
    if record:
        rows = []
        for r in requests:
            try:
                size = r.sizes()["responseBodySize"]
            except Exception:  # noqa: BLE001 - a request without a body
                size = 0
            rows.append({"url": r.url.split("?")[0].replace(server.url, ""), "type": r.resource_type, "bytes": size})
        out["requests"] = rows
    page.close()
    return out


def run(app_root: Path, repeat: int, only: list[str] | None) -> dict:
    from playwright.sync_api import sync_playwright

    loads = [btb._load()]
    res: dict = {}
    with tempfile.TemporaryDirectory() as tmp_s, sync_playwright() as pw:
        tmp = Path(tmp_s)
        apps = write_apps(tmp, app_root)
        if only:
            apps = {k: v for k, v in apps.items() if k in only}
        browser = pw.chromium.launch(executable_path=btb.CHROMIUM, args=btb.CHROME_ARGS)
        servers = {name: btb.Server(name, path.parent, tmp, app=path, pythonpath=app_root) for name, path in apps.items()}
        try:
            for name, s in servers.items():  # warm each server once (imports, caches), not timed
                ctx = browser.new_context(viewport=VIEWPORT)
                ctx.add_init_script(btb.INIT_JS)
                r = open_page(ctx, s, record=False)
                res[name] = {"warm": r, "fresh": [], "tab": []}
                ctx.close()
                print(f"{name} warm-up: {r['total'] / 1000:.2f} s", flush=True)
            shared = {}
            for name, s in servers.items():  # one context per app for the new-tab opens (first open warms it)
                ctx = browser.new_context(viewport=VIEWPORT)
                ctx.add_init_script(btb.INIT_JS)
                open_page(ctx, s, record=False)
                shared[name] = ctx
            for rnd in range(repeat):  # interleaved: every app sees the same load
                for name, s in servers.items():
                    ctx = browser.new_context(viewport=VIEWPORT)
                    ctx.add_init_script(btb.INIT_JS)
                    r = open_page(ctx, s, record=rnd == 0)
                    ctx.close()
                    res[name]["fresh"].append(r)
                    r2 = open_page(shared[name], s, record=False)
                    res[name]["tab"].append(r2)
                    print(f"{name} round {rnd}: fresh {r['total'] / 1000:.2f} s (CPU {r['browser_cpu'] / 1000:.2f}), "
                          f"new tab {r2['total'] / 1000:.2f} s (CPU {r2['browser_cpu'] / 1000:.2f}); "
                          f"server {r['server'] / 1000:.2f}; ws {r['ws_bytes'] / 1e3:.0f} kB", flush=True)
            for ctx in shared.values():
                ctx.close()
            loads.append(btb._load())
        finally:
            for s in servers.values():
                s.stop()
            browser.close()
    return {"app": str(app_root.resolve()), "results": res, "loads": loads, "machine": machine(), "repeat": repeat}


def _med(rows, field) -> float:
    return statistics.median(r[field] for r in rows) / 1000.0


def _chunks(r: dict) -> tuple[int, float, str]:
    """(count, MB) of the JS chunks of a fresh open and the biggest ones by name."""
    js = [q for q in r.get("requests", []) if q["url"].endswith(".js")]
    big = sorted(js, key=lambda q: -q["bytes"])[:4]
    names = ", ".join(f"{Path(q['url']).name.split('.')[0]} {q['bytes'] / 1e3:.0f} kB" for q in big)
    return len(js), sum(q["bytes"] for q in js) / 1e6, names


#: (what, variant with it, variant without it): the differences the section lists.
DELTAS = [
    ("Streamlit itself: a page with a title, a slider and text", "a_trivial", None),
    ("Plotly: its chunk and one small chart", "b_plotly", "a_trivial"),
    ("plotly.js cartesian (1.5 MB) and one small chart, mounted component", "b_component", "a_trivial"),
    ("the data grid: its chunks and one small st.dataframe", "c_grid", "b_plotly"),
    ("emgviz's sidebar and header (no view)", "e_header", "a_trivial"),
    ("the Overview's traces chart, with Plotly's chunk", "e_chart_only", "e_header"),
    ("the traces chart, in the full Overview (Plotly already loaded by the bars)", "d_app", "e_no_chart"),
    ("the feature grid, in the full Overview", "d_app", "e_no_grid"),
    ("the bar chart, in the full Overview", "d_app", "e_no_bars"),
    ("the grid replaced by an HTML st.table", "g_table", "d_app"),
    ("traces chart: 2 points/px for 1400 px vs 700 px (twice the points)", "f_svg", "f_svg_700px"),
    ("traces chart: the 8 envelope traces", "f_svg", "f_svg_no_env"),
    ("traces chart: WebGL (scattergl) instead of SVG", "f_gl", "f_svg"),
]


def deltas(res: dict) -> list[str]:
    """The DELTAS rows: renderer CPU (fresh, new tab) and wall (new tab), with minus without."""
    out = []
    for what, a, b in DELTAS:
        if a not in res or (b is not None and b not in res):
            continue
        cells = []
        for mode, field in (("fresh", "browser_cpu"), ("tab", "browser_cpu"), ("tab", "total")):
            va = _med(res[a][mode], field)
            cells.append(f"{va - (_med(res[b][mode], field) if b else 0.0):+.2f}" if b else f"{va:.2f}")
        out.append(f"| {what} | `{a}`{' − `' + b + '`' if b else ''} | {' | '.join(cells)} |")
    return out


def markdown(data: dict) -> str:
    res = data["results"]
    rows = []
    base = {}
    for name, r in res.items():
        f, t = r["fresh"], r["tab"]
        n_js, mb, names = _chunks(f[0])
        base.setdefault("fresh", _med(f, "total"))
        rows.append(f"| {LABELS.get(name, name)} (`{name}`) | **{_med(f, 'total'):.2f}** | {_med(f, 'browser_cpu'):.2f} "
                    f"| **{_med(t, 'total'):.2f}** | {_med(t, 'browser_cpu'):.2f} | {_med(t, 'server'):.2f} "
                    f"| {statistics.median(x['ws_bytes'] for x in t) / 1e3:.0f} | {n_js}: {mb:.2f} MB | {names} |")
    loads = "\n".join(f"    {x}" for x in data["loads"])
    return f"""## The floor of a first render (`benchmarks/bench_browser_floor.py`)

{data['machine']}; Debian Chromium, headless, 1440×1000; each app on its own `streamlit run` (127.0.0.1),
opened in turn, round by round (so all saw the same load), {data['repeat']} rounds after one untimed warm-up
per server. Emgviz code: `{data['app']}`. Median wall seconds from the navigation start to the settled page
(script done, no skeleton, every visible chart drawn, DOM quiet 400 ms; time of the last DOM change).
**fresh** = a new browser context (no HTTP or code cache: every chunk fetched and compiled); **new tab** =
a new page of a context that has opened this app before. Renderer CPU = the renderer process's CPU seconds
(CDP ProcessTime). Server = the script runs logged meanwhile. ws kB = websocket bytes received (the
script's deltas). JS = the chunks fetched by the fresh open (count, bytes) and the four biggest.
The `e_*` rows are stand-ins: `app.py` with the view's `render` replaced by the Overview's own cached
pieces, one left out in turn.

| page | fresh s | fresh renderer CPU | new tab s | new tab renderer CPU | server s | ws kB | JS (fresh) | biggest chunks |
|---|---:|---:|---:|---:|---:|---:|---|---|
{chr(10).join(rows)}

What each part costs (medians; a difference of two pages measured in the same rounds; on a loaded
machine a single difference is uncertain by about ±0.5 s of CPU):

| part | pages | fresh renderer CPU s | new-tab renderer CPU s | new-tab wall s |
|---|---|---:|---:|---:|
{chr(10).join(deltas(res))}

Machine load (`uptime`) before and after:

{loads}
"""


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--app", type=Path, default=ROOT, help="repo root whose app.py and emgviz are measured")
    ap.add_argument("--repeat", type=int, default=3, help="rounds (median)")
    ap.add_argument("--only", nargs="+", default=None, help="measure only these variants (e.g. a_trivial d_app)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    ap.add_argument("--from-json", type=Path, default=None, help="rewrite the section from a saved run")
    ap.add_argument("--json", type=Path, default=HERE / "browser_floor.json", help="where the raw numbers go")
    ap.add_argument("--section", default="browser_floor", help="the RESULTS.md section to write")
    args = ap.parse_args(argv)
    data = json.loads(args.from_json.read_text()) if args.from_json else run(args.app, args.repeat, args.only)
    md = markdown(data)
    print(md)
    if args.from_json is None:
        args.json.write_text(json.dumps(data, indent=1))
    if not args.no_write:
        write_section(args.section, md)


if __name__ == "__main__":
    main()
