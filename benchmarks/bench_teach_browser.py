"""Teach in the real browser: slider nudge → settled figures, and a cold open, split server vs browser.

Drives ``streamlit run app.py`` (loopback) with Debian's Chromium through Playwright at 1024×768,
the projector size the issue names. For each app given (e.g. the code before and after a change,
``--app before=/tmp/base --app after=.``) it starts one server and measures, interleaving the
apps nudge by nudge so both see the same machine load:

* **cold open**: ``/?view=Teach`` opened until the page has settled, two ways: in a *fresh browser
  context* (nothing cached: every static file fetched again) and in a *new tab of the same browser
  context* (what a teacher opening a link in a browser that has shown the app before does: the
  app's static files come from the browser's cache; a new session and page all the same). The
  first open on the fresh server (nothing cached) is reported apart. Each open records whether
  the browser fetched Plotly's chunk (``PlotlyChart.*.js``).
* **nudge**: with 1 or 8 channels (set by the link ``teach_n_channels``, or by the Channels slider
  where the code has no such link), the "Contraction level" slider is focused and moved one step with the keyboard
  (ArrowRight). Time from the key's release to the settled page. The page is opened at level
  0.30 by its link (``teach_level=0.3``), so every nudge reaches a level never computed before
  (0.35 … 0.80) and no answer comes from a cache of an earlier run; 1 channel and 8 channels,
  10 s at 2 kHz.

"Settled" is measured inside the page with ``performance.now()``: the script has run (the app's
``data-test-script-state`` went ``running`` → ``notRunning``), no skeleton is left, every visible
Plotly chart has drawn (``RENDERED_JS`` of tests/e2e/conftest.py), every visible Teach canvas
(``canvas.emgviz-spec``, :mod:`emgviz.views.spec_canvas`) has painted (``data-drawn``; a paint sets
it, which is a DOM change) and the page's DOM has not changed
for 400 ms; the settled time is that of the last DOM change. **Server** = the script runs the
server logged meanwhile (each timed by a wrapper around Streamlit's ``ScriptRunner._run_script``),
**browser** = the rest (debounce, transfer and drawing).

Run from the repo root::

    .venv/bin/python benchmarks/bench_teach_browser.py --app after=. [--app before=/tmp/base]
        [--nudges 10] [--section teach_browser]

Writes its section of benchmarks/RESULTS.md (with the machine's load from ``uptime``) and the raw
numbers to benchmarks/teach_browser_<section>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _results import machine, write_section  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1024, "height": 768}
QUIET_MS = 400
LEVEL_LABEL = "Contraction level"
#: Runs streamlit with each script run's duration written to the log (the server time of a nudge).
LAUNCHER = """
import sys, time
from streamlit.runtime.scriptrunner import script_runner as _sr
_orig = _sr.ScriptRunner._run_script
def _timed(self, rerun_data):
    t, c = time.perf_counter(), time.thread_time()
    try:
        return _orig(self, rerun_data)
    finally:
        print(f"BENCH_RUN {time.perf_counter() - t:.4f} {time.thread_time() - c:.4f}", file=sys.stderr, flush=True)
