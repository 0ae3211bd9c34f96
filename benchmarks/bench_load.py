"""Load time of emgviz.read_file against the fastest plain reader of the same file (CSV, EDF, NPZ).

A 10-minute, 8-channel, 2 kHz recording is written in each format in a temporary folder;
each file is read by emgviz and by its plain reader in turn (interleaved), best of 5.
Goal: emgviz within 1.5× of the plain reader. Run: ``python benchmarks/bench_load.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the repo's emgviz first, then _results
from _results import machine, write_section  # noqa: E402

import emgviz  # noqa: E402
from emgviz.io.write import write_file  # noqa: E402

FS = 2000.0
N_CHANNELS = 8
DURATION_S = 600.0
REPEATS = 5
GOAL = 1.5


def make_recording() -> emgviz.Recording:
    """Seeded EMG-like noise in volts, on a 1 nV grid (what a 24-bit amplifier export holds)."""
    rng = np.random.default_rng(2024)
    n = int(DURATION_S * FS)
    envelope = 1 + 0.8 * np.sin(2 * np.pi * 0.2 * np.arange(n) / FS)
    data = np.round(rng.normal(0, 1e-4, (N_CHANNELS, n)) * envelope, 9)
    events = [(10.0 * k, 1.0, f"contraction {k}") for k in range(1, 50)]
    return emgviz.Recording(data, fs=FS, ch_names=[f"EMG{k + 1}" for k in range(N_CHANNELS)], events=events)


def plain_csv(path: Path):
    import pandas as pd

    with open(path, "rb") as fh:
        skip = sum(1 for line in fh if line.startswith(b"#"))  # the '# emgviz' comment lines
    return pd.read_csv(path, engine="pyarrow", skiprows=skip).to_numpy()


def plain_edf(path: Path):
    import edfio

    edf = edfio.read_edf(path)
    return [s.data for s in edf.signals]


def plain_npz(path: Path):
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def best_of(fn, path: Path, results: list) -> None:
    t = time.perf_counter()
    fn(path)
    results.append(time.perf_counter() - t)


def main() -> str:
    rec = make_recording()
    rows = []
    with tempfile.TemporaryDirectory(prefix="emgviz-bench-") as tmp:
        cases = []
        for suffix, plain, label in ((".csv", plain_csv, "pandas.read_csv(engine='pyarrow')"),
                                     (".edf", plain_edf, "edfio.read_edf + .data"),
                                     (".npz", plain_npz, "numpy.load")):
            try:
                path = write_file(rec, Path(tmp) / f"bench{suffix}")
            except ImportError as exc:  # e.g. the NPZ module not written yet
                rows.append((suffix[1:].upper(), label, None, None, 0, f"skipped: {exc}"))
                continue
            cases.append((suffix[1:].upper(), path, plain, label))
        timings = {c[0]: ([], []) for c in cases}
        for _ in range(REPEATS):
            for fmt, path, plain, _label in cases:
                best_of(emgviz.read_file, path, timings[fmt][0])
                best_of(plain, path, timings[fmt][1])
        for fmt, path, _plain, label in cases:
            ours, theirs = min(timings[fmt][0]), min(timings[fmt][1])
            rows.append((fmt, label, ours, theirs, path.stat().st_size, ""))
    lines = [f"## Load: emgviz.read_file vs plain reader ({N_CHANNELS} ch × {DURATION_S / 60:g} min @ "
             f"{FS:g} Hz, best of {REPEATS}, interleaved)", "",
             f"Machine: {machine()}", "",
             "| format | file MB | emgviz s | plain reader | plain s | ratio | goal ≤ 1.5× |",
             "|---|---:|---:|---|---:|---:|---|"]
    for fmt, label, ours, theirs, size, note in rows:
        if ours is None:
            lines.append(f"| {fmt} | – | – | {label} | – | – | {note} |")
            continue
        ratio = ours / theirs
        lines.append(f"| {fmt} | {size / 1e6:.1f} | {ours:.3f} | {label} | {theirs:.3f} | {ratio:.2f}× | "
                     f"{'yes' if ratio <= GOAL else 'NO'} |")
    markdown = "\n".join(lines)
    print(markdown)
    write_section("load", markdown)
    return markdown


if __name__ == "__main__":
    main()
