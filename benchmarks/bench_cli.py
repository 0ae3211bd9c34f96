"""Command-line start-up: wall time of ``python -m emgviz`` commands in fresh processes.

Each command runs in a new interpreter (as a user types it), interleaved, 7 rounds; the
table gives the median and the best. Goals (issue #19): ``--help`` ≤ 0.5 s, ``info`` on a
small file ≤ 1.5 s. "every module eagerly" imports every module ``import emgviz`` used to
load at once (the state before the lazy ``__getattr__``), for the ratio.
Run: ``python benchmarks/bench_cli.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]
from _results import machine, write_section  # noqa: E402

from emgviz import _EXPORTS  # noqa: E402

ROUNDS = 7
PY = sys.executable
EAGER = "import importlib; [importlib.import_module(m, 'emgviz') for m in %r]" % sorted(set(_EXPORTS.values()))
CASES = [
    ("`python -c pass` (interpreter alone)", [PY, "-c", "pass"], None),
    ("`import emgviz`", [PY, "-c", "import emgviz"], None),
    ("every module eagerly (old `import emgviz`)", [PY, "-c", "import emgviz; " + EAGER], None),
    ("`python -m emgviz --help`", [PY, "-m", "emgviz", "--help"], 0.5),
    ("`info sample_data/emg_healthy.hea` (WFDB, 200 KB)", [PY, "-m", "emgviz", "info", "sample_data/emg_healthy.hea"], 1.5),
    ("`info sample_data/biosppy_emg_1.txt` (text, 120 KB)", [PY, "-m", "emgviz", "info", "sample_data/biosppy_emg_1.txt"], 1.5),
    ("`features sample_data/emg_healthy.hea`", [PY, "-m", "emgviz", "features", "sample_data/emg_healthy.hea"], None),
]


def main() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times: dict[str, list[float]] = {name: [] for name, _, _ in CASES}
    load_before = os.getloadavg()[0]
    for _ in range(ROUNDS):
        for name, argv, _ in CASES:
            t = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - t)
    load_after = os.getloadavg()[0]
    rows = ["| command | median s | best s | goal | met (median) |", "|---|---:|---:|---|---|"]
    for name, _, goal in CASES:
        med, best = statistics.median(times[name]), min(times[name])
        rows.append(f"| {name} | {med:.3f} | {best:.3f} | {'≤ %g s' % goal if goal else ''} | "
                    f"{('yes' if med <= goal else 'no') if goal else ''} |")
    text = (f"## Command-line start-up (`benchmarks/bench_cli.py`)\n\n{machine()}; {ROUNDS} interleaved rounds, "
            f"fresh process each. Load average (1 min) {load_before:.2f} before, {load_after:.2f} after "
            f"(2 cores shared with other work: medians are pessimistic).\n\n" + "\n".join(rows))
    write_section("cli", text)
    print(text)


if __name__ == "__main__":
    main()
