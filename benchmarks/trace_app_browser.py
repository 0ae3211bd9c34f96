"""Where the browser's time goes: a Chrome performance trace of one app step, summed by cost.

Opens ``streamlit run app.py`` (loopback) in Debian's Chromium like ``bench_app_browser.py`` (its
server launcher, tab and "settled" rule) and records a Chrome trace (timeline events and V8's
sampling CPU profiler, Playwright's ``browser.start_tracing``) of one step:

* ``first``: a new tab of a fresh browser context opens ``/`` (the bundled sample's Overview),
  from the navigation start to the settled page;
* ``tab``: the same in a new tab of a context that has opened the app before (HTTP cache warm);
* ``filter``: the "High (Hz)" box gets a new value and Enter;
* ``page``: Browse, "Next ▶".

Prints (and with ``--json`` saves) the renderer main thread's busy time split into what the
browser did (script compile, script run by file, style, layout, paint, GC, parse…), the V8 CPU
profile's self time by script file and by function, the network requests with their start and
end, and the wall time from the start to the settled page. The raw trace goes to ``--trace``
(open it in Chrome's DevTools, Performance → Load profile). Not a benchmark: tracing costs time
itself; compare costs within one trace, or traces taken the same way.

    python benchmarks/trace_app_browser.py [--app ROOT] [--step first|tab|filter|page] [--trace out.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import bench_app_browser as bab  # noqa: E402
import bench_teach_browser as btb  # noqa: E402

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "v8",
              "disabled-by-default-v8.cpu_profiler", "blink.user_timing", "loading", "toplevel",
              "disabled-by-default-devtools.timeline.frame", "blink", "cc", "gpu"]

#: Timeline event names grouped the way DevTools' summary groups them.
GROUPS = {
    "script: compile": {"v8.compile", "v8.compileModule", "V8.CompileCode", "v8.produceCache", "v8.produceModuleCache",
                        "v8.deserializeOnBackground", "V8.CompileLazy", "V8.ParseProgram", "V8.ParseFunction",
                        "v8.parseOnBackground", "CacheScript", "v8.compileEval"},
    "script: run": {"EvaluateScript", "v8.evaluateModule", "FunctionCall", "TimerFire", "EventDispatch",
                    "FireAnimationFrame", "RunMicrotasks", "v8.run", "V8.Execute", "FireIdleCallback",
                    "XHRReadyStateChange", "XHRLoad", "v8.callFunction", "V8.RunMicrotasks"},
    "gc": {"MajorGC", "MinorGC", "V8.GCScavenger", "V8.GCFinalizeMC", "V8.GC_MC_BACKGROUND", "BlinkGC.AtomicPhase",
           "V8.GCIncrementalMarking", "V8.GCCompactor", "BlinkGC.CompleteSweep", "V8.GCMarkCompactor",
           "GCEvent", "V8.GCIncrementalMarkingFinalize", "V8.GCIncrementalMarkingStart", "V8.GCMinorMS",
           "CppGC.IncrementalSweep", "V8.GC_SCAVENGER", "ThreadState::performIdleLazySweep",
           "BlinkGC.LazySweepInIdle"},
    "style": {"UpdateLayoutTree", "RecalculateStyles", "ParseAuthorStyleSheet", "ScheduleStyleRecalculation",
              "StyleRecalcInvalidationTracking", "Document::updateStyle"},
    "layout": {"Layout", "UpdateLayerTree", "InvalidateLayout", "LocalFrameView::layout"},
    "paint": {"Paint", "PrePaint", "Layerize", "PaintImage", "UpdateLayer", "CompositeLayers", "Commit",
              "RasterTask", "Decode Image", "ImageDecodeTask", "LocalFrameView::RunPaintLifecyclePhase"},
    "html": {"ParseHTML", "HTMLDocumentParser::didReceiveParsedChunkFromBackgroundParser"},
    "network/ipc": {"ResourceSendRequest", "ResourceReceiveResponse", "ResourceReceivedData", "ResourceFinish",
                    "WebSocketReceiveHandshakeResponse", "WebSocketCreate", "WebSocketSendHandshakeRequest"},
}
NAME_GROUP = {n: g for g, names in GROUPS.items() for n in names}


def _main_thread(events: list[dict]) -> tuple[int, int]:
    """(pid, tid) of the traced page's renderer main thread (the busiest CrRendererMain)."""
    names = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    busy = collections.Counter()
    for e in events:
        if e.get("ph") == "X" and (e["pid"], e["tid"]) in names:
            busy[(e["pid"], e["tid"])] += e.get("dur", 0)
    return busy.most_common(1)[0][0]


