"""The nine time-domain features of feature_table: NumPy's block path vs the one-pass numba kernel (#21).

Side by side in one process, rounds interleaved (ABBA): per-row time-domain features on 8 ch × 10 min
and 16 ch × 60 min at 2 kHz (the NumPy path, the kernel on 1 thread, the kernel with channels on 2
threads), the whole ``feature_table`` (Welch included) with each path, the small fixed costs of the
first Overview that #21 found (``io.summary.flat_channels``, the display unit's magnitude, the
``Recording`` finiteness sum, the SHA-256 of a 231 MB upload), and in fresh processes the kernel's
first call: compiled (empty numba cache) and loaded from the cache. Wall and thread-CPU seconds;
medians. Writes its section of benchmarks/RESULTS.md (``--no-write`` to only print).

Run under the team's benchmark lock: ``flock /work/notes/bench.lock python benchmarks/bench_features.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import uptime  # noqa: E402

from emgviz import features as F  # noqa: E402
from emgviz import td_kernel  # noqa: E402
from emgviz._threads import thread_map  # noqa: E402
from emgviz.io.summary import flat_channels  # noqa: E402
from emgviz.recording import Recording  # noqa: E402
from emgviz import units  # noqa: E402

FS = 2000.0



def _timed(fn):
    w, c = time.perf_counter(), time.thread_time()
    out = fn()
    return out, time.perf_counter() - w, time.thread_time() - c


def _data(n_ch: int, minutes: float) -> np.ndarray:
    rng = np.random.default_rng(21)
    n = int(minutes * 60 * FS)
    x = np.empty((n_ch, n))
    for i in range(n_ch):   # band-limited noise of EMG size (a first difference of white noise), ±DC
        w = rng.standard_normal(n + 1) * 3e-5
        np.subtract(w[1:], w[:-1], out=x[i])
        x[i] += 1e-6 * i
    return x


def _rounds(cases: dict, rounds: int) -> dict:
    """ABBA…: each case once per round, the order reversed every other round; medians of wall and CPU."""
    names = list(cases)
    res = {k: {"wall": [], "cpu": []} for k in names}
    for r in range(rounds):
        for k in (names if r % 2 == 0 else names[::-1]):
            _, w, c = _timed(cases[k])
            res[k]["wall"].append(w)
            res[k]["cpu"].append(c)
    return {k: {"wall": statistics.median(v["wall"]), "cpu": statistics.median(v["cpu"]), "walls": v["wall"]}
            for k, v in res.items()}


def _time_domain_cases(x: np.ndarray, kern) -> dict:
    rows = list(x)
    return {
        "NumPy blocks, 1 thread": lambda: [F._time_domain_numpy(r) for r in rows],
        "kernel, 1 thread": lambda: [kern(r) for r in rows],
        "kernel, 2 threads": lambda: thread_map(kern, rows, 2),
    }


def _table_cases(rec: Recording) -> dict:
    def table(mode):
        def run():
            os.environ["EMGVIZ_TD"] = mode
            try:
                return F.feature_table(rec)
            finally:
                os.environ.pop("EMGVIZ_TD", None)
        return run
    return {"feature_table, NumPy path": table("numpy"), "feature_table, kernel": table("numba")}


def _fixed_cases(rec: Recording) -> dict:
    data = rec.data
    sub = data[..., ::max(1, data.shape[-1] // units._MAGNITUDE_SAMPLES)][list(range(rec.n_channels))]
    upload = data.view(np.uint8).reshape(-1)[:231_000_000].tobytes()
    return {
        "flat_channels before (max − min)": lambda: [n for n, r in zip(rec.ch_names, data.max(axis=1)
                                                                      - data.min(axis=1)) if r == 0],
        "flat_channels now (first changing chunk)": lambda: flat_channels(rec),
        "display-unit magnitude before (nanmean)": lambda: units.amplitude_magnitude(sub, max_samples=sub.shape[-1]),
        "display-unit magnitude now (mean)": lambda: units._magnitude_of_samples(sub),
        "recording_display_unit now (whole)": lambda: units.recording_display_unit(rec),
        "Recording finiteness sum (raw as read, filtered: unchanged)": lambda: np.isfinite(data.sum()),
        "Recording.pick (a channel subset; here all 16) before (copy + finiteness sum)": lambda: rec.with_data(
            data[list(range(rec.n_channels))].copy()),
        "Recording.pick (a channel subset; here all 16) now (copy, not checked again)": lambda: rec.pick(list(range(rec.n_channels))),
        "SHA-256 of 231 MB (unchanged)": lambda: hashlib.sha256(upload).hexdigest(),
    }


_FIRST_CALL = """
import time, numpy as np
from emgviz import td_kernel
t0 = time.perf_counter()
import numba
t1 = time.perf_counter()
k = td_kernel.kernel()
k(np.zeros(16))
t2 = time.perf_counter()
k(np.zeros(16))
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, td_kernel.failure)
"""


def _first_call(cache_dir: str | None) -> tuple[float, float, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run([sys.executable, "-c", _FIRST_CALL], capture_output=True, text=True, env=env, check=True)
    imp, first, second, failure = out.stdout.split(maxsplit=3)
    if failure.strip() != "None":
        raise RuntimeError(failure)
    return float(imp), float(first), float(second)


def _fmt_rows(res: dict, base: str | None) -> list[str]:
    lines = []
    for k, v in res.items():
        ratio = f"{v['wall'] / res[base]['wall']:.2f}×" if base else ""
        cpu_ratio = f"{v['cpu'] / res[base]['cpu']:.2f}×" if base else ""
        walls = ", ".join(f"{w:.3f}" for w in v["walls"])
        lines.append(f"| {k} | {v['wall']:.3f} | {v['cpu']:.3f} | {walls} | {ratio} | {cpu_ratio} |")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    kern = td_kernel.kernel()
    if kern is None:
        print(f"numba kernel unavailable: {td_kernel.failure}")
        return 1
    kern(np.zeros(4))
    load_start = uptime()
    out = [f"## Time-domain features: NumPy blocks vs the one-pass numba kernel (`benchmarks/bench_features.py`, tdf, #21)",
           "",
           f"{_results_machine()}; numba {_numba_version()}, numpy {np.__version__}. Synthetic band-limited noise "
           f"at 2 kHz, EMG-sized. Rounds interleaved ABBA in one process ({args.rounds} rounds), medians; "
           "s = seconds of the whole job (all channels). CPU = thread CPU time of the calling thread (with 2 "
           "threads it misses the worker's share: compare walls there).",
           "", f"Load at start: `{load_start}`", ""]
    header = ["| job | wall s (median) | CPU s (median) | walls per round | wall ratio | CPU ratio |",
              "|---|---:|---:|---|---:|---:|"]
    for n_ch, minutes in ((8, 10), (16, 60)):
        x = _data(n_ch, minutes)
        rec = Recording._trusted(x, fs=FS, ch_names=tuple(f"m{i}" for i in range(n_ch)))
        a = [F._time_domain_numpy(r) for r in rec.data]
        b = [kern(r) for r in rec.data]
        worst = max(abs(p - q) / abs(p) for ra, rb in zip(a, b) for p, q in zip(ra[:5], rb[:5]) if p)
        counts_equal = all(ra[5:] == tuple(int(v) for v in rb[5:]) for ra, rb in zip(a, b))
        out += [f"### {n_ch} ch × {minutes} min ({x.size / 1e6:.1f} M samples)", "",
                f"Kernel vs NumPy path: largest relative difference of the five sums {worst:.1e}; "
                f"ZC and SSC equal: {counts_equal}.", ""] + header
        out += _fmt_rows(_rounds(_time_domain_cases(rec.data, kern), args.rounds), "NumPy blocks, 1 thread")
        os.environ["EMGVIZ_THREADS"] = "1"
        try:
            out += _fmt_rows(_rounds(_table_cases(rec), args.rounds), "feature_table, NumPy path")
        finally:
            os.environ.pop("EMGVIZ_THREADS", None)
        out.append("")
        if n_ch == 16:
            out += ["### Small fixed costs of the first Overview (16 ch × 60 min, same process)", ""] + header
            out += _fmt_rows(_rounds(_fixed_cases(rec), args.rounds), None)
            out.append("")
        print("\n".join(out[-12:]), flush=True)
        del x, rec, a, b
    with tempfile.TemporaryDirectory() as empty:
        compiled = _first_call(empty)       # empty cache: compiles and writes it
        loaded = _first_call(empty)         # the cache just written
    repo = _first_call(None)                # the cache beside the module (as installed)
    out += ["### The kernel's first call in a fresh process", "",
            "`import numba`, then the first call (numba compiles the kernel, or loads its machine code from the "
            "on-disk cache, then runs it on 16 samples), then a second call.", "",
            "| cache | import numba s | first call s | second call s |", "|---|---:|---:|---:|",
            f"| empty (compiles, writes the cache) | {compiled[0]:.2f} | {compiled[1]:.3f} | {compiled[2]:.6f} |",
            f"| just written (loads it) | {loaded[0]:.2f} | {loaded[1]:.3f} | {loaded[2]:.6f} |",
            f"| the module's own `__pycache__` | {repo[0]:.2f} | {repo[1]:.3f} | {repo[2]:.6f} |", "",
            "In the app, `read_cached` starts `td_kernel.warm_up_async()` for a recording of ≥ 2 M values: the "
            "load happens while the recording is filtered; until it is done `feature_table` takes the NumPy path.",
            "",
            f"Load at end: `{uptime()}`"]
    text = "\n".join(out)
    print(text)
    if not args.no_write:
        from _results import write_section
        write_section("features_td", text)
    return 0


def _results_machine() -> str:
    from _results import machine
    return machine()


def _numba_version() -> str:
    import numba
    return numba.__version__


if __name__ == "__main__":
    raise SystemExit(main())
