"""The app in the real browser: first render, a filter change and a Browse page, split server vs browser.

Drives ``streamlit run app.py`` (loopback) with Debian's Chromium through Playwright, reusing the
server launcher, the tab and the "settled" rule of ``bench_teach_browser.py`` (script runs timed
inside the server; a page is settled when the script has run, no skeleton is left, every visible
Plotly chart has drawn and the DOM has been quiet for 400 ms, the time being that of the last DOM
change) and ``RENDERED_JS`` of tests/e2e/conftest.py. On the bundled sample (the app's default):

* **first full render**: a new tab opens ``/`` until settled (time from the navigation start).
  The first open on the fresh server is reported apart; then the median of ``--opens`` opens.
* **first render, returning visitor** (``--warm-opens N``): a new tab of a browser context that has
  opened the app before (its HTTP cache and V8's code cache warm: what a user who opens the app again
  in the same browser gets); still a new session, every element drawn afresh.
* **filter change**: the "High (Hz)" box gets a new value each time (440, 430, … Hz: never a
  cached result) and Enter; time from the key's release.
* **Browse page**: "Next ▶" clicked; time from the click.

With ``--minutes M`` (default 60; 0 skips it) the same on a synthetic M min × 16 ch × 2 kHz EDF
uploaded through the page: the upload until the Overview has drawn, filter changes, Browse pages.

Each time is split into **server** (the script runs the server logged meanwhile) and **browser**
(the rest: transfer and drawing). Targets (issue #21, on the bundled sample): first render
≤ 3 s, filter change ≤ 0.8 s, Browse page ≤ 0.5 s.

    python benchmarks/bench_app_browser.py [--opens 5] [--warm-opens 5] [--repeat 5] [--minutes 60] [--no-write]
        [--app before=/work/main --app after=.] [--section app_browser]

With several ``--app NAME=ROOT`` the apps (e.g. the code before and after a change) run side by
side: one server each, every open, filter change and page interleaved across them.

Writes section ``app_browser`` of benchmarks/RESULTS.md (with ``uptime`` before and after).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import bench_teach_browser as btb  # noqa: E402
from _results import machine, write_section  # noqa: E402

btb.VIEWPORT = {"width": 1440, "height": 1000}  # the desktop size of the house screenshots


def _e2e_conftest():
    """tests/e2e/conftest.py as a module (its RENDERED_JS: script done, every visible chart drawn)."""
    spec = importlib.util.spec_from_file_location("_e2e_conftest", ROOT / "tests" / "e2e" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RENDERED_JS = _e2e_conftest().RENDERED_JS

#: A click also starts the clock (bench_teach_browser's INIT_JS starts it on a key release).
CLICK_JS = """
document.addEventListener('click', () => {
  const b = window.__bench;
  if (b) { b.t0 = performance.now(); b.runStart = null; b.runEnd = null; b.sawRun = false; }
}, true);
"""

TARGETS = {"first": 3.0, "filter": 0.8, "page": 0.5}

#: Settled without relying on seeing the script state go running → notRunning in the page: on a loaded
#: machine the run can start before the key's release resets the watch (seen: a filter change that
#: never "settled"). The server's log says the run happened; the page must then be idle and quiet.
QUIET_JS = """(quietMs) => {
  const b = window.__bench;
  const app = document.querySelector('[data-testid=stApp]');
  if (!b || !app || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid^=stSkeleton], [data-testid=stAppSkeleton]')) return false;
  const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')].filter(c => c.offsetParent !== null);
  if (!charts.every(c => c.querySelector('.main-svg'))) return false;
  // the mounted Plotly component (views/plotly_component.py): drawn, and no newer figure waiting
  const mounted = [...document.querySelectorAll('div.emgviz-plotly')].filter(c => c.offsetParent !== null);
  if (!mounted.every(c => c.dataset.pending === '0' && c.querySelector('.main-svg'))) return false;
  return performance.now() - b.lastMut >= quietMs;
}"""


class AppTab(btb.Tab):
    """A tab on the emgviz app (any view), timing clicks as well as key presses."""

    def __init__(self, browser, server):
        super().__init__(browser, server)
        self.context.add_init_script(CLICK_JS)

    def settled(self, mark: int, timeout_ms: int = 400_000) -> dict:
        """Wait until the server has logged a script run since ``mark`` and the page is idle and quiet."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.server.server_s(mark)[2] == 0:
            if time.monotonic() > deadline:
                raise TimeoutError("no script run logged by the server")
            time.sleep(0.02)
        self.page.wait_for_function(QUIET_JS, arg=btb.QUIET_MS, timeout=timeout_ms, polling="raf")
        return self.split(mark)

    def open(self, query: str = "", timeout_ms: int = 400_000) -> dict:
        mark = self.server.mark()
        self.cpu0 = self._cpu()
        self.page.goto(self.server.url + "/" + query)
        return self.settled(mark, timeout_ms)

    def sidebar(self):
        return self.page.locator('[data-testid="stSidebar"]')

    def choose(self, label: str) -> dict:
        """Click a sidebar radio option (e.g. the view) and wait until settled."""
        mark = self.server.mark()
        self.cpu0 = self._cpu()
        self.sidebar().locator('[data-testid="stRadio"] label').filter(has_text=label).first.click()
        return self.settled(mark)

    def high_hz(self, value: float) -> dict:
        box = self.page.get_by_label("High (Hz)")
        box.fill(f"{value:g}")
        mark = self.server.mark()
        self.cpu0 = self._cpu()
        box.press("Enter")
        return self.settled(mark)

    def next_page(self) -> dict:
        button = self.page.get_by_role("button", name="Next ▶")
        mark = self.server.mark()
        self.cpu0 = self._cpu()
        button.click()
        return self.settled(mark)

    def upload(self, path: Path, timeout_ms: int = 1_200_000) -> dict:
        """Upload ``path`` and wait until the Overview has drawn (time from the file's selection)."""
        self.choose("Upload")
        uploader = self.sidebar().locator('[data-testid="stFileUploader"] input[type="file"]')
        mark = self.server.mark()
        self.cpu0 = self._cpu()
        t0 = self.page.evaluate("() => performance.now()")
        uploader.set_input_files(str(path))
        self.page.locator('[data-testid="stPlotlyChart"] .main-svg, div.emgviz-plotly .main-svg').first.wait_for(
            timeout=timeout_ms)
        self.page.wait_for_function(RENDERED_JS, timeout=timeout_ms)
        out = {"total": self.page.evaluate("() => performance.now()") - t0}
        server_s, cpu_s, runs = self.server.server_s(mark)
        out.update(server=1000 * server_s, server_cpu=1000 * cpu_s, runs=runs)
        out["browser"] = out["total"] - out["server"]
        return out

    def exceptions(self) -> int:
        return self.page.locator('[data-testid="stException"]').count()


