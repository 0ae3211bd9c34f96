"""A real ``dask.distributed`` scheduler and workers on this machine, bound to 127.0.0.1.

For trying ``python -m emgviz batch --scheduler`` without a cluster, for the tests and for the
benchmark: the same processes an administrator starts with ``dask scheduler`` and
``dask worker`` on a real cluster.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["local_cluster"]


@contextlib.contextmanager
def local_cluster(n_workers: int = 2, *, timeout_s: float = 120.0, log: str | os.PathLike | None = None):
    """Start a scheduler and one worker process with ``n_workers`` single-threaded workers.

    Yields
    ------
    str
        The scheduler's address, ``"tcp://127.0.0.1:PORT"``.

    Raises
    ------
    RuntimeError
        The cluster did not come up within ``timeout_s`` (the log file says why).
    """
    from distributed import Client

    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    with tempfile.TemporaryDirectory(prefix="emgviz-dask-") as tmp:
        sched_file = Path(tmp) / "scheduler.json"
        log_path = Path(log) if log else Path(tmp) / "cluster.log"
        with log_path.open("w") as fh:
            def start(*args):
                return subprocess.Popen([sys.executable, "-m", *args], stdout=fh, stderr=subprocess.STDOUT,
                                        env=env)

            procs = [start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                           "--no-dashboard", "--scheduler-file", str(sched_file))]
            try:
                deadline = time.monotonic() + timeout_s
                address = None
                while address is None:  # the file appears before it is fully written: wait for valid JSON
                    if procs[0].poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the dask scheduler did not start; see {log_path}")
                    try:
                        address = json.loads(sched_file.read_text())["address"]
                    except (OSError, ValueError, KeyError):
                        time.sleep(0.1)
                procs.append(start("distributed.cli.dask_worker", address, "--host", "127.0.0.1",
                                   "--nworkers", str(n_workers), "--nthreads", "1", "--no-dashboard",
                                   "--local-directory", str(Path(tmp) / "work")))
                with Client(address, timeout=f"{int(timeout_s)}s", set_as_default=False) as client:
                    client.wait_for_workers(n_workers, timeout=timeout_s)
                yield address
            finally:
                for p in reversed(procs):
                    p.terminate()
                for p in procs:
                    try:
                        p.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        p.wait()
