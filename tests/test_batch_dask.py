"""Batch on a real Dask cluster: a scheduler and two workers started here, on 127.0.0.1 only."""

from pathlib import Path

import pytest

from emgviz.batch import run_batch
from emgviz.cli import main

import distributed  # noqa: E402  (a requirement: never skipped)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real scheduler and a worker process with 2 single-threaded workers, on 127.0.0.1."""
    from emgviz.batch.cluster import local_cluster

    log = tmp_path_factory.mktemp("dask") / "cluster.log"
    with local_cluster(2, log=log) as address:
        assert address.startswith("tcp://127.0.0.1:")
        with distributed.Client(address, set_as_default=False) as client:
            assert all(w.startswith("tcp://127.0.0.1:") for w in client.scheduler_info()["workers"])
        yield address


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
