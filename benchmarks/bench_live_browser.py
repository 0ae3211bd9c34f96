"""The Live view in a real browser: latency (sample pushed → drawn), refresh rate, CPU and memory growth.

A loopback LSL outlet in this process pushes 8 ch × 2000 Hz every 20 ms and notes, for every
chunk, its newest LSL time stamp and the wall-clock time it was pushed. `streamlit run app.py`
shows it in the Live view in Debian's Chromium (Playwright). A requestAnimationFrame loop in the
page notes each time the drawn figure changes: the newest time stamp it shows
(the canvas's ``data-t-last``, set after each paint) and ``Date.now()``. Latency of a redraw = the time it appeared on screen
minus the time its newest sample was pushed (same machine, same clock).

Memory (RSS of the Streamlit server, of all Chromium processes, and the page's JS heap) is read
every 30 s for ``--minutes`` (default 10).

    PYTHONPATH=$PWD python benchmarks/bench_live_browser.py [--minutes 10] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

OBSERVE_JS = """() => {
  window.__obs = [];
  let last = null;
  function tick() {
    const c = document.querySelector('canvas.emgviz-live');
    const t = c && c.dataset.tLast ? parseFloat(c.dataset.tLast) : null;
    if (t !== null && t !== last) { last = t; window.__obs.push([t, Date.now()]); }
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
}"""


class Pusher(threading.Thread):
    """An LSL outlet pushing random samples at real time; remembers (newest stamp, wall time) per chunk."""

    def __init__(self, name: str, n_ch: int, fs: float, chunk_ms: float = 20.0):
        super().__init__(daemon=True)
        from emgviz.live.lslconfig import lsl

        self.pylsl = lsl()
        info = self.pylsl.StreamInfo(name, "EMG", n_ch, fs, self.pylsl.cf_float32, f"bench-{name}")
        chans = info.desc().append_child("channels")
        for i in range(n_ch):
            c = chans.append_child("channel")
            c.append_child_value("label", f"m{i + 1}")
            c.append_child_value("unit", "V")
            c.append_child_value("type", "EMG")
        self.outlet = self.pylsl.StreamOutlet(info)
        self.n_ch, self.fs, self.period = n_ch, fs, chunk_ms / 1000
        self.log: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def run(self):
        rng = np.random.default_rng(0)
        t0, pushed = self.pylsl.local_clock(), 0
        while not self.stop.is_set():
            due = int((self.pylsl.local_clock() - t0) * self.fs) + 1 - pushed
            if due > 0:
                x = rng.normal(0, 1e-4, (due, self.n_ch)).astype(np.float32)
                stamps = t0 + (pushed + np.arange(due)) / self.fs
                self.outlet.push_chunk(x, stamps.tolist())
                self.log.append((float(stamps[-1]), time.time()))
                pushed += due
            self.stop.wait(self.period)


def _rss(procs) -> int:
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _cpu(procs) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--channels", type=int, default=8)
    ap.add_argument("--fs", type=float, default=2000.0)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from emgviz.live.lslconfig import configure_lsl
    from tests.e2e.conftest import CHROME_ARGS, CHROMIUM, start_server, stop_server

    configure_lsl()  # before the server starts: it inherits LSLAPICFG
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"emgviz-bench-live-{os.getpid()}.log"
    server, url, log = start_server(log_path)
    name = f"bench-live-{os.getpid()}"
    pusher = Pusher(name, args.channels, args.fs)
    pusher.start()
    load_before = os.getloadavg()
    me = psutil.Process()
    samples = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(url + "/?view=Live")
            main_ = page.locator('[data-testid="stMain"]')
            main_.get_by_text("Live EMG").wait_for(timeout=120_000)
            main_.locator('[data-testid="stRadio"] label').filter(has_text="LSL stream").click()
            main_.get_by_role("button", name="Find streams").click()
            box = main_.get_by_role("combobox", name="Stream")
            box.wait_for(timeout=60_000)
            box.click()
            page.get_by_role("option", name=name, exact=False).first.click()
            main_.get_by_role("button", name="Start").click()
            page.wait_for_function("() => { const c = document.querySelector('canvas.emgviz-live');"
                                   " return c && parseFloat(c.dataset.tLast) > 0; }", timeout=120_000)
            page.evaluate(OBSERVE_JS)
            srv = psutil.Process(server.pid)
            chrome = [p for p in me.children(recursive=True) if "chrom" in p.name().lower()]
            t_start = time.monotonic()
            cpu0 = (_cpu([srv]), _cpu(chrome), _cpu([me]))
            while True:
                elapsed = time.monotonic() - t_start
                heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : 0")
                samples.append({"t_s": round(elapsed, 1), "server_rss_mb": _rss([srv]) / 2**20,
                                "chromium_rss_mb": _rss(chrome) / 2**20, "js_heap_mb": heap / 2**20})
                print(json.dumps(samples[-1]), flush=True)
                if elapsed >= args.minutes * 60:
                    break
                time.sleep(min(30.0, args.minutes * 60 - elapsed + 0.1))
            wall = time.monotonic() - t_start
            cpu1 = (_cpu([srv]), _cpu(chrome), _cpu([me]))
            obs = page.evaluate("() => window.__obs")
            page.screenshot(path=str(ROOT / "shots" / "live_bench.png"))
            browser.close()
    finally:
        pusher.stop.set()
        stop_server(server, log)
    load_after = os.getloadavg()

    stamps = np.array([s for s, _ in pusher.log])
    walls = np.array([w for _, w in pusher.log])
    lat, series = [], []
    for t_last, now_ms in obs:
        i = int(np.searchsorted(stamps, t_last - 1e-9))
        if i < len(stamps):
            lat.append(now_ms / 1000 - walls[i])
            series.append((round((now_ms - obs[0][1]) / 1000, 2), round(lat[-1] * 1000)))
    lat = np.array(lat)
    quarter = max(1, len(lat) // 4)
    trend = [round(1000 * float(np.median(lat[k:k + quarter]))) for k in range(0, len(lat), quarter)][:4]
    span = (obs[-1][1] - obs[0][1]) / 1000 if len(obs) > 1 else float("nan")
    res = {"minutes": args.minutes, "redraws": len(obs), "refresh_hz": (len(obs) - 1) / span,
           "latency_median_ms": 1000 * float(np.median(lat)), "latency_p95_ms": 1000 * float(np.percentile(lat, 95)),
           "latency_min_ms": 1000 * float(lat.min()), "latency_max_ms": 1000 * float(lat.max()),
           "cpu_server_pct": 100 * (cpu1[0] - cpu0[0]) / wall, "cpu_chromium_pct": 100 * (cpu1[1] - cpu0[1]) / wall,
           "cpu_pusher_pct": 100 * (cpu1[2] - cpu0[2]) / wall,
           "server_rss_growth_mb": samples[-1]["server_rss_mb"] - samples[0]["server_rss_mb"],
           "chromium_rss_growth_mb": samples[-1]["chromium_rss_mb"] - samples[0]["chromium_rss_mb"],
           "js_heap_growth_mb": samples[-1]["js_heap_mb"] - samples[0]["js_heap_mb"],
           "latency_median_ms_by_quarter": trend,
           "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after]}
    print(json.dumps(res, indent=1))
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"emgviz-bench-live-browser-{args.minutes:g}min.json"
    out.write_text(json.dumps({"result": res, "samples": samples, "latency_series": series}, indent=1))
    if args.write:
        from _results import machine, write_section

        first, last = samples[0], samples[-1]
        rows = "\n".join(f"| {s['t_s']:.0f} | {s['server_rss_mb']:.1f} | {s['chromium_rss_mb']:.1f} | "
                         f"{s['js_heap_mb']:.1f} |" for s in samples[:: max(1, len(samples) // 6)] + [last])
        write_section("live_browser", f"""
## Live view in a real browser (`benchmarks/bench_live_browser.py`)

{machine()}; load average before {res['load_before']}, after {res['load_after']} (2 cores shared with
other work: every figure below is slower than on an idle machine). Loopback LSL outlet, {args.channels} ch ×
{args.fs:g} Hz, pushed every 20 ms; `streamlit run app.py`, Live view, Debian Chromium (Playwright,
1440×1000); {args.minutes:g} min.

| measure | value | goal |
|---|---:|---|
| redraws per second (browser) | {res['refresh_hz']:.2f} | ≥ 5 |
| latency, sample pushed → drawn: median | {res['latency_median_ms']:.0f} ms | |
| latency p95 / min / max | {res['latency_p95_ms']:.0f} / {res['latency_min_ms']:.0f} / {res['latency_max_ms']:.0f} ms | |
| latency median by quarter of the run | {' / '.join(str(v) for v in res['latency_median_ms_by_quarter'])} ms | steady |
| CPU: Streamlit server / Chromium / LSL pusher (% of one core) | {res['cpu_server_pct']:.0f} / {res['cpu_chromium_pct']:.0f} / {res['cpu_pusher_pct']:.0f} | |
| memory growth over the run: server RSS | {res['server_rss_growth_mb']:+.1f} MB | < 50 MB |
| memory growth: Chromium RSS (all processes) / JS heap | {res['chromium_rss_growth_mb']:+.1f} / {res['js_heap_growth_mb']:+.1f} MB | |

| t (s) | server RSS (MB) | Chromium RSS (MB) | JS heap (MB) |
|---:|---:|---:|---:|
{rows}
""")


if __name__ == "__main__":
    main()
