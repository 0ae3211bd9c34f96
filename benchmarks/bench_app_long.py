"""A long recording in the app (AppTest, in-process server): 1 h × 16 channels × 2 kHz, uploaded as EDF.

    python benchmarks/bench_app_long.py [--minutes 60]

Times the reruns a user waits for (first Overview after the upload, a rerun with nothing changed,
a filter change and back, Browse pages, back to Overview) and the server's memory against the
float64 size of the data. Writes section "app_long" of benchmarks/RESULTS.md. AppTest times
exclude the browser drawing the page (see bench_teach_browser / e2e for that).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import machine, write_section  # noqa: E402


def rss_gb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e9


class _ScriptProfiler:
    """cProfile of the app script's thread (AppTest runs the script in a thread of its own)."""

    def __init__(self, folder: Path | None):
        self.folder, self.current = folder, None
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
            if self.folder is None:
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--profile", type=Path, default=None,
                    help="write a cProfile of the app script for every step into this folder")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    ap.add_argument("--cache-mb", type=float, default=None,
                    help="EMGVIZ_CACHE_MB for the app (the byte budget of the read and processing caches)")
    args = ap.parse_args()
    if args.cache_mb is not None:
        os.environ["EMGVIZ_CACHE_MB"] = f"{args.cache_mb:g}"
    cache_mb = os.environ.get("EMGVIZ_CACHE_MB", "2048 (default)")
    profiler = _ScriptProfiler(args.profile)
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

        def step(label, action, goal=""):
            action()
            t0 = time.perf_counter()
            with profiler(label):
                at.run()
            dt = time.perf_counter() - t0
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
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("app_long", text)


if __name__ == "__main__":
    main()
