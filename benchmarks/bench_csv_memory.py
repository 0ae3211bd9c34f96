"""Extra memory of loading a large CSV: emgviz.read_file against pandas.read_csv of the same file.

A CSV of ``--minutes`` (default 30) × 8 channels × 2 kHz (about 300 MB; a time column and
volts on a 1 nV grid) is written once; each reader then loads it in a fresh Python process and
reports its peak resident memory above what the process held after its imports (``ru_maxrss``
minus the RSS before the read), and the data's own float64 size. Target (issue #21): emgviz's
extra memory ≤ pandas' own. Memory does not depend on the machine's load, so this may run niced.

    python benchmarks/bench_csv_memory.py [--minutes 30] [--no-write]

Writes section ``csv_memory`` of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]
from _results import machine, write_section  # noqa: E402

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
import numpy as np, pandas as pd
import emgviz
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
path, how = sys.argv[1], sys.argv[2]
before = rss()
t = time.perf_counter()
if how == "emgviz":
    rec = emgviz.read_file(path)
    nbytes = rec.data.nbytes
elif how == "pandas":
    frame = pd.read_csv(path, skiprows=2)
    nbytes = int(frame.memory_usage(index=False).sum())
elif how == "pandas-pyarrow":
    frame = pd.read_csv(path, skiprows=2, engine="pyarrow")
    nbytes = int(frame.memory_usage(index=False).sum())
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"extra": peak - before, "kept": rss() - before, "data": nbytes, "s": dt}}))
"""


def write_csv(path: Path, minutes: float) -> int:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    fs, n_ch = 2000.0, 8
    n = int(minutes * 60 * fs)
    rng = np.random.default_rng(21)
    cols = {"time_s": np.arange(n) / fs}
    for c in range(n_ch):
        cols[f"EMG{c + 1}"] = np.round(rng.normal(0, 1e-4, n), 9)
    with path.open("wb") as f:
        f.write(b"# Sampling Rate (Hz):= 2000\n# Unit: V\n")
        pacsv.write_csv(pa.table(cols), f)
    return path.stat().st_size


def measure(path: Path, how: str) -> dict:
    code = CHILD.format(root=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, str(path), how], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    load = __import__("os").getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.csv"
        size = write_csv(path, args.minutes)
        res = {how: measure(path, how) for how in ("emgviz", "pandas", "pandas-pyarrow")}
    gb = 1e9
    rows = [f"| {how} | {r['extra'] / gb:.2f} | {r['extra'] / r['data']:.2f}× | {r['kept'] / gb:.2f} | {r['s']:.1f} |"
            for how, r in res.items()]
    ratio = res["emgviz"]["extra"] / res["pandas"]["extra"]
    md = f"""## Extra memory of a large CSV load (`benchmarks/bench_csv_memory.py`)

{machine()}. A {size / 1e6:.0f} MB CSV ({args.minutes:g} min × 8 channels × 2 kHz and a time column; float64 data
{res['emgviz']['data'] / gb:.2f} GB), each reader in a fresh process; extra = peak RSS above the RSS after
the imports; kept = RSS after the read above the same. Target: emgviz ≤ pandas (`read_csv`, C engine; pandas keeps the
time column as data too):
**{ratio:.2f}× pandas**, {'met' if ratio <= 1 else 'missed'}. Load average at the start {load:.1f}; the
seconds are for orientation only (this benchmark measures memory and may run at low priority).

| reader | extra peak (GB) | extra / float64 data | kept (GB) | s |
|---|---:|---:|---:|---:|
{chr(10).join(rows)}
"""
    print(md)
    if not args.no_write:
        write_section("csv_memory", md)
    return md


if __name__ == "__main__":
    main()
