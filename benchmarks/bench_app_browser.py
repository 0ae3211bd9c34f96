"""The app in the real browser: first render, a filter change and a Browse page, split server vs browser.

Drives ``streamlit run app.py`` (loopback) with Debian's Chromium through Playwright, reusing the
server launcher, the tab and the "settled" rule of ``bench_teach_browser.py`` (script runs timed
inside the server; a page is settled when the script has run, no skeleton is left, every visible
Plotly chart has drawn and the DOM has been quiet for 400 ms, the time being that of the last DOM
change) and ``RENDERED_JS`` of tests/e2e/conftest.py. On the bundled sample (the app's default):

* **first full render**: a new tab opens ``/`` until settled (time from the navigation start).
  The first open on the fresh server is reported apart; then the median of ``--opens`` opens.
* **filter change**: the "High (Hz)" box gets a new value each time (440, 430, … Hz: never a
  cached result) and Enter; time from the key's release.
* **Browse page**: "Next ▶" clicked; time from the click.

With ``--minutes M`` (default 60; 0 skips it) the same on a synthetic M min × 16 ch × 2 kHz EDF
uploaded through the page: the upload until the Overview has drawn, filter changes, Browse pages.

Each time is split into **server** (the script runs the server logged meanwhile) and **browser**
(the rest: transfer and drawing). Targets (issue #21, on the bundled sample): first render
≤ 3 s, filter change ≤ 0.8 s, Browse page ≤ 0.5 s.

    python benchmarks/bench_app_browser.py [--opens 5] [--repeat 5] [--minutes 60] [--no-write]

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


class AppTab(btb.Tab):
    """A tab on the emgviz app (any view), timing clicks as well as key presses."""

    def __init__(self, browser, server):
        super().__init__(browser, server)
        self.context.add_init_script(CLICK_JS)

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
        self.page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=timeout_ms)
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


def run(opens: int, repeat: int, minutes: float) -> dict:
    from playwright.sync_api import sync_playwright

    res: dict = {"sample": {"first_open": None, "opens": [], "filter": [], "page": []}, "long": {}}
    loads = [btb._load()]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=btb.CHROMIUM, args=btb.CHROME_ARGS)
        server = btb.Server("app", ROOT, Path(tmp))
        try:
            s = res["sample"]
            for i in range(opens + 1):  # 1. first full render: fresh tab, fresh session
                tab = AppTab(browser, server)
                r = tab.open()
                _say(f"open {i}", r)
                if i == 0:
                    s["first_open"] = r
                else:
                    s["opens"].append(r)
                tab.close()
            tab = AppTab(browser, server)  # 2. filter changes, new values each time
            tab.open()
            for k in range(repeat):
                r = tab.high_hz(440 - 10 * k)
                _say(f"filter change {k}", r)
                s["filter"].append(r)
            s["exceptions"] = tab.exceptions()
            tab.close()
            tab = AppTab(browser, server)  # 3. Browse pages
            tab.open("?view=Browse")
            for k in range(repeat):
                r = tab.next_page()
                _say(f"Browse page {k}", r)
                s["page"].append(r)
            s["exceptions"] += tab.exceptions()
            tab.close()
            loads.append(btb._load())
            if minutes > 0:
                res["long"] = _long(browser, server, Path(tmp), minutes, repeat)
                loads.append(btb._load())
        finally:
            server.stop()
            browser.close()
    return {"results": res, "loads": loads, "machine": machine(), "opens": opens, "repeat": repeat,
            "minutes": minutes}


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


def markdown(data: dict) -> str:
    s, lg = data["results"]["sample"], data["results"]["long"]
    rows = [_row("first full render, fresh server (once)", [s["first_open"]], None),
            _row("first full render after the page opens (new tab)", s["opens"], TARGETS["first"]),
            _row("filter change (High Hz, new value)", s["filter"], TARGETS["filter"]),
            _row("Browse page (Next ▶)", s["page"], TARGETS["page"])]
    if lg:
        m = data["minutes"]
        rows += [_row(f"{m:g} min: upload ({lg['edf_mb']:.0f} MB EDF) until the Overview drew", [lg["upload"]], None),
                 _row(f"{m:g} min: filter change", lg["filter"], 4.0),
                 _row(f"{m:g} min: to Browse", [lg["to_browse"]], None),
                 _row(f"{m:g} min: Browse page (Next ▶)", lg["page"], TARGETS["page"])]
    loads = "\n".join(f"    {x}" for x in data["loads"])
    n_exc = s.get("exceptions", 0) + (lg.get("exceptions", 0) if lg else 0)
    return f"""## The app in the real browser (`benchmarks/bench_app_browser.py`)

{data['machine']}; Debian Chromium, headless, 1440×1000; `streamlit run app.py` on 127.0.0.1.
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
    ap.add_argument("--minutes", type=float, default=60.0, help="length of the long upload; 0 skips it")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    ap.add_argument("--from-json", type=Path, default=None,
                    help="rewrite the section from a saved run (benchmarks/app_browser.json) instead of measuring")
    args = ap.parse_args(argv)
    if args.from_json is not None:
        data = json.loads(args.from_json.read_text())
        md = markdown(data)
        print(md)
        if not args.no_write:
            write_section("app_browser", md)
        return
    data = run(args.opens, args.repeat, args.minutes)
    md = markdown(data)
    print(md)
    if not args.no_write:
        (HERE / "app_browser.json").write_text(json.dumps(data, indent=1))
        write_section("app_browser", md)


if __name__ == "__main__":
    main()
