"""Batch at scale: 200 sessions made from the bundled samples, serial vs 2 local processes vs a Dask
cluster of 2 workers on this machine (all started here, on 127.0.0.1). Outputs must be identical.

    python benchmarks/bench_batch.py [--files 200]

Each engine runs in a fresh Python process (so the client's peak memory is its own,
``ru_maxrss`` of that process): ``run_batch(..., keep_table=False)``. Client memory is also
measured with a quarter of the files, to show it does not grow with their number.
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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import machine, write_section  # noqa: E402

CHILD = """
import json, resource, sys, time
from emgviz.batch import run_batch
t = time.perf_counter()
res = run_batch(sys.argv[1], out=sys.argv[2], workers=int(sys.argv[3]) or None,
                scheduler=sys.argv[4] or None, progress=False, keep_table=False)
print(json.dumps({"seconds": res.seconds, "files": res.n_files, "failed": len(res.failures),
                  "rows": res.n_rows, "engine": res.engine,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_sessions(folder: Path, n: int, seed: int = 0) -> None:
    """``n`` sessions: a random 10 s (or shorter) stretch of a bundled sample, random gain, as BDF/NPZ/CSV."""
    from emgviz.io import read_file
    from emgviz.io.write import write_file

    samples = ROOT / "sample_data"
    sources = [read_file(samples / "emg_healthy.hea"), read_file(samples / "biosppy_emg_1.txt"),
               read_file(samples / "ktk_emg_biceps_brachii.csv", unit="V"),
               read_file(samples / "uci_gestures_1_raw_data_11-08_21.03.16.txt", unit="V")]
    rng = np.random.default_rng(seed)
    for i in range(n):
        rec = sources[i % len(sources)]
        span = min(10.0, rec.duration_s)
        start = rng.uniform(0, rec.duration_s - span)
        part = rec.crop(rec.t0 + start, rec.t0 + start + span)
        part = part.with_data(part.data * rng.uniform(0.5, 2.0), events=part.events.iloc[:0])
        suffix = (".bdf", ".npz", ".csv")[i % 3]
        write_file(part, folder / f"sub{i // 4:03d}_session{i % 4}{suffix}")


def run(inputs: Path, out: Path, *, workers: int = 0, scheduler: str = "") -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(inputs), str(out), str(workers), scheduler],
                          capture_output=True, text=True, env=env, check=True)
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    got["wall"] = time.perf_counter() - t
    return got


def main() -> None:
    from emgviz.batch.cluster import local_cluster

    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    args = ap.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data, small = tmp / "sessions", tmp / "small"
        data.mkdir()
        small.mkdir()
        t = time.perf_counter()
        make_sessions(data, args.files)
        make_sessions(small, args.files // 4)
        made = time.perf_counter() - t
        results = {"serial": run(data, tmp / "serial.csv", workers=1),
                   "2 local processes": run(data, tmp / "local.csv", workers=2)}
        t = time.perf_counter()
        with local_cluster(2) as address:
            cluster_start = time.perf_counter() - t
            # the smaller run first: it also warms the workers up (their first task imports
            # emgviz, SciPy and pandas; the local processes inherit those imports by fork)
            small_dask = run(small, tmp / "dask_small.csv", scheduler=address)
            results["Dask, 2 workers"] = run(data, tmp / "dask.csv", scheduler=address)
        small_serial = run(small, tmp / "serial_small.csv", workers=1)
        ref = (tmp / "serial.csv").read_bytes()
        identical = {k: (tmp / f).read_bytes() == ref for k, f in
                     (("2 local processes", "local.csv"), ("Dask, 2 workers", "dask.csv"))}
    load_after = os.getloadavg()
    base = results["serial"]["seconds"]
    lines = [f"## Batch engines (`benchmarks/bench_batch.py`)", "",
             f"{machine()}. Load average before/after: {load_before[0]:.1f} / {load_after[0]:.1f} "
             f"(2 cores; other work was running). {args.files} sessions made from the bundled samples "
             f"(10 s or less each; BDF, NPZ and CSV in turn; made in {made:.0f} s). One fresh client process "
             f"per engine; 'batch s' is `BatchResult.seconds` (find, read, process, write), 'wall s' adds "
             f"Python start-up and imports. Dask cluster (scheduler + 2 single-threaded workers on "
             f"127.0.0.1) started in {cluster_start:.1f} s and warmed up by the smaller run, neither counted.", "",
             "| engine | files | rows | batch s | wall s | time vs serial | client peak RSS (MB) | output identical to serial |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, r in results.items():
        same = "—" if name == "serial" else ("yes" if identical[name] else "**NO**")
        lines.append(f"| {name} | {r['files']} | {r['rows']} | {r['seconds']:.1f} | {r['wall']:.1f} | "
                     f"{r['seconds'] / base:.2f}× | {r['maxrss_mb']:.0f} | {same} |")
    lines += ["", f"Client memory does not grow with the number of files: with {args.files // 4} files the "
                  f"Dask client peaked at {small_dask['maxrss_mb']:.0f} MB (serial {small_serial['maxrss_mb']:.0f} MB), "
                  f"with {args.files} at {results['Dask, 2 workers']['maxrss_mb']:.0f} MB "
                  f"(serial {results['serial']['maxrss_mb']:.0f} MB)."]
    text = "\n".join(lines)
    print(text)
    write_section("batch", text)


if __name__ == "__main__":
    main()
