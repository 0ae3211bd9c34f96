"""The Overview's decimation with its RMS envelope on 1 h × 16 ch × 2 kHz: NumPy's path vs the one-pass kernel.

``decimate_stack`` as the Overview calls it (``envelope_channel=Processed.envelope_channel``, moving RMS
100 ms, ``n_out=stack_points(16, True)``), on band-limited noise of the recording's size (the decimation's
cost does not depend on the values). First the NumPy path's breakdown (envelope alone vs min–max alone),
then NumPy vs kernel side by side in interleaved rounds in one process, 1 and 2 threads, with and without
the envelope; then the kernel's start-up in fresh processes (compile into an empty numba cache, then load
from it). Every kernel result is checked equal to NumPy's (indices and values).

    cd <repo> && PYTHONPATH=$PWD flock /work/notes/bench.lock python benchmarks/bench_overview_decimation.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from emgviz.envelopes import rms_envelope  # noqa: E402
from emgviz.filters import scratch_buffers  # noqa: E402
from emgviz.plotting import overview_kernel, overview_stack  # noqa: E402
from emgviz.plotting.decimate import minmax_indices  # noqa: E402
from emgviz.processed import Processed  # noqa: E402
from emgviz.recording import Recording  # noqa: E402
from emgviz.settings import Settings  # noqa: E402

_STARTUP = """
import time, sys
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
import numba
from emgviz.plotting import overview_kernel
t1 = time.perf_counter()
k = overview_kernel.kernel()
t2 = time.perf_counter()
overview_kernel.warm_up()
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, k is not None)
"""


_FIRST = """
import os, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
import bench_overview_decimation as b
from emgviz.plotting import overview_kernel
overview_kernel.kernel()
rec = b._recording({n_ch}, {n})
proc = b.Processed(rec, rec, lambda: None, b.Settings())
print(b._run(rec, proc, b.overview_stack.stack_points({n_ch}, True), {how!r}, 1, True)[0])
"""


def _first_calls(n_ch: int, n: int, rounds: int) -> dict:
    """The first decimate_stack of a fresh process (its buffers' first-touch page faults included, as the
    app's first Overview), NumPy and kernel alternately, 1 thread: median s per path."""
    out = {"numpy": [], "kernel": []}
    bench = os.path.dirname(os.path.abspath(__file__))
    for _ in range(rounds):
        for how in out:
            code = _FIRST.format(root=ROOT, bench=bench, n_ch=n_ch, n=n, how=how)
            res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
            out[how].append(float(res.stdout.split()[-1]))
    return {k: statistics.median(v) for k, v in out.items()}


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _recording(n_ch: int, n: int) -> Recording:
    rng = np.random.default_rng(0)
    data = np.empty((n_ch, n))
    for c in range(n_ch):
        x = rng.standard_normal(n) * 50e-6
        x[1:] += 0.5 * x[:-1]  # a little colour; values do not change the cost
        x *= 1 + 3 * ((np.arange(n) // 20_000) % 7 == 0)
        data[c] = x
    return Recording(data, fs=2000.0, ch_names=[f"ch{c}" for c in range(n_ch)])


def _same(a, b) -> bool:
    pairs = list(zip(a.signal, b.signal)) + list(zip(a.overlay or (), b.overlay or ()))
    return all(np.array_equal(ta, tb) and np.array_equal(ya, yb) for (ta, ya), (tb, yb) in pairs) \
        and (a.overlay is None) == (b.overlay is None)


def _run(rec, proc, n_out, how: str, threads: int, envelope: bool):
    os.environ["EMGVIZ_OVERVIEW"] = how
    overview_stack.workers = lambda *a, **k: threads  # noqa: ARG005 - fixed thread count for the comparison
    t = time.perf_counter()
    out = overview_stack.decimate_stack(rec, n_out=n_out, envelope_channel=proc.envelope_channel if envelope else None)
    return time.perf_counter() - t, out


def _breakdown(rec, n_out, w_ms, rounds):
    """NumPy path, one thread: the envelope alone and the min–max of signal + envelope alone (s, all channels)."""
    env_t, mm_t = [], []
    buf = np.empty(rec.n_samples)
    for _ in range(rounds):
        te = tm = 0.0
        with scratch_buffers():
            for c in range(rec.n_channels):
                t = time.perf_counter()
                e = rms_envelope(rec.data[c], rec.fs, window_ms=w_ms, out=buf)
                te += time.perf_counter() - t
                t = time.perf_counter()
                minmax_indices(rec.data[c][np.newaxis], n_out=n_out)
                minmax_indices(e[np.newaxis], n_out=n_out)
                tm += time.perf_counter() - t
        env_t.append(te)
        mm_t.append(tm)
    return statistics.median(env_t), statistics.median(mm_t)


def _startup(runs: int) -> list[tuple[str, float, float, float]]:
    """(kind, import numba and emgviz.plotting s, kernel compile or load s, first call s) in fresh processes: compile into an empty cache, then load."""
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for i in range(1 + runs):
            out = subprocess.run([sys.executable, "-c", _STARTUP.format(root=ROOT)], env=env, check=True,
                                 capture_output=True, text=True).stdout.split()
            rows.append(("compile (empty cache)" if i == 0 else "cache load", *map(float, out[:3])))
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, no RESULTS.md")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    n_ch, minutes = (4, 2) if args.quick else (16, 60)
    n = int(minutes * 60 * 2000)
    load_before = _load()
    t_start = time.strftime("%H:%M", time.gmtime())
    rec = _recording(n_ch, n)
    settings = Settings()
    proc = Processed(rec, rec, lambda: None, settings)  # the envelope computed on demand, as the app's
    n_out = overview_stack.stack_points(n_ch, True)
    overview_kernel.kernel()
    _run(rec, proc, 64, "kernel", 1, True)  # first call outside the timings

    env_s, mm_s = _breakdown(rec, n_out, settings.rms_window_ms, args.rounds)
    cases = [(how, thr, env) for env in (True, False) for thr in (1, 2) for how in ("numpy", "kernel")]
    times = {c: [] for c in cases}
    equal = True
    for _ in range(args.rounds):  # interleaved: each round runs every case once
        ref = {}
        for how, thr, env in cases:
            dt, out = _run(rec, proc, n_out, how, thr, env)
            times[(how, thr, env)].append(dt)
            if how == "numpy":
                ref[(thr, env)] = out
            else:
                equal &= _same(out, ref[(thr, env)])
    os.environ.pop("EMGVIZ_OVERVIEW", None)
    med = {c: statistics.median(v) for c, v in times.items()}
    load_mid = _load()
    start = _startup(1 if args.quick else 2)
    first = _first_calls(n_ch, n, 1 if args.quick else 2)
    load_after = _load()

    lines = [f"## Overview decimation with the RMS envelope (`bench_overview_decimation.py`)", "",
             f"{n_ch} ch × {minutes} min × 2 kHz ({n_ch * n / 1e6:.1f} M samples, float64), `decimate_stack` as the "
             f"Overview calls it (moving RMS {settings.rms_window_ms:g} ms, `n_out={n_out}`); median of "
             f"{args.rounds} interleaved rounds in one process, {t_start} UTC, load (1/5/15 min) before "
             f"{load_before}, after the timings {load_mid}, at the end {load_after}. Kernel results equal to "
             f"NumPy's (indices and float64 values): **{'yes' if equal else 'NO'}**.", "",
             f"NumPy path, 1 thread, its parts: RMS envelope {env_s:.3f} s, min–max of signal + envelope "
             f"{mm_s:.3f} s ({env_s / (env_s + mm_s):.0%} envelope).", "",
             "| what | threads | NumPy (s) | kernel (s) | kernel / NumPy |", "|---|---:|---:|---:|---:|"]
    for env in (True, False):
        for thr in (1, 2):
            a, b = med[("numpy", thr, env)], med[("kernel", thr, env)]
            lines.append(f"| {'signal + RMS envelope' if env else 'signal only'} | {thr} | {a:.3f} | {b:.3f} | "
                         f"**{b / a:.2f}×** |")
    lines += ["", f"First call in a fresh process (the app's first Overview: fresh buffers, their page faults), 1 thread, "
              f"median of {1 if args.quick else 2} processes each: NumPy {first['numpy']:.3f} s, kernel "
              f"{first['kernel']:.3f} s (**{first['kernel'] / first['numpy']:.2f}×**)."]
    lines += ["", "Kernel start-up in fresh processes (`NUMBA_CACHE_DIR` a new empty folder: the first compiles, "
              "the next load its cache):", "", "| process | import numba + emgviz.plotting (s) | kernel compile / load (s) | first call (s) |",
              "|---|---:|---:|---:|"]
    lines += [f"| {k} | {a:.2f} | {b:.2f} | {c:.3f} |" for k, a, b, c in start]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from _results import machine, write_section
        write_section("overview_decimation", text + f"\n\n{machine()}")
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "overview_decimation.json"), "w") as fh:
            json.dump({"median_s": {f"{h}/{t}/{'env' if e else 'sig'}": v for (h, t, e), v in med.items()},
                       "breakdown_s": {"envelope": env_s, "minmax": mm_s}, "equal": bool(equal),
                       "startup": start, "first_call_s": first, "load": [load_before, load_mid, load_after]}, fh, indent=1)


if __name__ == "__main__":
    main()
