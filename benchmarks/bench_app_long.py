"""A long recording in the app (AppTest, in-process server): 1 h × 16 channels × 2 kHz, uploaded as EDF.

    python benchmarks/bench_app_long.py [--minutes 60]
    python benchmarks/bench_app_long.py --compare /work/main [--rounds 1] [--profile DIR]

Times the reruns a user waits for (first Overview after the upload, a rerun with nothing changed,
a filter change and back, Browse pages, back to Overview) and the server's memory against the
float64 size of the data. Writes section "app_long" of benchmarks/RESULTS.md. AppTest times
exclude the browser drawing the page (see bench_teach_browser / e2e for that).

``--compare OTHER`` runs the same steps for the checkout OTHER (e.g. main) and for this one, each in a
process of its own (``--root``), alternately (``--rounds`` pairs, in the order OTHER, this, this, OTHER, ...
so that a load that rises or falls during the runs favours neither), and writes them side by side with
the load before, between and after. With ``--profile DIR`` each run also leaves its cProfile files in
DIR/<label>-<round> and the section gets the breakdown of the first Overview and the filter change
(reading, filtering, decimation, features; the worker threads' insides are in their callers' totals).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "--root" in sys.argv:  # the checkout whose emgviz and app.py are measured (default: this one)
    ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import git_label, machine, uptime, write_section  # noqa: E402

import emgviz  # noqa: E402  (now, from ROOT: bench_browser puts its own checkout first on sys.path)

if not Path(emgviz.__file__).resolve().is_relative_to(ROOT):
    raise SystemExit(f"emgviz was imported from {emgviz.__file__}, not from the measured checkout {ROOT}")


def rss_gb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e9


class _ScriptProfiler:
    """cProfile of the app script's thread (AppTest runs the script in a thread of its own)."""

    def __init__(self, folder: Path | None, only: tuple[str, ...] = ()):
        self.folder, self.current, self.only = folder, None, only
        if folder is None:
            return
        import cProfile

        from streamlit.runtime.scriptrunner import script_runner

        folder.mkdir(parents=True, exist_ok=True)
        original = script_runner.ScriptRunner._run_script
        outer = self

        def run_script(runner, *a, **k):
            prof = outer.current
            if prof is None:
                return original(runner, *a, **k)
            prof.enable()
            try:
                return original(runner, *a, **k)
            finally:
                prof.disable()

        script_runner.ScriptRunner._run_script = run_script
        self._new = cProfile.Profile

    def __call__(self, label: str):
        import contextlib

        @contextlib.contextmanager
        def block():
            if self.folder is None or (self.only and label not in self.only):
                yield
                return
            self.current = self._new()
            try:
                yield
            finally:
                prof, self.current = self.current, None
                name = "".join(c if c.isalnum() else "_" for c in label)[:60]
                prof.dump_stats(str(self.folder / f"{name}.prof"))
        return block()


def _watch_overview_chart(clock: dict) -> None:
    """Record in ``clock["t"]`` when the Overview sends its chart (``plotly_chart(key="overview_chart")``, the
    component's or Streamlit's).

    Streamlit sends each element as the script produces it: the user sees the figure from then on,
    while the script goes on to the feature table. Nothing is recorded if the view draws its chart
    another way."""
    import streamlit as st

    from emgviz.views import overview

    class _St:
        def __getattr__(self, name):
            return getattr(st, name)

        def plotly_chart(self, *a, **k):
            if k.get("key") == "overview_chart" and clock.get("t") is None:
                clock["t"] = time.perf_counter()
            return st.plotly_chart(*a, **k)

    overview.st = _St()
    sent = getattr(overview, "plotly_chart", None)   # the mounted Plotly component (views/plotly_component.py)
    if sent is not None:
        def plotly_chart(*a, **k):
            if k.get("key") == "overview_chart" and clock.get("t") is None:
                clock["t"] = time.perf_counter()
            return sent(*a, **k)

        overview.plotly_chart = plotly_chart


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--profile", type=Path, default=None,
                    help="write a cProfile of the app script for every step into this folder")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    ap.add_argument("--cache-mb", type=float, default=None,
                    help="EMGVIZ_CACHE_MB for the app (the byte budget of the read and processing caches)")
    ap.add_argument("--profile-only", action="append", default=[],
                    help="with --profile: profile only this step (repeat for more; default every step)")
    ap.add_argument("--root", type=Path, default=None, help="measure the emgviz and app.py of this checkout")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers of this run here")
    ap.add_argument("--compare", type=Path, default=None,
                    help="another checkout (e.g. /work/main): run it and this one alternately, side by side")
    ap.add_argument("--rounds", type=int, default=1, help="with --compare: pairs of runs (other, this)")
    ap.add_argument("--label", default=None, help="with --compare: this checkout's label (default: its branch)")
    ap.add_argument("--section", default="app_long", help="the section of RESULTS.md to write (default app_long)")
    args = ap.parse_args()
    if args.compare is not None:
        compare(args)
        return
    run_once(args)


