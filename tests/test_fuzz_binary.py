"""Fuzzing the binary readers with byte-flipped real files (``-m fuzz``; ≥ 1,000 per format).

Each format runs in its own worker process (``tests/fuzz_binary.py``) so that a crash of a
native library fails this test instead of killing pytest. Passing means: no input raised
anything but ReadError, none took over 20 s, the worker never died (no crash) and never grew
past 2 GB (its address space is capped there). Set ``EMGVIZ_FUZZ_N`` for another count; the
counts per outcome are printed (``-s``) and written to ``EMGVIZ_FUZZ_LOG`` when set.
"""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from fuzz_binary import FORMATS

HERE = Path(__file__).resolve().parent
N = int(os.environ.get("EMGVIZ_FUZZ_N", "1000"))


def run_worker(fmt: str, n: int, shared: Path, seed: int = 0) -> tuple[list[dict], int, str]:
    env = {**os.environ, "EMGVIZ_SHARED_DATA": str(shared),
           "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, str(HERE / "fuzz_binary.py"), fmt, str(n), str(seed)], env=env,
                          capture_output=True, text=True, timeout=60 + 25 * n)
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return rows, proc.returncode, proc.stderr[-2000:]


@pytest.mark.parametrize("fmt", FORMATS)
def test_short_run_of_flipped_files_only_gives_read_errors(fmt, shared_data):
    """A few flipped files per format in the default run (the long run is marked fuzz)."""
    rows, code, err = run_worker(fmt, 8, shared_data)
    if rows and "skip" in rows[0]:
        pytest.skip(rows[0]["skip"])
    assert code == 0, err
    outcomes = [r["outcome"] for r in rows if "outcome" in r]
    assert len(outcomes) == 8 and "exception" not in outcomes, rows


@pytest.mark.fuzz
@pytest.mark.parametrize("fmt", FORMATS)
def test_fuzz_flipped_real_files(fmt, shared_data):
    rows, code, err = run_worker(fmt, N, shared_data)
    if rows and "skip" in rows[0]:
        pytest.skip(rows[0]["skip"])
    done = [r for r in rows if "outcome" in r]
    counts = Counter(r["outcome"] for r in done)
    slowest = max((r["s"] for r in done), default=0.0)
    peak = max((r["rss_mb"] for r in done), default=0)
    summary = {"format": fmt, "n": len(done), **counts, "slowest_s": slowest, "peak_rss_mb": peak,
               "worker_exit": code}
    print(json.dumps(summary))
    if os.environ.get("EMGVIZ_FUZZ_LOG"):
        with open(os.environ["EMGVIZ_FUZZ_LOG"], "a") as fh:
            fh.write(json.dumps(summary) + "\n")
    assert code == 0 and len(done) == N, f"worker died after {len(done)} inputs (exit {code}): {err}"
    assert counts["exception"] == 0, [r for r in rows if "error" in r][:5]
    assert slowest < 20.0, summary
    assert peak < 2048 + 400, summary  # the worker starts near 200 MB and may grow at most 2 GB
