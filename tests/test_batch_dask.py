"""Batch on a real Dask cluster: a scheduler and two workers started here, on 127.0.0.1 only."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emgviz.batch import run_batch
from emgviz.cli import main

distributed = pytest.importorskip("distributed", reason="dask[distributed] is in requirements.txt")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"


def _start(args, log, env):
    return subprocess.Popen([sys.executable, "-m", *args], stdout=log, stderr=subprocess.STDOUT, env=env,
                            cwd=ROOT)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A dask.distributed scheduler and a worker process with 2 single-threaded workers, on loopback."""
    tmp = tmp_path_factory.mktemp("dask")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    sched_file = tmp / "scheduler.json"
    log = (tmp / "cluster.log").open("w")
    procs = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(sched_file)], log, env)]
    try:
        deadline = time.monotonic() + 90
        while not sched_file.exists():
            if procs[0].poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dask scheduler did not start; see {tmp / 'cluster.log'}")
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs.append(_start(["distributed.cli.dask_worker", address, "--host", "127.0.0.1", "--nworkers", "2",
                             "--nthreads", "1", "--no-dashboard", "--local-directory", str(tmp / "work")],
                            log, env))
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
            assert all(w.startswith("tcp://127.0.0.1:") for w in client.scheduler_info()["workers"])
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()


def test_dask_cluster_gives_the_serial_output(dask_cluster, tmp_path, capsys):
    inputs = [str(SAMPLES), str(tmp_path / "missing.edf")]
    serial = run_batch(inputs, out=tmp_path / "serial.csv", workers=1, progress=False)
    assert main(["batch", *inputs, "--out", str(tmp_path / "dask.csv"), "--scheduler", dask_cluster]) == 0
    err = capsys.readouterr().err
    assert f"dask ({dask_cluster})" in err
    assert "missing.edf" in err and "1 of" in err  # the unreadable file is listed; the batch went on
    assert (tmp_path / "dask.csv").read_bytes() == serial.out.read_bytes()
    assert serial.n_rows >= 11  # 1 + 1 + 1 + 8 channels of the bundled samples


def test_dask_reads_a_bids_dataset_on_the_workers(dask_cluster, tmp_path):
    from emgviz.bids import write_bids
    from emgviz.io import read_file

    rec = read_file(SAMPLES / "emg_healthy.hea")
    for sub in ("01", "02"):
        write_bids(rec, tmp_path / "ds", subject=sub, task="rest", power_line_hz=50)
    a = run_batch(tmp_path / "ds", out=tmp_path / "a.parquet", workers=1, progress=False)
    b = run_batch(tmp_path / "ds", out=tmp_path / "b.parquet", scheduler=dask_cluster, progress=False)
    import pandas as pd

    ta, tb = pd.read_parquet(a.out), pd.read_parquet(b.out)
    pd.testing.assert_frame_equal(ta, tb)
    assert list(ta["subject"]) == ["01", "02"] and set(ta["task"]) == {"rest"}