def _say(label: str, r: dict) -> None:
    print(f"{label}: {r['total'] / 1000:.2f} s (server {r['server'] / 1000:.2f} in {r['runs']} runs, "
          f"CPU {r['server_cpu'] / 1000:.2f}; browser {r['browser'] / 1000:.2f})", flush=True)


def run(opens: int, repeat: int, minutes: float, apps: list[tuple[str, Path]] | None = None,
        warm_opens: int = 0) -> dict:
    """Measure each app (name, repo root) side by side: every step interleaved across the apps."""
    from playwright.sync_api import sync_playwright

    apps = apps or [("app", ROOT)]
    res: dict = {name: {"sample": {"first_open": None, "opens": [], "warm_opens": [], "filter": [], "page": [],
                                   "exceptions": 0},
                        "long": {}} for name, _ in apps}
    loads = [btb._load()]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=btb.CHROMIUM, args=btb.CHROME_ARGS)
        servers = [btb.Server(name, root, Path(tmp)) for name, root in apps]
        try:
            for i in range(opens + 1):  # 1. first full render: fresh tab, fresh session
                for server in servers:
                    s = res[server.name]["sample"]
                    tab = AppTab(browser, server)
                    r = tab.open()
                    _say(f"{server.name} open {i}", r)
                    if i == 0:
                        s["first_open"] = r
                    else:
                        s["opens"].append(r)
                    tab.close()
            if warm_opens:  # 1b. returning visitor: new tabs of a context that has opened the app before
                homes = {}
                for server in servers:
                    home = AppTab(browser, server)
                    home.open()
                    homes[server.name] = home
                for i in range(warm_opens):
                    for server in servers:
                        tab = AppTab.__new__(AppTab)
                        btb.Tab.__init__(tab, browser, server, context=homes[server.name].context)
                        r = tab.open()
                        _say(f"{server.name} warm open {i}", r)
                        res[server.name]["sample"]["warm_opens"].append(r)
                        tab.close()
                for home in homes.values():
                    home.close()
            tabs = []
            for server in servers:  # 2. filter changes, new values each time
                tab = AppTab(browser, server)
                tab.open()
                tabs.append((server, tab))
            for k in range(repeat):
                for server, tab in tabs:
                    r = tab.high_hz(440 - 10 * k)
                    _say(f"{server.name} filter change {k}", r)
                    res[server.name]["sample"]["filter"].append(r)
            for server, tab in tabs:
                res[server.name]["sample"]["exceptions"] += tab.exceptions()
                tab.close()
            tabs = []
            for server in servers:  # 3. Browse pages
                tab = AppTab(browser, server)
                tab.open("?view=Browse")
                tabs.append((server, tab))
            for k in range(repeat):
                for server, tab in tabs:
                    r = tab.next_page()
                    _say(f"{server.name} Browse page {k}", r)
                    res[server.name]["sample"]["page"].append(r)
            for server, tab in tabs:
                res[server.name]["sample"]["exceptions"] += tab.exceptions()
                tab.close()
            loads.append(btb._load())
            if minutes > 0:
                for server in servers:
                    res[server.name]["long"] = _long(browser, server, Path(tmp), minutes, repeat)
                    loads.append(btb._load())
        finally:
            for server in servers:
                server.stop()
            browser.close()
    return {"apps": {name: str(root) for name, root in apps}, "results": res, "loads": loads,
            "machine": machine(), "opens": opens, "repeat": repeat, "minutes": minutes, "warm_opens": warm_opens}