_sr.ScriptRunner._run_script = _timed
from streamlit.web import cli
sys.argv = ["streamlit", "run"] + sys.argv[1:]
cli.main()
"""
CHANNELS_LABEL = "Channels"

#: Installed before any page script: records the script-state changes, the last DOM change and key releases.
INIT_JS = """
(() => {
  const b = window.__bench = {t0: 0, lastMut: 0, runStart: null, runEnd: null, sawRun: false, state: null, drawn0: 0};
  const watch = () => {
    new MutationObserver(() => {
      const now = performance.now();
      b.lastMut = now;
      const app = document.querySelector('[data-testid=stApp]');
      const s = app ? app.getAttribute('data-test-script-state') : null;
      if (s === b.state) return;
      b.state = s;
      if (s === 'running') { if (!b.sawRun) b.runStart = now; b.sawRun = true; }
      else if (b.sawRun && s === 'notRunning') b.runEnd = now;
    }).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                           characterData: true});
  };
  if (document.documentElement) watch(); else document.addEventListener('DOMContentLoaded', watch);
  document.addEventListener('keyup', () => {
    b.t0 = performance.now(); b.runStart = null; b.runEnd = null; b.sawRun = false;
    b.drawn0 = [...document.querySelectorAll('canvas.emgviz-spec')].reduce((n, c) => n + (+c.dataset.drawn || 0), 0);
  }, true);
})();
"""

#: True once the page has settled (see the module docstring).
SETTLED_JS = """(quietMs) => {
  const b = window.__bench;
  const app = document.querySelector('[data-testid=stApp]');
  if (!b || !app || !b.sawRun || b.runEnd === null) return false;
  if (app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid^=stSkeleton], [data-testid=stAppSkeleton]')) return false;
  const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')].filter(c => c.offsetParent !== null);
  if (!charts.every(c => c.querySelector('.main-svg'))) return false;
  const canvases = [...document.querySelectorAll('canvas.emgviz-spec')].filter(c => c.offsetParent !== null);
  if (!canvases.every(c => c.dataset.drawn)) return false;
  const mounted = [...document.querySelectorAll('div.emgviz-plotly')].filter(c => c.offsetParent !== null);
  if (!mounted.every(c => c.dataset.pending === '0' && c.querySelector('.main-svg'))) return false;  // plotly_component
  return performance.now() - b.lastMut >= quietMs;
}"""

READ_JS = """() => {
  const b = window.__bench;
  return {total: b.lastMut - b.t0, server: b.runEnd - b.runStart, start: b.runStart - b.t0,
          charts: document.querySelectorAll('[data-testid=stPlotlyChart]').length,
          gl: document.querySelectorAll('[data-testid=stPlotlyChart] canvas.gl-canvas').length,
          canvases: document.querySelectorAll('canvas.emgviz-spec').length,
          paints: [...document.querySelectorAll('canvas.emgviz-spec')].reduce((n, c) => n + (+c.dataset.drawn || 0), 0)
                  - (b.drawn0 || 0)};
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run app.py`` from ``root`` on a free loopback port, with the repo's own Python path."""

    def __init__(self, name: str, root: Path, log_dir: Path, *, app: Path | None = None,
                 pythonpath: Path | None = None):
        """``app`` (default ``root/app.py``) runs from its folder with ``pythonpath`` (default ``root``)
        first on the Python path (the emgviz it imports)."""
        app = (root / "app.py" if app is None else app).resolve()
        self.name, self.root = name, app.parent
        port = _free_port()
        self.log_path = log_dir / f"{name}.log"
        self.log = self.log_path.open("w")
        env = {**os.environ, "PYTHONPATH": str((pythonpath or root).resolve()),
               "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
               "STREAMLIT_SERVER_HEADLESS": "true", "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
               "STREAMLIT_CLIENT_TOOLBAR_MODE": "minimal"}
        launcher = log_dir / "launch_streamlit.py"
        launcher.write_text(LAUNCHER)
        self.proc = subprocess.Popen([sys.executable, str(launcher), str(app),
                                      "--server.port", str(port), "--server.address", "127.0.0.1"],
                                     cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name}: streamlit exited rc={self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"{name}: streamlit not healthy after 90 s")
            time.sleep(0.2)

    def mark(self) -> int:
        """The log's length now: :meth:`server_s` sums the script runs logged after it."""
        self.log.flush()
        return self.log_path.stat().st_size

    def server_s(self, mark: int) -> tuple[float, float, int]:
        """(wall seconds, CPU seconds of the script thread, count) of the script runs logged since ``mark``."""
        with self.log_path.open() as f:
            f.seek(mark)
            runs = [line.split()[1:3] for line in f if line.startswith("BENCH_RUN ")]
        return sum(float(w) for w, _ in runs), sum(float(c) for _, c in runs), len(runs)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Tab:
    """One browser page on one app, counting WebGL console warnings."""

    def __init__(self, browser, server: "Server", context=None):
        self.server = server
        url = server.url
        self.own_context = context is None
        self.context = browser.new_context(viewport=VIEWPORT) if context is None else context
        if context is None:
            self.context.add_init_script(INIT_JS)
        self.page = self.context.new_page()
        self.plotly_requests = 0
        self.page.on("request", self._request)
        self.page.set_default_timeout(400_000)  # a loaded 2-core machine can take minutes per page
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        self.cpu0 = self._cpu()
        self.gl_warnings = 0
        self.page.on("console", self._console)
        self.url = url

    def _cpu(self) -> dict:
        """Renderer CPU seconds so far: its main thread (ThreadTime) and the whole process (ProcessTime)."""
        m = {x["name"]: x["value"] for x in self.cdp.send("Performance.getMetrics")["metrics"]}
        return {"thread": m.get("ThreadTime", 0.0), "process": m.get("ProcessTime", 0.0)}

    def _request(self, request) -> None:
        if "plotlychart" in request.url.lower():
            self.plotly_requests += 1

    def _console(self, msg) -> None:
        if "webgl" in msg.text.lower():
            self.gl_warnings += 1

    def open_teach(self, query: str = "", timeout_ms: int = 400_000) -> dict:
        """Open Teach in this (new) tab; time from navigation start to settled."""
        mark = self.server.mark()
        self.cpu0 = self._cpu()
        self.page.goto(self.url + "/?view=Teach" + query)
        out = self.settled(mark, timeout_ms)
        out["plotly_chunk"] = self.plotly_requests
        return out

    def set_channels(self, n_ch: int) -> None:
        """Open at level 0.30 with ``n_ch`` channels: by the link (code that reads it) or with the sliders.

        Through the link the levels below 0.50 are never computed on the way (no nudge
        finds its level in a cache); the keyboard fallback walks down from 0.50.
        """
        self.open_teach(f"&teach_n_channels={n_ch}&teach_level=0.3")
        box = self.page.locator('[data-testid="stSlider"]').filter(has_text=CHANNELS_LABEL)
        if box.count() and box.first.is_visible():  # the slider is on the page: the link may have been ignored
            thumb = box.first.get_by_role("slider").first
            if int(float(thumb.get_attribute("aria-valuetext") or thumb.input_value())) != n_ch:
                self.press(CHANNELS_LABEL, "Home" if n_ch == 1 else "End")
        level = self.slider(LEVEL_LABEL)
        for _ in range(20):  # the link was ignored: down to 0.30 by keyboard (those levels are then cached)
            if float(level.get_attribute("aria-valuetext") or level.input_value()) <= 0.3 + 1e-9:
                break
            self.press(LEVEL_LABEL, "ArrowLeft")

    def settled(self, mark: int, timeout_ms: int = 400_000) -> dict:
        """Wait until settled; times in ms from the last key release (or the navigation start).

        ``script`` is the script run as the browser saw it, ``server`` the script runs the server
        logged since ``mark`` and ``browser`` the rest (transfer and drawing).
        """
        self.page.wait_for_function(SETTLED_JS, arg=QUIET_MS, timeout=timeout_ms, polling="raf")
        return self.split(mark)

    def split(self, mark: int) -> dict:
        """The settled page's times (ms), split: the script runs the server logged since ``mark``,
        the browser the rest; with the renderer's CPU since the step began."""
        out = self.page.evaluate(READ_JS)
        cpu = self._cpu()
        out["script"] = out.pop("server")
        time.sleep(0.05)
        server_s, server_cpu_s, n_runs = self.server.server_s(mark)
        out["server"], out["server_cpu"], out["runs"] = 1000.0 * server_s, 1000.0 * server_cpu_s, n_runs
        out["browser"] = out["total"] - out["server"]
        out["browser_cpu"] = 1000.0 * (cpu["process"] - self.cpu0["process"])
        out["browser_main_cpu"] = 1000.0 * (cpu["thread"] - self.cpu0["thread"])
        return out

    def slider(self, label: str):
        return self.page.locator('[data-testid="stSlider"]').filter(has_text=label).first.get_by_role("slider").first

    def press(self, label: str, key: str, timeout_ms: int = 400_000) -> dict:
        thumb = self.slider(label)
        thumb.focus()
        self.cpu0 = self._cpu()
        mark = self.server.mark()
        self.page.keyboard.press(key)
        return self.settled(mark, timeout_ms)

    def close(self) -> None:
        if self.own_context:
            self.context.close()
        else:
            self.page.close()


def _median(rows, field):
    return statistics.median(r[field] for r in rows) / 1000.0


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def run(apps: list[tuple[str, Path]], nudges: int, opens: int, *, skip_opens: bool = False,
        channels=(1, 8)) -> dict:
    from playwright.sync_api import sync_playwright

    results: dict = {name: {"first_open": None, "opens": [], "tab_opens": [], "nudge_1ch": [], "nudge_8ch": [],
                            "gl_warnings": 0} for name, _ in apps}
    loads = [_load()]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        servers = [Server(name, root, Path(tmp)) for name, root in apps]
        try:
            # 1. first open on each fresh server, then more cold opens (fresh tab and session each)
            for rnd in range(0 if skip_opens else opens + 1):
                for s in servers:
                    tab = Tab(browser, s)
                    r = tab.open_teach()
                    if rnd == 0:
                        results[s.name]["first_open"] = r
                    else:
                        results[s.name]["opens"].append(r)
                    print(f"{s.name} open {rnd}: {r['total'] / 1000:.2f} s (server {r['server'] / 1000:.2f}, "
                          f"{r['runs']} runs, Plotly chunk fetched: {r['plotly_chunk']})",
                          flush=True)
                    tab.close()
            # 1b. new tabs in one browser context that has opened the app once (static files cached)
            if not skip_opens:
                contexts = {}
                for s in servers:
                    contexts[s.name] = browser.new_context(viewport=VIEWPORT)
                    contexts[s.name].add_init_script(INIT_JS)
                    warm = Tab(browser, s, contexts[s.name])
                    warm.open_teach()
                    warm.close()
                for rnd in range(opens):
                    for s in servers:
                        tab = Tab(browser, s, contexts[s.name])
                        r = tab.open_teach()
                        results[s.name]["tab_opens"].append(r)
                        print(f"{s.name} open in a new tab of the same context {rnd}: {r['total'] / 1000:.2f} s "
                              f"(server {r['server'] / 1000:.2f}, Plotly chunk fetched: {r['plotly_chunk']})",
                              flush=True)
                        tab.close()
                for ctx in contexts.values():
                    ctx.close()
            # 2. nudges, 1 then 8 channels; interleaved across apps
            for n_ch, field in ((n, f"nudge_{n}ch") for n in channels):
                tabs = []
                for s in servers:
                    tab = Tab(browser, s)
                    tab.set_channels(n_ch)  # level 0.30: the nudges then reach 0.35 ... 0.80, each new
                    tabs.append((s, tab))
                loads.append(_load())
                for i in range(nudges):
                    for s, tab in tabs:
                        r = tab.press(LEVEL_LABEL, "ArrowRight")
                        results[s.name][field].append(r)
                        print(f"{s.name} {n_ch} ch nudge {i}: {r['total'] / 1000:.2f} s "
                              f"(server {r['server'] / 1000:.2f} in {r['runs']} runs, browser {r['browser'] / 1000:.2f}; CPU "
                              f"{r['server_cpu'] / 1000:.2f} + {r['browser_cpu'] / 1000:.2f}, "
                              f"{r['charts']} charts, {r['gl']} WebGL canvases, {r['canvases']} Teach canvases "
                              f"painted {r['paints']}×)", flush=True)
                for s, tab in tabs:
                    results[s.name]["gl_warnings"] += tab.gl_warnings
                    tab.close()
            loads.append(_load())
        finally:
            for s in servers:
                s.stop()
            browser.close()
    return {"apps": {name: str(root) for name, root in apps}, "results": results, "loads": loads,
            "machine": machine(), "nudges": nudges}


def _cell(rows, *, bold: bool = True) -> str:
    if not rows:
        return "–"
    total = f"{_median(rows, 'total'):.2f}"
    return (f"{'**' + total + '**' if bold else total} ({_median(rows, 'server'):.2f} + "
            f"{_median(rows, 'browser'):.2f})")


def _cpu_cell(rows) -> str:
    return f"{_median(rows, 'server_cpu'):.2f} + {_median(rows, 'browser_cpu'):.2f}" if rows else "–"


def _worst(rows) -> str:
    return f"{max(x['total'] for x in rows) / 1000:.2f}" if rows else "–"


def _opens_cell(opens) -> str:
    if not opens:
        return "–"
    return f"{_median(opens, 'total'):.2f} ({_median(opens, 'server'):.2f})"


def _open_cell(one) -> str:
    return f"{one['total'] / 1000:.2f} ({one['server'] / 1000:.2f})" if one else "–"


def markdown(data: dict, section: str) -> str:
    rows = []
    for name, r in data["results"].items():
        opens = r["opens"]
        last = (r.get("nudge_1ch") or r.get("nudge_8ch") or [{"charts": "–", "gl": "–"}])[-1]
        all_opens = opens + r.get("tab_opens", []) + ([r["first_open"]] if r["first_open"] else [])
        plotly = "yes" if any(o.get("plotly_chunk") for o in all_opens) else ("no" if all_opens else "–")
        nudged = (r.get("nudge_1ch") or []) + (r.get("nudge_8ch") or [])
        paints = f"{statistics.median(x.get('paints', 0) for x in nudged):g}" if nudged else "–"
        rows.append(
            f"| {name} | {_open_cell(r['first_open'])} "
            f"| {_opens_cell(opens)} | {_opens_cell(r.get('tab_opens'))} | {plotly} "
            f"| {_cell(r.get('nudge_1ch'))} | {_worst(r.get('nudge_1ch'))} | {_cpu_cell(r.get('nudge_1ch'))} "
            f"| {_cell(r.get('nudge_8ch'))} | {_worst(r.get('nudge_8ch'))} | {_cpu_cell(r.get('nudge_8ch'))} "
            f"| {last['charts']} / {last.get('canvases', 0)} / {last['gl']} | {paints} | {r['gl_warnings']} |")
    loads = "\n".join(f"    {x}" for x in data["loads"])
    apps = ", ".join(f"{k} = `{v}`" for k, v in data["apps"].items())
    return f"""
## Teach in the real browser (`benchmarks/bench_teach_browser.py`, section `{section}`)

{data['machine']}; Debian Chromium, headless, 1024×768. Apps: {apps}; run side by side (interleaved
nudge by nudge, so all saw the same load). Median of {data['nudges']} nudges of the "Contraction level" slider
(0.30 → 0.35 … 0.80, opened at 0.30 by the link: every level new, the simulation is recomputed), from the key's release to the settled page; 10 s at
2 kHz. Wall seconds; in brackets the script runs (server) + the rest (browser: debounce, transfer, drawing).
CPU seconds (the script thread's, + the browser renderer process's) do not grow with the machine's load as
wall time does. Targets: nudge ≤ 0.5 s (1 channel), ≤ 1.5 s (8 channels), cold open ≤ 3 s.

| app | first open, fresh server (server) | cold open, fresh browser context (server) | cold open, new tab of the same context (server) | Plotly chunk loaded | nudge 1 ch (server + browser) | worst 1 ch | CPU 1 ch (server + browser) | nudge 8 ch (server + browser) | worst 8 ch | CPU 8 ch (server + browser) | Plotly charts / Teach canvases / WebGL canvases | canvas paints per nudge | WebGL console warnings |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Machine load (`uptime`) before, between and after:

{loads}
"""


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--app", action="append", required=True, metavar="NAME=ROOT",
                    help="an app to measure: a name and the repo root holding its app.py (repeatable)")
    ap.add_argument("--nudges", type=int, default=10)
    ap.add_argument("--opens", type=int, default=3, help="cold opens after the first (median)")
    ap.add_argument("--section", default="teach_browser")
    ap.add_argument("--skip-opens", action="store_true", help="nudges only (no cold-open rounds)")
    ap.add_argument("--channels", type=int, nargs="+", default=[1, 8], choices=[1, 8])
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = ap.parse_args(argv)
    apps = []
    for spec in args.app:
        name, _, root = spec.partition("=")
        if not root or not (Path(root) / "app.py").exists():
            ap.error(f"--app {spec!r}: expected NAME=ROOT with ROOT/app.py")
        apps.append((name, Path(root)))
    data = run(apps, args.nudges, args.opens, skip_opens=args.skip_opens, channels=args.channels)
    md = markdown(data, args.section)
    print(md)
    if not args.no_write:
        (HERE / f"teach_browser_{args.section}.json").write_text(json.dumps(data, indent=1))
        write_section(args.section, md)


if __name__ == "__main__":
    main()