def run_once(args) -> dict:
    """One run of every step in this process; prints, writes RESULTS.md (unless --no-write) and --json."""
    if args.cache_mb is not None:
        os.environ["EMGVIZ_CACHE_MB"] = f"{args.cache_mb:g}"
    cache_mb = os.environ.get("EMGVIZ_CACHE_MB", "2048 (default)")
    profiler = _ScriptProfiler(args.profile, tuple(args.profile_only))
    from bench_browser import synthetic

    from emgviz.io.write import write_file
    from emgviz.plotting.browser import stacked_figure
    from emgviz.views.sidebar import SETTING_KEYS

    os.chdir(ROOT)  # AppTest reads .streamlit/config.toml from the working directory
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        rec = synthetic(seconds=args.minutes * 60)
        float64_gb = rec.data.nbytes / 1e9
        path = write_file(rec, Path(tmp) / "long.edf")
        data = path.read_bytes()
        edf_mb = len(data) / 1e6
        # the Overview figure alone, for any length: build time and size
        # (as the app draws it: every channel with an overlay as large as the envelope, times compacted)
        from emgviz.views.overview import compact_times

        # (the app decimates once per processed recording, then builds the figure from the small arrays)
        from emgviz.plotting.overview_stack import decimate_stack, decimated_stack_figure, stack_points

        stacked_figure(rec.pick(rec.ch_names[:1]), t_start_s=0, t_window_s=1)  # Plotly's first-use imports
        t = time.perf_counter()
        dec = decimate_stack(rec, n_out=stack_points(rec.n_channels, True),
                             envelope_channel=lambda i, out=None: rec.data[i])
        dec_s = time.perf_counter() - t
        t = time.perf_counter()
        fig = compact_times(decimated_stack_figure(dec, rec, overlay=True), rec.t0, rec.duration_s)
        fig_s = time.perf_counter() - t
        fig_mb = len(fig.to_json()) / 1e6
        t = time.perf_counter()
        stacked_figure(rec, t_start_s=rec.t0, t_window_s=rec.duration_s, overlay=rec)
        direct_s = time.perf_counter() - t
        del rec, fig, dec
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600).run()
        at.sidebar.radio(key="source").set_value("Upload").run()
        base_gb = rss_gb()
        rows = []
        clock: dict = {}
        figure_s: dict[str, float] = {}
        cpu_s: dict[str, float] = {}   # CPU seconds of the whole process (every thread) per step
        _watch_overview_chart(clock)

        def step(label, action, goal=""):
            action()
            clock["t"] = None
            t0, c0 = time.perf_counter(), time.process_time()
            with profiler(label):
                at.run()
            dt = time.perf_counter() - t0
            cpu_s[label] = time.process_time() - c0
            if clock["t"] is not None:
                figure_s[label] = clock["t"] - t0
            errors = [e.value for e in at.exception]
            rows.append((label, dt, rss_gb(), goal, errors))
            print(f"{label}: {dt:.2f} s, RSS {rss_gb():.2f} GB {errors or ''}", flush=True)

        step("first Overview after the upload",
             lambda: at.sidebar.file_uploader(key="upload").set_value(("long.edf", data, "application/octet-stream")),
             "≤ 5 s")
        del data
        step("rerun, nothing changed", lambda: None, "≤ 0.3 s")
        step("rerun, nothing changed (again)", lambda: None, "≤ 0.3 s")
        step("filter change (notch 50 Hz)", lambda: at.sidebar.radio(key=SETTING_KEYS["notch_hz"]).set_value("50 Hz"),
             "≤ 4 s")
        step("filter change back (cached)", lambda: at.sidebar.radio(key=SETTING_KEYS["notch_hz"]).set_value("Off"),
             "≤ 0.5 s")
        step("to Browse", lambda: at.sidebar.radio(key="view").set_value("Browse"), "")
        pages = []
        for _ in range(3):
            at.button(key="browse_next").click()
            t0 = time.perf_counter()
            with profiler(f"Browse page {len(pages) + 1}"):
                at.run()
            pages.append(time.perf_counter() - t0)
        rows.append(("Browse page (median of 3 Next)", statistics.median(pages), rss_gb(), "≤ 0.3 s", []))
        step("back to Overview (computed before)", lambda: at.sidebar.radio(key="view").set_value("Overview"),
             "≤ 0.5 s")
        peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    lines = ["## A long recording in the app (`benchmarks/bench_app_long.py`)", "",
             f"{machine()}. Load average at the start: {load[0]:.1f} on 2 cores (other work was running: "
             f"times are inflated by about that factor over an idle machine). Synthetic {args.minutes:g} min × "
             f"16 ch × 2 kHz uploaded as a {edf_mb:.0f} MB EDF; "
             f"float64 data {float64_gb:.2f} GB. AppTest (in-process server, no browser). "
             f"Cache budget EMGVIZ_CACHE_MB = {cache_mb}.", "",
             "| step | s | server RSS (GB) | RSS / float64 | goal |", "|---|---:|---:|---:|---|"]
    for label, dt, gb, goal, errors in rows:
        lines.append(f"| {label} | {dt:.2f} | {gb:.2f} | {(gb - base_gb) / float64_gb:.1f}× | {goal} |"
                     + (f" errors: {errors}" if errors else ""))
    lines += ["", f"Peak RSS {peak_gb:.2f} GB (AppTest and the app before loading: {base_gb:.2f} GB). "
                  f"Overview figure of the whole recording (16 traces and 16 overlays) without the app: built in "
                  f"{fig_s:.3f} s from its decimation, "
                  f"{fig_mb:.2f} MB of JSON (goal ≤ 0.1 s, ≤ 1.5 MB); the decimation itself, once per processed "
                  f"recording and kept with it: {dec_s:.2f} s (`stacked_figure` decimating the samples directly: "
                  f"{direct_s:.2f} s)."]
    if figure_s:
        lines += ["", "The Overview's figure was sent (the user sees it; the feature table follows) after: "
                  + "; ".join(f"{k} {v:.2f} s" for k, v in figure_s.items() if k.startswith(("first", "filter change ("))) + "."]
    text = "\n".join(lines)
    print(text)
    import emgviz.features as measured  # every module of the app came from ROOT (checked at import)
    if not Path(measured.__file__).resolve().is_relative_to(ROOT):
        raise SystemExit(f"the app ran {measured.__file__}, not the measured checkout {ROOT}")
    result = {"emgviz": str(Path(measured.__file__).parent), "figure_s": figure_s, "cpu_s": cpu_s, "root": str(ROOT), "rows": [list(r[:4]) + [[str(e) for e in r[4]]] for r in rows], "base_gb": base_gb,
              "peak_gb": peak_gb, "float64_gb": float64_gb, "edf_mb": edf_mb, "fig_s": fig_s, "fig_mb": fig_mb,
              "dec_s": dec_s, "direct_s": direct_s, "load": load[0], "cache_mb": cache_mb, "minutes": args.minutes}
    if args.json is not None:
        args.json.write_text(json.dumps(result))
    if not args.no_write:
        write_section(args.section, text)
    return result


