"""The Summary's computations on a long recording, step by step, two checkouts side by side (#21).

    python benchmarks/bench_summary_long.py --compare /work/wt/sum-base [--minutes 60]

Each checkout runs in a process of its own (its emgviz imported first, checked), on the synthetic
1 h × 16 ch × 2 kHz recording of ``bench_browser.synthetic``, the functions the Summary view calls on
a miss, in its order: signal quality (raw), windowed features for the heatmap (1 s windows every
0.5 s), bursts (app defaults), the envelopes-and-bursts figure (channel by channel), the fatigue trend
(1 s windows, not overlapping; reusing the heatmap's windows where the checkout can). The feature table
is left out (the Overview computed it; the Summary reads it from the cache). Writes section
``summary_long_steps`` of benchmarks/RESULTS.md. Run it under ``flock /work/notes/bench.lock``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _one(root: Path, minutes: float, out: Path) -> None:
    sys.path.insert(0, str(root))
    import emgviz

    assert Path(emgviz.__file__).resolve().is_relative_to(root), emgviz.__file__
    sys.path.insert(1, str(HERE))
    from bench_browser import synthetic

    from emgviz.burst_params import BURST_DEFAULTS
    from emgviz.fatigue import fatigue_trend
    from emgviz.features import windowed_features
    from emgviz.onsets import detect_bursts
    from emgviz.pipeline import preprocess
    from emgviz.plotting.summary import envelope_overview
    from emgviz.quality import signal_quality
    from emgviz.settings import Settings

    rec = synthetic(seconds=minutes * 60)
    processed = preprocess(rec, Settings())
    f = processed.filtered
    times, res = {}, {}

    def step(name, fn):
        t = time.perf_counter()
        res[name] = fn()
        times[name] = time.perf_counter() - t

    step("signal quality", lambda: signal_quality(rec))
    step("windowed features (heatmap)", lambda: windowed_features(f, window_s=1.0, step_s=0.5))
    step("bursts", lambda: detect_bursts(f, **BURST_DEFAULTS.detector_options()))
    step("envelopes figure", lambda: envelope_overview(f, bursts=res["bursts"], channel=processed.envelope_channel))
    try:
        from emgviz.fatigue import every_other_window

        step("fatigue trend", lambda: fatigue_trend(f, window_s=1.0, step_s=1.0, windowed=every_other_window(
            res["windowed features (heatmap)"], f.fs, 1.0, 0.5)))
    except ImportError:  # a checkout without the reuse
        step("fatigue trend", lambda: fatigue_trend(f, window_s=1.0, step_s=1.0))
    times["total"] = sum(times.values())
    out.write_text(json.dumps({"times": times, "bursts": len(res["bursts"]),
                               "quality": res["signal quality"].drop(columns=["reason"]).to_dict("list")}))




def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare", type=Path, required=True, help="the other checkout (before)")
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--_one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._one:
        _one(Path(args._one[0]).resolve(), args.minutes, Path(args._one[1]))
        return
    from _results import git_label, uptime

    sides = [(git_label(args.compare), args.compare.resolve()), (git_label(HERE.parent), HERE.parent)]
    loads, results = [uptime()], []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (label, root) in enumerate(sides):
            out = Path(tmp) / f"{k}.json"
            subprocess.run([sys.executable, __file__, "--compare", str(args.compare), "--minutes",
                            f"{args.minutes:g}", "--_one", str(root), str(out)], check=True, cwd=str(root),
                           env=dict(os.environ, PYTHONPATH=str(root)))
            results.append(json.loads(out.read_text()))
            loads.append(uptime())
    from _results import machine, write_section

    same = results[0]["quality"] == results[1]["quality"] and results[0]["bursts"] == results[1]["bursts"]
    lines = ["## The Summary's computations on a long recording (`benchmarks/bench_summary_long.py`)", "",
             f"{machine()}. Synthetic {args.minutes:g} min × 16 ch × 2 kHz (`bench_browser.synthetic`), the "
             "functions the Summary view calls on a cache miss, each checkout in a process of its own, one "
             "after the other under the benchmark lock. Seconds. Load (`uptime`) before, between, after:", ""]
    lines += [f"    {u}" for u in loads] + ["", f"| step | {sides[0][0]} | {sides[1][0]} | ratio |", "|---|---|---|---|"]
    for name in results[0]["times"]:
        a, b = results[0]["times"][name], results[1]["times"].get(name, float("nan"))
        lines.append(f"| {name} | {a:.2f} | {b:.2f} | {a / b:.2f}× |")
    lines += ["", f"Quality table and burst count ({results[0]['bursts']} bursts) identical on both: {same}."]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("summary_long_steps", text)


if __name__ == "__main__":
    main()
