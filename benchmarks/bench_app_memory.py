"""Server memory of a long recording in the app, step by step, with the DEFAULT cache budget (#21).

    python benchmarks/bench_app_memory.py [--minutes 60] [--cache-mb MB]
    python benchmarks/bench_app_memory.py --compare /work/wt/mem-base [--rounds 1]

AppTest (in-process server) on a synthetic 1 h × 16 ch × 2 kHz recording uploaded as EDF, the steps of
``bench_app_long.py`` (first Overview, rerun, filter change and back, Browse, Browse pages, back to the
Overview) and two more that reach for the filtered samples again (Browse's "Filtered" signal, the
Summary). After each step: its time, the server's RSS, the highest RSS during the step (sampled every
5 ms by a thread), how many times the recording was filtered (``preprocess`` calls) and what the
read/processing store holds. The ratio is (RSS − RSS before the upload) ÷ the float64 size of the data,
as in ``bench_app_long.py``. Writes section ``app_memory`` of benchmarks/RESULTS.md.

``--compare OTHER`` runs the checkout OTHER and this one, each in a process of its own, alternately
(OTHER, this, this, OTHER, … for ``--rounds`` pairs), and writes them side by side with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "--root" in sys.argv:  # the checkout whose emgviz and app.py are measured (default: this one)
    ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import git_label, machine, uptime, write_section  # noqa: E402

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_gb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * _PAGE / 1e9


class PeakSampler:
    """The highest RSS since the last :meth:`reset`, sampled every ``period_s`` by a daemon thread."""

    def __init__(self, period_s: float = 0.005):
        self.period_s, self.peak, self._stop = period_s, rss_gb(), False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self._stop:
            self.peak = max(self.peak, rss_gb())
            time.sleep(self.period_s)

    def reset(self) -> None:
        self.peak = rss_gb()

    def stop(self) -> None:
        self._stop = True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--cache-mb", type=float, default=None, help="EMGVIZ_CACHE_MB (default: unset, the app's default)")
    ap.add_argument("--root", type=Path, default=None, help="measure the emgviz and app.py of this checkout")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers of this run here")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    ap.add_argument("--compare", type=Path, default=None, help="another checkout: run it and this one alternately")
    ap.add_argument("--rounds", type=int, default=1, help="with --compare: pairs of runs")
    ap.add_argument("--label", default=None, help="with --compare: this checkout's label")
    ap.add_argument("--section", default="app_memory", help="the RESULTS.md section written (default app_memory)")
    args = ap.parse_args()
    if args.compare is not None:
        compare(args)
    else:
        run_once(args)


def _store_text() -> str:
    """What the read/processing store holds: kinds of entries and their GB."""
    from emgviz.views import cache

    store = cache.cache_store()
    with store._lock:
        entries = [(k.split("|", 1)[0], v[1]) for k, v in store._entries.items()]
    return " + ".join(f"{kind} {b / 1e9:.2f}" for kind, b in entries) or "empty"


def run_once(args) -> dict:
    if args.cache_mb is not None:
        os.environ["EMGVIZ_CACHE_MB"] = f"{args.cache_mb:g}"
    else:
        os.environ.pop("EMGVIZ_CACHE_MB", None)
    cache_mb = os.environ.get("EMGVIZ_CACHE_MB", "2048 (default)")
    import emgviz  # from ROOT, before bench_browser puts ITS checkout first on sys.path

    assert Path(emgviz.__file__).resolve().is_relative_to(ROOT), (emgviz.__file__, ROOT)
    from bench_browser import synthetic

    from emgviz.io.write import write_file
    from emgviz.views import cache
    from emgviz.views.sidebar import SETTING_KEYS

    calls = {"n": 0}
    original = cache.preprocess

    def counted(*a, **k):  # the store computes through this name
        calls["n"] += 1
        return original(*a, **k)

    cache.preprocess = counted
    os.chdir(ROOT)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        rec = synthetic(seconds=args.minutes * 60)
        float64_gb = rec.data.nbytes / 1e9
        path = write_file(rec, Path(tmp) / "long.edf")
        del rec
        data = path.read_bytes()
        edf_mb = len(data) / 1e6
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600).run()
        at.sidebar.radio(key="source").set_value("Upload").run()
        base_gb = rss_gb()
        sampler = PeakSampler()
        rows = []

        def step(label, action, goal=""):
            action()
            n0 = calls["n"]
            sampler.reset()
            t0 = time.perf_counter()
            at.run()
            dt = time.perf_counter() - t0
            errors = [str(e.value) for e in at.exception]
            now = rss_gb()
            rows.append({"step": label, "s": dt, "rss": now, "peak": max(sampler.peak, now),
                         "filtered": calls["n"] - n0, "store": _store_text(), "goal": goal, "errors": errors})
            print(f"{label}: {dt:.2f} s, RSS {now:.2f} GB, peak {rows[-1]['peak']:.2f} GB, "
                  f"preprocess ×{calls['n'] - n0}, store {rows[-1]['store']} {errors or ''}", flush=True)

        notch = SETTING_KEYS["notch_hz"]
        step("first Overview after the upload",
             lambda: at.sidebar.file_uploader(key="upload").set_value(("long.edf", data, "application/octet-stream")),
             "≤ 5 s")
        del data
        step("rerun, nothing changed", lambda: None, "≤ 0.3 s")
        step("filter change (notch 50 Hz)", lambda: at.sidebar.radio(key=notch).set_value("50 Hz"), "≤ 4 s")
        step("filter change back (cached)", lambda: at.sidebar.radio(key=notch).set_value("Off"), "≤ 0.5 s")
        step("filter change again (notch 50 Hz, computed before)", lambda: at.sidebar.radio(key=notch).set_value("50 Hz"),
             "≤ 0.5 s")
        step("filter change back again", lambda: at.sidebar.radio(key=notch).set_value("Off"), "≤ 0.5 s")
        step("to Browse", lambda: at.sidebar.radio(key="view").set_value("Browse"))
        step("Browse page", lambda: at.button(key="browse_next").click(), "≤ 0.3 s")
        step("Browse: Filtered signal", lambda: at.radio(key="browse_signal").set_value("Filtered"))
        step("Browse page (filtered)", lambda: at.button(key="browse_next").click(), "≤ 0.3 s")
        step("back to Overview (computed before)", lambda: at.sidebar.radio(key="view").set_value("Overview"),
             "≤ 0.5 s")
        step("to Summary", lambda: at.sidebar.radio(key="view").set_value("Summary"))
        step("back to Overview", lambda: at.sidebar.radio(key="view").set_value("Overview"), "≤ 0.5 s")
        sampler.stop()
        peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # (KiB on Linux)
    result = {"rows": rows, "base_gb": base_gb, "peak_gb": peak_gb, "float64_gb": float64_gb, "edf_mb": edf_mb,
              "load": load[0], "cache_mb": cache_mb, "minutes": args.minutes, "root": str(ROOT)}
    text = _single_text(result)
    print(text)
    if args.json is not None:
        args.json.write_text(json.dumps(result))
    if not args.no_write:
        write_section(args.section, text)
    return result


def _ratio(res, gb) -> str:
    return f"{(gb - res['base_gb']) / res['float64_gb']:.2f}×"


def _intro(res) -> str:
    return (f"Synthetic {res['minutes']:g} min × 16 ch × 2 kHz uploaded as a {res['edf_mb']:.0f} MB EDF; float64 data "
            f"{res['float64_gb']:.2f} GB. AppTest (in-process server, no browser). Cache budget EMGVIZ_CACHE_MB = "
            f"{res['cache_mb']}. Ratio = (RSS − RSS before the upload) ÷ float64 data; the peak is the highest RSS "
            f"sampled every 5 ms during the step; “filtered” counts `preprocess` calls in the step.")


def _single_text(res) -> str:
    lines = ["## Server memory of a long recording in the app (`benchmarks/bench_app_memory.py`)", "",
             f"{machine()}. Load average at the start {res['load']:.1f}. " + _intro(res), "",
             "| step | s | RSS GB | ratio | peak in step GB | peak ratio | filtered | store (GB) | goal |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in res["rows"]:
        lines.append(f"| {r['step']} | {r['s']:.2f} | {r['rss']:.2f} | {_ratio(res, r['rss'])} | {r['peak']:.2f} | "
                     f"{_ratio(res, r['peak'])} | {r['filtered']} | {r['store']} | {r['goal']} |"
                     + (f" errors: {r['errors']}" if r["errors"] else ""))
    top = max(r["peak"] for r in res["rows"])
    lines += ["", f"RSS before the upload {res['base_gb']:.2f} GB; highest RSS during any step {top:.2f} GB "
                  f"({_ratio(res, top)}); highest RSS of the process {res['peak_gb']:.2f} GB (this includes making "
                  "the synthetic file before the app starts)."]
    return "\n".join(lines)




def compare(args) -> None:
    me = Path(__file__).resolve()
    this_root = me.parents[1]
    checkouts = [(git_label(args.compare), args.compare.resolve()), (args.label or git_label(this_root), this_root)]
    runs, uptimes = [], [uptime()]
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            order = list(enumerate(checkouts))
            for k, (label, root) in (order if r % 2 == 0 else order[::-1]):
                out = Path(tmp) / f"{k}-{r}.json"
                cmd = [sys.executable, str(me), "--root", str(root), "--no-write", "--json", str(out),
                       "--minutes", f"{args.minutes:g}"] + (["--cache-mb", f"{args.cache_mb:g}"] if args.cache_mb else [])
                env = dict(os.environ, PYTHONPATH=str(root))
                env.pop("EMGVIZ_CACHE_MB", None)
                print(f"== {label} (round {r + 1})", flush=True)
                subprocess.run(cmd, check=True, env=env, cwd=str(root))
                runs.append((f"{label} #{r + 1}" if args.rounds > 1 else label, json.loads(out.read_text())))
                uptimes.append(uptime())
    first = runs[0][1]
    lines = ["## Server memory of a long recording in the app (`benchmarks/bench_app_memory.py`)", "",
             f"{machine()}. `bench_app_memory.py --compare`: each checkout in a process of its own, one after the "
             f"other under one hold of the benchmark lock ({', '.join(l for l, _ in runs)}). " + _intro(first)
             + " Load (`uptime`) before, between and after the runs:", ""]
    lines += [f"    {u}" for u in uptimes]
    head = " | ".join(f"{l}: s / RSS ratio / peak ratio / filtered" for l, _ in runs)
    lines += ["", f"| step | {head} | goal |", "|---|" + "---|" * len(runs) + "---|"]
    for i, row in enumerate(first["rows"]):
        cells = []
        for _, res in runs:
            r = res["rows"][i]
            cells.append(f"{r['s']:.2f} s / {_ratio(res, r['rss'])} / {_ratio(res, r['peak'])} / {r['filtered']}"
                         + (f" (errors: {r['errors']})" if r["errors"] else ""))
        lines.append(f"| {row['step']} | " + " | ".join(cells) + f" | {row['goal']} |")
    lines.append("| highest RSS during any step | " + " | ".join(
        f"{max(r['peak'] for r in res['rows']):.2f} GB ({_ratio(res, max(r['peak'] for r in res['rows']))})"
        for _, res in runs) + " | ≤ 3× |")
    lines.append("| highest RSS of the process (also making the synthetic file, before the app starts) | "
                 + " | ".join(f"{res['peak_gb']:.2f} GB" for _, res in runs) + " | |")
    lines.append("| RSS before the upload | " + " | ".join(f"{res['base_gb']:.2f} GB" for _, res in runs) + " | |")
    lines += ["", "What the store held after each step (GB; oldest first):", "",
              "| step | " + " | ".join(l for l, _ in runs) + " |", "|---|" + "---|" * len(runs)]
    for i, row in enumerate(first["rows"]):
        lines.append(f"| {row['step']} | " + " | ".join(res["rows"][i]["store"] for _, res in runs) + " |")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section(args.section, text)


if __name__ == "__main__":
    main()