#: The steps profiled in --compare --profile runs: (label, profile file name).
PROFILED = (("first Overview after the upload", "first_Overview_after_the_upload"),
            ("filter change (notch 50 Hz)", "filter_change__notch_50_Hz_"))

#: What the breakdown of a step adds up: (label, file suffix, function name) of the app's calls.
BREAKDOWN = (("upload digest (SHA-256)", "views/cache.py", "file_digest"),
             ("EDF read and decode", "emgviz/io/edf.py", "read"),
             ("filtering (`preprocess`)", "emgviz/pipeline.py", "preprocess"),
             ("Overview decimation incl. the envelope", "plotting/overview_stack.py", "decimate_stack"),
             ("feature table", "emgviz/features.py", "feature_table"))


def breakdown(prof: Path) -> dict[str, float]:
    """Seconds of each :data:`BREAKDOWN` call in one step's profile, the script's total and the rest."""
    import pstats

    stats = pstats.Stats(str(prof)).stats
    out = {label: 0.0 for label, _, _ in BREAKDOWN}
    total = 0.0
    for (path, _, func), (_, _, _, cum, _) in stats.items():
        if func == "_run_script":
            total = max(total, cum)
        for label, suffix, name in BREAKDOWN:
            if func == name and path.endswith(suffix):
                out[label] += cum
    out["rest (widgets, hashing, caches, figures)"] = total - sum(out.values())
    out["script total"] = total
    return out