def _url(e: dict) -> str:
    data = (e.get("args") or {}).get("data") or {}
    u = data.get("url") or data.get("fileName") or (e.get("args") or {}).get("fileName") or ""
    return Path(u.split("?")[0]).name if u else ""


def timeline(events: list[dict], t0: float, t1: float) -> dict:
    """Self time (ms) per group and per (group, file) on the main thread between t0 and t1 (µs)."""
    pid, tid = _main_thread(events)
    xs = sorted((e for e in events if e.get("ph") == "X" and e["pid"] == pid and e["tid"] == tid
                 and t0 <= e["ts"] <= t1 and e.get("dur") is not None),
                key=lambda e: (e["ts"], -e["dur"]))
    self_ms = collections.Counter()
    by_file = collections.Counter()
    top_level = 0.0
    stack: list[list] = []  # [end, event, children µs, group, file]

    def close(item):
        end, e, child, group, f = item
        s = (e["dur"] - child) / 1000
        self_ms[group] += s
        if group.startswith("script") and f:
            by_file[(group, f)] += s

    for e in xs:
        while stack and stack[-1][0] <= e["ts"]:
            close(stack.pop())
        group = NAME_GROUP.get(e["name"])
        parent = stack[-1] if stack else None
        if parent is None:
            top_level += e["dur"] / 1000
        else:
            parent[2] += e["dur"]
        if group is None:  # unknown wrappers (RunTask, ThreadControllerImpl::RunTask, …): "other"
            group = parent[3] if parent is not None else "other (tasks, ipc)"
        f = _url(e) or (parent[4] if parent is not None else "")
        stack.append([e["ts"] + e["dur"], e, 0, group, f])
    while stack:
        close(stack.pop())
    return {"busy_ms": top_level, "groups": dict(self_ms.most_common()),
            "script_by_file": {f"{g} {f}": v for (g, f), v in by_file.most_common(25)}}


