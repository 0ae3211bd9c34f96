"""Samples lost by `python -m emgviz record` over a long LSL stream (default 10 min of 8 ch × 2 kHz).

Runs the two contract command lines as real processes over loopback LSL:

    python -m emgviz stream SRC.npz --name NAME --loop
    python -m emgviz record --lsl NAME --seconds S --out OUT.npz

SRC holds 60 s of independent random samples per channel (every float32 value distinct), so the
recording can be aligned to the source and compared sample by sample: any lost, duplicated or
altered sample shows. Also reports CPU (user+sys s per wall s) and peak RSS of both processes.

    PYTHONPATH=$PWD python benchmarks/bench_live_record.py [--seconds 600] [--write]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _watch(procs, stop_when):
    peak = {p.pid: 0 for p in procs}
    cpu = {}
    while not stop_when():
        for p in procs:
            try:
                peak[p.pid] = max(peak[p.pid], p.memory_info().rss)
                t = p.cpu_times()
                cpu[p.pid] = t.user + t.system
            except psutil.Error:
                pass
        time.sleep(1.0)
    return peak, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--channels", type=int, default=8)
    ap.add_argument("--fs", type=float, default=2000.0)
    ap.add_argument("--write", action="store_true", help="write the section of benchmarks/RESULTS.md")
    args = ap.parse_args()

    import emgviz

    tmp = Path(tempfile.mkdtemp(prefix="emgviz-bench-live-"))
    rng = np.random.default_rng(7)
    n_src = int(60 * args.fs)
    src = emgviz.Recording(rng.normal(0, 2e-4, (args.channels, n_src)), fs=args.fs,
                           ch_names=[f"m{i + 1}" for i in range(args.channels)])
    emgviz.write_file(src, tmp / "src.npz")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    name = f"bench-{os.getpid()}"
    load_before = os.getloadavg()
    # SIGINT back to default in the child: a shell starting this script in the background ignores it
    stream = subprocess.Popen([sys.executable, "-m", "emgviz", "stream", str(tmp / "src.npz"), "--name", name,
                               "--loop"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    stream.stdout.readline()  # "streaming ..."
    t0 = time.monotonic()
    record = subprocess.Popen([sys.executable, "-m", "emgviz", "record", "--lsl", name, "--seconds",
                               str(args.seconds), "--out", str(tmp / "out.npz"), "--timeout", "30"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    procs = [psutil.Process(stream.pid), psutil.Process(record.pid)]
    peak, cpu = _watch(procs, lambda: record.poll() is not None)
    wall = time.monotonic() - t0
    out_text = record.stdout.read()
    load_after = os.getloadavg()
    stream.send_signal(2)  # Ctrl+C
    try:
        stream_text = stream.communicate(timeout=120)[0]
    except subprocess.TimeoutExpired:
        stream.kill()
        stream_text = stream.communicate()[0] + "\n(did not stop within 120 s of Ctrl+C; killed)"

    rec = emgviz.read_file(tmp / "out.npz")
    s32 = src.data.astype(np.float32).astype(np.float64)
    first = np.flatnonzero((s32 == rec.data[:, :1]).all(axis=0))
    wanted = int(round(args.seconds * args.fs))
    if len(first) != 1:
        equal, offset = False, None
    else:
        offset = int(first[0])
        idx = (offset + np.arange(rec.n_samples)) % n_src
        equal = bool(np.array_equal(s32[:, idx], rec.data))
    # A single lost or repeated sample breaks the alignment: count mismatching samples.
    mismatched = None if offset is None else int((s32[:, (offset + np.arange(rec.n_samples)) % n_src]
                                                  != rec.data).any(axis=0).sum())
    res = {"seconds": args.seconds, "channels": args.channels, "fs": args.fs, "wanted": wanted,
           "received": rec.n_samples, "lost_from_timestamps": rec.meta.get("samples_lost"),
           "equal_to_source": equal, "mismatched_samples": mismatched, "wall_s": round(wall, 1),
           "record_stdout": out_text.strip(), "stream_stdout": stream_text.strip().splitlines()[-1:],
           "stream_cpu_pct": round(100 * cpu.get(procs[0].pid, 0) / wall, 1),
           "record_cpu_pct": round(100 * cpu.get(procs[1].pid, 0) / wall, 1),
           "stream_peak_rss_mb": round(peak[procs[0].pid] / 2**20, 1),
           "record_peak_rss_mb": round(peak[procs[1].pid] / 2**20, 1),
           "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after]}
    for k, v in res.items():
        print(f"{k}: {v}")
    if args.write:
        from _results import machine, write_section

        write_section("live_record", f"""
## Live: samples lost by `record` (`benchmarks/bench_live_record.py`)

{machine()}; load average before {res['load_before']}, after {res['load_after']} (2 cores shared).
`python -m emgviz stream SRC.npz --name N --loop` → `python -m emgviz record --lsl N --seconds {args.seconds:g}
--out OUT.npz`, real processes over loopback LSL; SRC = 60 s of distinct random values, {args.channels} ch ×
{args.fs:g} Hz, looped.

| measure | value | goal |
|---|---:|---|
| samples wanted (S × fs) | {wanted:,} | |
| samples received | {res['received']:,} | = wanted |
| lost (from LSL time stamps) | {res['lost_from_timestamps']} | 0 |
| samples differing from the source after alignment | {res['mismatched_samples']} | 0 |
| recording equal to the source (exact, float32) | {'yes' if equal else 'NO'} | yes |
| wall time of `record` | {res['wall_s']} s | |
| CPU, `stream` / `record` (% of one core) | {res['stream_cpu_pct']} / {res['record_cpu_pct']} | |
| peak RSS, `stream` / `record` | {res['stream_peak_rss_mb']} / {res['record_peak_rss_mb']} MB | |
""")


if __name__ == "__main__":
    main()