def compare(args) -> None:
    """Run the other checkout and this one alternately, each in a process of its own; one table."""
    import tempfile

    me = Path(__file__).resolve()
    this_root = me.parents[1]
    checkouts = [(git_label(args.compare), args.compare.resolve()), (args.label or git_label(this_root), this_root)]
    runs, uptimes = [], [uptime()]
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            order = list(enumerate(checkouts))
            for k, (label, root) in (order if r % 2 == 0 else order[::-1]):  # ABBA: drift of the load cancels
                out = Path(tmp) / f"{k}-{r}.json"
                cmd = [sys.executable, str(me), "--root", str(root), "--no-write", "--json", str(out),
                       "--minutes", f"{args.minutes:g}"]
                if args.cache_mb is not None:
                    cmd += ["--cache-mb", f"{args.cache_mb:g}"]
                prof = None
                if args.profile is not None:
                    prof = args.profile / f"{'other' if k == 0 else 'this'}-{r}"
                    cmd += ["--profile", str(prof)] + [a for step, _ in PROFILED for a in ("--profile-only", step)]
                env = dict(os.environ, PYTHONPATH=str(root))
                print(f"== {label} (round {r + 1}): {' '.join(cmd)}", flush=True)
                subprocess.run(cmd, check=True, env=env, cwd=str(root))
                runs.append((label, r, json.loads(out.read_text()), prof))
                uptimes.append(uptime())
    first = runs[0][2]
    labels = [f"{label} #{r + 1}" if args.rounds > 1 else label for label, r, _, _ in runs]
    if args.rounds > 1:  # medians per checkout, after the runs
        for name in [label for label, _ in checkouts]:
            mine = [res for label, _, res, _ in runs if label == name]
            rows = [[row[0], statistics.median(m["rows"][i][1] for m in mine),
                     statistics.median(m["rows"][i][2] for m in mine), row[3], []]
                    for i, row in enumerate(mine[0]["rows"])]
            figure_s = {k: statistics.median(m["figure_s"][k] for m in mine if k in m.get("figure_s", {}))
                        for k in mine[0].get("figure_s", {})}
            cpu_s = {k: statistics.median(m["cpu_s"][k] for m in mine if k in m.get("cpu_s", {}))
                     for k in mine[0].get("cpu_s", {})}
            runs.append((name, -1, dict(mine[0], rows=rows, figure_s=figure_s, cpu_s=cpu_s,
                                        peak_gb=max(m["peak_gb"] for m in mine),
                                        fig_s=statistics.median(m["fig_s"] for m in mine),
                                        dec_s=statistics.median(m["dec_s"] for m in mine)), None))
            labels.append(f"**{name} median**")
    lines = ["## A long recording in the app (`benchmarks/bench_app_long.py`)", "",
             f"{machine()}. `bench_app_long.py --compare`: the same steps for each checkout in a process of its "
             f"own, one after the other under one hold of the benchmark lock ({', '.join(labels)}). Synthetic "
             f"{first['minutes']:g} min × 16 ch × 2 kHz uploaded as a {first['edf_mb']:.0f} MB EDF; float64 data "
             f"{first['float64_gb']:.2f} GB. AppTest (in-process server, no browser). Cache budget EMGVIZ_CACHE_MB = "
             f"{first['cache_mb']}. Load (`uptime`) before, between and after the runs:", ""]
    lines += [f"    {u}" for u in uptimes]
    lines += ["", "The emgviz each run imported (checked: the measured checkout's own): "
              + "; ".join(f"{labels[i]} `{res.get('emgviz', '?')}`" for i, (_, r, res, _) in enumerate(runs) if r >= 0) + "."]
    lines += ["", "| step | " + " | ".join(labels) + " | goal |", "|---|" + "---:|" * len(labels) + "---|"]
    for i, row in enumerate(first["rows"]):
        cells = []
        for _, _, res, _ in runs:
            label, dt, _, _, errors = res["rows"][i]
            cells.append(f"{dt:.2f}" + (f" (errors: {errors})" if errors else ""))
        lines.append(f"| {row[0]} | " + " | ".join(cells) + f" | {row[3]} |")
        if row[0].startswith(("first", "filter change (")):
            cpu = [res.get("cpu_s", {}).get(row[0]) for _, _, res, _ in runs]
            if any(v is not None for v in cpu):
                lines.append(f"| … its CPU seconds (all threads of the process) | "
                             + " | ".join("–" if v is None else f"{v:.2f}" for v in cpu) + " | |")
            sent = [res.get("figure_s", {}).get(row[0]) for _, _, res, _ in runs]
            if any(v is not None for v in sent):
                lines.append(f"| … its Overview figure sent after | "
                             + " | ".join("–" if v is None else f"{v:.2f}" for v in sent) + " | |")
    lines.append("| peak RSS (GB) | " + " | ".join(f"{res['peak_gb']:.2f}" for _, _, res, _ in runs) + " | |")
    lines.append("| RSS after the last step / float64 | "
                 + " | ".join(f"{(res['rows'][-1][2] - res['base_gb']) / res['float64_gb']:.1f}×" for _, _, res, _ in runs)
                 + " | ≤ 3× |")
    lines.append("| Overview decimation alone (s) | " + " | ".join(f"{res['dec_s']:.2f}" for _, _, res, _ in runs)
                 + " | |")
    lines.append("| Overview figure from its decimation: build s / JSON MB | "
                 + " | ".join(f"{res['fig_s']:.3f} / {res['fig_mb']:.2f}" for _, _, res, _ in runs) + " | ≤ 0.1 s, ≤ 1.5 MB |")
    if args.profile is not None:
        lines += ["", "The runs profiled (cProfile) the script thread of these two steps only (numerical work: "
                      "little overhead); the other steps ran unprofiled."]
        for step, name in PROFILED:
            parts = [(labels[i], breakdown(prof / f"{name}.prof")) for i, (_, _, _, prof) in enumerate(runs)
                     if prof is not None and (prof / f"{name}.prof").is_file()]
            if not parts:
                continue
            if args.rounds > 1:  # the median of each part per checkout
                for name in [label for label, _ in checkouts]:
                    mine = [b for (lab, b), (label, r, _, _) in zip(parts, runs) if label == name]
                    if mine:
                        parts.append((f"**{name} median**", {k: statistics.median(b[k] for b in mine) for k in mine[0]}))
            lines += ["", f"Where the time of “{step}” goes (s; work on worker threads is counted in the call that "
                          "waits for it):", "",
                      "| part | " + " | ".join(p[0] for p in parts) + " |", "|---|" + "---:|" * len(parts)]
            for key in parts[0][1]:
                lines.append(f"| {key} | " + " | ".join(f"{p[1][key]:.2f}" for p in parts) + " |")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section(args.section, text)


if __name__ == "__main__":
    main()