def cpu_profile(events: list[dict], t0: float, t1: float) -> dict:
    """V8 sampling profile of the main thread: self ms by script file and by function."""
    pid, tid = _main_thread(events)
    nodes: dict = {}
    by_file, by_fn = collections.Counter(), collections.Counter()
    profiles = {e["id"]: e["ts"] for e in events if e.get("name") == "Profile" and e["pid"] == pid}
    last_ts = {}
    for e in sorted((e for e in events if e.get("name") == "ProfileChunk" and e["pid"] == pid),
                    key=lambda e: e["ts"]):
        pid_ = e["id"]
        data = e["args"]["data"]
        prof = data.get("cpuProfile", {})
        for n in prof.get("nodes", []):
            nodes[(pid_, n["id"])] = n
        ts = last_ts.get(pid_, profiles.get(pid_, e["ts"]))
        for node_id, delta in zip(prof.get("samples", []), data.get("timeDeltas", [])):
            ts += delta
            if not (t0 <= ts <= t1):
                continue
            n = nodes.get((pid_, node_id))
            if n is None:
                continue
            cf = n["callFrame"]
            f = Path(cf.get("url", "").split("?")[0]).name or cf.get("functionName") or "(native)"
            by_file[f] += 1
            by_fn[f"{cf.get('functionName') or '(anonymous)'} {f}:{cf.get('lineNumber', -1) + 1}"] += 1
        last_ts[pid_] = ts
    n = sum(by_file.values())
    # sampling interval: the median time delta
    deltas = [d for e in events if e.get("name") == "ProfileChunk" and e["pid"] == pid
              for d in e["args"]["data"].get("timeDeltas", [])]
    interval = sorted(deltas)[len(deltas) // 2] / 1000 if deltas else 0.0
    return {"samples": n, "interval_ms": interval,
            "by_file_ms": {k: v * interval for k, v in by_file.most_common(20)},
            "by_function_ms": {k: v * interval for k, v in by_fn.most_common(30)}}


def requests(events: list[dict], t0: float) -> list[dict]:
    """Network requests: file, start and finish (ms after t0), encoded bytes."""
    out = {}
    for e in events:
        data = (e.get("args") or {}).get("data") or {}
        rid = data.get("requestId")
        if not rid:
            continue
        if e["name"] == "ResourceSendRequest":
            out[rid] = {"file": Path(data.get("url", "").split("?")[0]).name or data.get("url"),
                        "start_ms": (e["ts"] - t0) / 1000}
        elif e["name"] == "ResourceFinish" and rid in out:
            out[rid]["end_ms"] = (e["ts"] - t0) / 1000
            out[rid]["kB"] = data.get("encodedDataLength", 0) / 1000
    return sorted(out.values(), key=lambda r: r["start_ms"])


def busy_timeline(events: list[dict], t0: float, t1: float, bin_ms: float = 250) -> list[float]:
    """Fraction of each ``bin_ms`` the main thread was busy with top-level tasks."""
    pid, tid = _main_thread(events)
    n = int((t1 - t0) / 1000 / bin_ms) + 1
    bins = [0.0] * n
    end = -1.0
    for e in sorted((e for e in events if e.get("ph") == "X" and e["pid"] == pid and e["tid"] == tid
                     and e.get("dur") is not None), key=lambda e: (e["ts"], -e["dur"])):
        if e["ts"] < end:  # nested in a task already counted
            continue
        end = e["ts"] + e["dur"]
        a, b = max(e["ts"], t0), min(e["ts"] + e["dur"], t1)
        while a < b:
            i = int((a - t0) / 1000 / bin_ms)
            edge = t0 + (i + 1) * bin_ms * 1000
            bins[i] += (min(b, edge) - a) / 1000
            a = min(b, edge)
    return [round(x / bin_ms, 2) for x in bins]


def long_tasks(events: list[dict], t0: float, t1: float, min_ms: float = 40) -> list[dict]:
    """Top-level main-thread tasks of at least ``min_ms``: start (ms after t0), duration and what
    took most of it (the event group and script file with the largest self time inside)."""
    pid, tid = _main_thread(events)
    xs = sorted((e for e in events if e.get("ph") == "X" and e["pid"] == pid and e["tid"] == tid
                 and e.get("dur") is not None and t0 <= e["ts"] <= t1), key=lambda e: (e["ts"], -e["dur"]))
    out, i = [], 0
    while i < len(xs):
        top = xs[i]
        end = top["ts"] + top["dur"]
        j = i + 1
        while j < len(xs) and xs[j]["ts"] < end:
            j += 1
        if top["dur"] >= min_ms * 1000:
            inner = timeline_of(xs[i:j])
            what = ", ".join(f"{k} {v:.0f}" for k, v in list(inner.items())[:3])
            out.append({"start_ms": (top["ts"] - t0) / 1000, "ms": top["dur"] / 1000, "what": what})
        i = j
    return out


def timeline_of(xs: list[dict]) -> dict:
    """Self ms per (group file) of a list of nested events sorted by (ts, -dur)."""
    acc = collections.Counter()
    stack: list[list] = []

    def close(item):
        acc[item[3]] += (item[1]["dur"] - item[2]) / 1000

    for e in xs:
        while stack and stack[-1][0] <= e["ts"]:
            close(stack.pop())
        parent = stack[-1] if stack else None
        if parent is not None:
            parent[2] += e["dur"]
        group = NAME_GROUP.get(e["name"])
        f = _url(e)
        label = (f"{group} {f}".strip() if group else (parent[3] if parent is not None else e["name"]))
        if group and not f and parent is not None and parent[3].startswith(group):
            label = parent[3]
        stack.append([e["ts"] + e["dur"], e, 0, label])
    while stack:
        close(stack.pop())
    return dict(acc.most_common())


def run(root: Path, step: str, trace_path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=btb.CHROMIUM, args=btb.CHROME_ARGS)
        server = btb.Server("app", root, Path(tmp))
        try:
            warm = bab.AppTab(browser, server)  # the server's first runs (imports, caches) are not what we trace
            warm.open()
            warm.open()
            if step == "tab":
                tab = bab.AppTab.__new__(bab.AppTab)
                btb.Tab.__init__(tab, browser, server, context=warm.context)
            elif step == "first":
                warm.close()
                tab = bab.AppTab(browser, server)
            else:
                tab = warm
                tab.open("?view=Browse" if step == "page" else "")
            browser.start_tracing(page=tab.page, path=str(trace_path), categories=CATEGORIES, screenshots=False)
            t_start = tab.page.evaluate("() => performance.timeOrigin + performance.now()") if step in (
                "filter", "page") else None
            if step in ("first", "tab"):
                r = tab.open()
            elif step == "filter":
                r = tab.high_hz(430)
            else:
                r = tab.next_page()
            origin = tab.page.evaluate("() => performance.timeOrigin")
            draws = tab.page.evaluate("""() => performance.getEntriesByType('measure')
                .filter(m => m.name.startsWith('emgviz-plotly')).map(m => [m.name, m.startTime, m.duration])""")
            b = tab.page.evaluate("() => window.__bench")
            browser.stop_tracing()
        finally:
            server.stop()
            browser.close()
    trace = json.loads(trace_path.read_text())
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    # page clock → trace clock: the traced page's navigation start (first) or the key's release (others)
    # is found as the first TracingStartedInBrowser / the step's own input event; use the clock sync
    # of the RENDERED mutation: performance.now() values are relative to timeOrigin, trace ts are
    # monotonic µs; Chrome's trace clock is the same monotonic clock as performance.timeOrigin's base.
    nav = [e for e in events if e.get("name") == "navigationStart"]
    if step in ("first", "tab") and nav:
        t0 = min(e["ts"] for e in nav)
    else:
        inputs = [e for e in events if e.get("name") == "EventDispatch"
                  and ((e.get("args") or {}).get("data") or {}).get("type") in ("keyup", "click")]
        t0 = inputs[-1]["ts"] if inputs else min(e["ts"] for e in events if e.get("ts"))
    t1 = t0 + r["total"] * 1000
    out = {"step": step, "root": str(root), "total_ms": r["total"], "server_ms": r["server"],
           "browser_cpu_ms": r.get("browser_cpu"), "bench": b,
           "timeline": timeline(events, t0, t1), "profile": cpu_profile(events, t0, t1),
           "requests": requests(events, t0), "busy_per_250ms": busy_timeline(events, t0, t1),
           "long_tasks": long_tasks(events, t0, t1), "plotly_draws": draws}
    del origin, t_start
    return out


def report(out: dict) -> str:
    lines = [f"step {out['step']} ({out['root']}): {out['total_ms'] / 1000:.2f} s to settled; server "
             f"{out['server_ms'] / 1000:.2f} s; renderer CPU {(out['browser_cpu_ms'] or 0) / 1000:.2f} s",
             f"main thread busy (top-level tasks): {out['timeline']['busy_ms'] / 1000:.2f} s"]
    for g, v in out["timeline"]["groups"].items():
        lines.append(f"  {g:28s} {v:8.0f} ms")
    lines.append("script by file (timeline self ms):")
    for k, v in out["timeline"]["script_by_file"].items():
        if v >= 10:
            lines.append(f"  {k:60s} {v:8.0f}")
    p = out["profile"]
    lines.append(f"V8 CPU profile: {p['samples']} samples at {p['interval_ms']:.2f} ms; self ms by file:")
    for k, v in p["by_file_ms"].items():
        lines.append(f"  {k:60s} {v:8.0f}")
    lines.append("top functions (self ms):")
    for k, v in p["by_function_ms"].items():
        lines.append(f"  {k[:90]:90s} {v:8.0f}")
    lines.append("requests (start → end ms after the start, kB):")
    for r in out["requests"]:
        if r.get("kB", 0) >= 20 or "static" in str(r.get("file")) or "plotly" in str(r.get("file")).lower():
            lines.append(f"  {str(r['file'])[:50]:50s} {r['start_ms']:7.0f} → {r.get('end_ms', float('nan')):7.0f}"
                         f"  {r.get('kB', 0):7.0f}")
    lines.append("Plotly.react of each chart (name, start ms on the page clock, ms):")
    for name, start, dur in out.get("plotly_draws", []):
        lines.append(f"  {name:40s} {start:8.0f} {dur:7.0f}")
    lines.append("long main-thread tasks (start ms, ms, biggest self costs in ms):")
    for t in out["long_tasks"]:
        lines.append(f"  {t['start_ms']:7.0f} {t['ms']:6.0f}  {t['what']}")
    lines.append("main thread busy fraction per 250 ms: " + " ".join(f"{x:.2f}" for x in out["busy_per_250ms"]))
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--app", type=Path, default=ROOT, help="repo root holding app.py")
    ap.add_argument("--step", choices=("first", "tab", "filter", "page"), default="first")
    ap.add_argument("--trace", type=Path, default=Path(tempfile.gettempdir()) / "emgviz_trace.json")
    ap.add_argument("--json", type=Path, default=None, help="save the summary here")
    args = ap.parse_args(argv)
    out = run(args.app.resolve(), args.step, args.trace)
    print(report(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