def _long(browser, server, tmp: Path, minutes: float, repeat: int) -> dict:
    from bench_browser import synthetic

    from emgviz.io.write import write_file

    rec = synthetic(seconds=minutes * 60)
    path = write_file(rec, tmp / "long.edf")
    del rec
    out = {"edf_mb": path.stat().st_size / 1e6, "filter": [], "page": []}
    tab = AppTab(browser, server)
    tab.open()
    out["upload"] = r = tab.upload(path)
    _say(f"{minutes:g} min: upload until the Overview drew", r)
    for k in range(max(2, repeat // 2)):
        r = tab.high_hz(440 - 10 * k)
        _say(f"{minutes:g} min: filter change {k}", r)
        out["filter"].append(r)
    out["to_browse"] = r = tab.choose("Browse")
    _say(f"{minutes:g} min: to Browse", r)
    for k in range(repeat):
        r = tab.next_page()
        _say(f"{minutes:g} min: Browse page {k}", r)
        out["page"].append(r)
    out["exceptions"] = tab.exceptions()
    tab.close()
    return out


def _med(rows, field="total") -> float:
    return statistics.median(r[field] for r in rows) / 1000.0


def _row(label: str, rows, target: float | None) -> str:
    if not rows:
        return f"| {label} | – | – | – | – | – | – | {'' if target is None else f'≤ {target:g} s'} |"
    total = _med(rows)
    verdict = "" if target is None else (f"≤ {target:g} s " + ("met" if total <= target else "**missed**"))
    cpu = f"{_med(rows, 'browser_cpu'):.2f}" if all("browser_cpu" in r for r in rows) else "–"
    return (f"| {label} | **{total:.2f}** | {_med(rows, 'server'):.2f} | {_med(rows, 'server_cpu'):.2f} | "
            f"{_med(rows, 'browser'):.2f} | {cpu} | {len(rows)} | {verdict} |")


def _rows(s: dict, lg: dict, minutes: float, prefix: str = "") -> list[str]:
    rows = [_row(prefix + "first full render, fresh server (once)", [s["first_open"]], None),
            _row(prefix + "first full render after the page opens (new tab)", s["opens"], TARGETS["first"])]
    if s.get("warm_opens"):
        rows.append(_row(prefix + "first full render, returning visitor (new tab, browser cache warm)",
                         s["warm_opens"], TARGETS["first"]))
    rows += [_row(prefix + "filter change (High Hz, new value)", s["filter"], TARGETS["filter"]),
             _row(prefix + "Browse page (Next ▶)", s["page"], TARGETS["page"])]
    if lg:
        m = minutes
        rows += [_row(f"{prefix}{m:g} min: upload ({lg['edf_mb']:.0f} MB EDF) until the Overview drew",
                      [lg["upload"]], None),
                 _row(f"{prefix}{m:g} min: filter change", lg["filter"], 4.0),
                 _row(f"{prefix}{m:g} min: to Browse", [lg["to_browse"]], None),
                 _row(f"{prefix}{m:g} min: Browse page (Next ▶)", lg["page"], TARGETS["page"])]
    return rows


def markdown(data: dict) -> str:
    if "apps" not in data:  # a run saved before --app existed: one app
        data = {**data, "apps": {"app": str(ROOT)}, "results": {"app": data["results"]}}
    rows, n_exc = [], 0
    several = len(data["apps"]) > 1
    for name, r in data["results"].items():
        s, lg = r["sample"], r["long"]
        rows += _rows(s, lg, data["minutes"], f"{name}: " if several else "")
        n_exc += s.get("exceptions", 0) + (lg.get("exceptions", 0) if lg else 0)
    loads = "\n".join(f"    {x}" for x in data["loads"])
    apps = ", ".join(f"{k} = `{v}`" for k, v in data["apps"].items())
    side = (" The apps ran side by side, each step interleaved across them (same load)." if several else "")
    return f"""## The app in the real browser (`benchmarks/bench_app_browser.py`)

{data['machine']}; Debian Chromium, headless, 1440×1000; `streamlit run app.py` on 127.0.0.1. Apps: {apps}.{side}
Bundled sample (UCI gestures, 8 ch) unless stated; the long recording is synthetic, 16 ch × 2 kHz,
uploaded through the page. Median wall seconds from the navigation start, the key's release or the click
to the settled page (script done, no skeleton, every visible chart drawn, DOM quiet 400 ms; the time is
the last DOM change); **server** = the script runs the server logged meanwhile, **browser** = the rest
(transfer and drawing); server CPU = the script thread's CPU seconds, browser CPU = the renderer
process's CPU seconds (CPU seconds grow far less with the machine's load than wall seconds). Cache budget EMGVIZ_CACHE_MB =
{os.environ.get("EMGVIZ_CACHE_MB", "2048 (default)")}. Exceptions shown on the pages: {n_exc}.

| step | s | server | server CPU | browser | browser CPU | n | target |
|---|---:|---:|---:|---:|---:|---:|---|
{chr(10).join(rows)}

Machine load (`uptime`) before, between and after:

{loads}
"""


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--opens", type=int, default=5, help="new-tab opens after the first (median)")
    ap.add_argument("--repeat", type=int, default=5, help="filter changes and page changes (median)")
    ap.add_argument("--warm-opens", type=int, default=0,
                    help="also open the app N times in new tabs of a browser context that opened it before")
    ap.add_argument("--minutes", type=float, default=60.0, help="length of the long upload; 0 skips it")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    ap.add_argument("--app", action="append", default=None, metavar="NAME=ROOT",
                    help="an app to measure: a name and the repo root holding its app.py (repeatable: the apps "
                         "run side by side, e.g. --app before=/work/main --app after=.); default: this repo")
    ap.add_argument("--section", default="app_browser", help="the RESULTS.md section to write")
    ap.add_argument("--json", type=Path, default=None, help="where the raw numbers go (default benchmarks/<section>.json)")
    ap.add_argument("--from-json", type=Path, default=None,
                    help="rewrite the section from a saved run (benchmarks/app_browser.json) instead of measuring")
    args = ap.parse_args(argv)
    if args.from_json is not None:
        data = json.loads(args.from_json.read_text())
        md = markdown(data)
        print(md)
        if not args.no_write:
            write_section(args.section, md)
        return
    apps = []
    for spec in args.app or []:
        name, _, root = spec.partition("=")
        if not root or not (Path(root) / "app.py").exists():
            ap.error(f"--app {spec!r}: expected NAME=ROOT with ROOT/app.py")
        apps.append((name, Path(root)))
    data = run(args.opens, args.repeat, args.minutes, apps or None, args.warm_opens)
    md = markdown(data)
    print(md)
    (args.json or HERE / f"{args.section}.json").write_text(json.dumps(data, indent=1))
    if not args.no_write:
        write_section(args.section, md)


if __name__ == "__main__":
    main()
