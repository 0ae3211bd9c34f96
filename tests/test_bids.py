"""EMG-BIDS: a dataset written by emgviz reads back equal; sidecars decide names, kinds, bad channels,
events and meta; the BIDS validator (when installed) finds no error."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emgviz import Recording
from emgviz.batch import run_batch
from emgviz.bids import bids_entities, bids_name, read_bids_dataset, read_bids_file, write_bids
from emgviz.cli import main
from emgviz.errors import ReadError
from emgviz.io import read_file

ROOT = Path(__file__).resolve().parents[1]


def _rec(seed=0, fs=2000.0, n=4000):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((3, n)) * np.array([[50e-6], [20e-6], [1e-3]])
    events = pd.DataFrame({"time_s": [0.5, 1.25], "duration_s": [0.5, 0.0], "label": ["grip", "release"]})
    return Recording(data, fs=fs, ch_names=("biceps", "triceps", "trigger"), ch_kinds=("emg", "emg", "trigger"),
                     events=events)


def test_entities_and_names_round_trip():
    name = bids_name({"subject": "07", "session": "post", "task": "grip", "run": "3"}, "emg", ".bdf")
    assert name == "sub-07_ses-post_task-grip_run-3_emg.bdf"
    assert bids_entities(name) == {"subject": "07", "session": "post", "task": "grip", "run": "3"}
    with pytest.raises(ValueError, match="letters and digits"):
        bids_name({"subject": "07_a", "task": "grip"}, "emg", ".bdf")


def test_written_dataset_reads_back_equal(tmp_path):
    rec = _rec()
    path = write_bids(rec, tmp_path, subject="01", session="pre", task="grip", run=1, power_line_hz=50,
                      reference="left olecranon", muscles={"biceps": "biceps brachii"})
    assert path == tmp_path / "sub-01/ses-pre/emg/sub-01_ses-pre_task-grip_run-1_emg.bdf"
    for suffix in ("_emg.json", "_channels.tsv", "_events.tsv"):
        assert (path.parent / path.name.replace("_emg.bdf", suffix)).is_file()
    desc = json.loads((tmp_path / "dataset_description.json").read_text())
    assert desc["BIDSVersion"].startswith("1.11")
    back = read_bids_file(path)
    assert back.ch_names == rec.ch_names and back.fs == rec.fs and back.n_samples == rec.n_samples
    assert back.ch_kinds == ("emg", "emg", "trigger")
    # BDF: 24 bits over each channel's range -> error below range / 2**24
    span = rec.data.max(axis=1) - rec.data.min(axis=1)
    assert np.all(np.abs(back.data - rec.data).max(axis=1) <= span / 2**23)
    assert list(back.events["label"]) == ["grip", "release"]
    np.testing.assert_allclose(back.events["time_s"], [0.5, 1.25])
    np.testing.assert_allclose(back.events["duration_s"], [0.5, 0.0])
    bids = back.meta["bids"]
    assert bids["entities"] == {"subject": "01", "session": "pre", "task": "grip", "run": "1"}
    assert bids["EMGReference"] == "left olecranon" and bids["PowerLineFrequency"] == 50
    assert bids["EMGPlacementScheme"] == "Other"
    assert bids["muscles"] == {"biceps": "biceps brachii"}


def test_channels_tsv_decides_kinds_bad_channels_and_inherited_sidecar(tmp_path):
    path = write_bids(_rec(), tmp_path, subject="01", task="grip")
    channels = path.parent / "sub-01_task-grip_channels.tsv"
    text = channels.read_text().replace("triceps\tEMG\tuV\t2000.0\tn/a\tgood",
                                        "triceps\tEMG\tuV\t2000.0\tn/a\tbad")
    channels.write_text(text)
    # a top-level sidecar applies to every task-grip recording below it; the closer file overrides it
    (tmp_path / "task-grip_emg.json").write_text(json.dumps({"EMGPlacementScheme": "Measured",
                                                              "Manufacturer": "Delsys"}))
    rec = read_bids_file(path)
    assert rec.ch_names == ("biceps", "trigger")
    assert any("triceps left out" in n for n in rec.meta["notes"])
    assert rec.meta["bids"]["Manufacturer"] == "Delsys"          # inherited from the root
    assert rec.meta["bids"]["EMGPlacementScheme"] == "Other"     # the recording's own sidecar wins


def test_channels_tsv_that_disagrees_with_the_data_is_refused(tmp_path):
    path = write_bids(_rec(), tmp_path, subject="01", task="grip")
    channels = path.parent / "sub-01_task-grip_channels.tsv"
    channels.write_text("\n".join(channels.read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(ReadError, match="lists 2 channels but the data file holds 3"):
        read_bids_file(path)


def test_dataset_batch_has_entity_columns(tmp_path):
    ds = tmp_path / "ds"
    for sub, ses, seed in (("01", "pre", 1), ("01", "post", 2), ("02", "pre", 3)):
        write_bids(_rec(seed), ds, subject=sub, session=ses, task="grip", run=1)
    (ds / "sub-01" / "notes.txt").write_text("not part of the data\n")
    recs = list(read_bids_dataset(ds))
    assert [r.meta["bids"]["entities"]["session"] for r in recs] == ["post", "pre", "pre"]
    res = run_batch(ds, out=tmp_path / "t.csv", workers=1, progress=False)
    table = pd.read_csv(res.out, comment="#", dtype={"subject": str, "run": str})
    assert list(table.columns[2:9]) == ["subject", "session", "task", "acquisition", "run", "recording",
                                        "channel"]
    assert len(table) == 3 * 2  # trigger channels are not EMG: 2 EMG channels per recording
    assert set(zip(table["subject"], table["session"])) == {("01", "pre"), ("01", "post"), ("02", "pre")}


def test_cli_export_several_files_as_runs(tmp_path, capsys):
    samples = ROOT / "sample_data"
    code = main(["bids", "export", str(samples / "emg_healthy.hea"), str(samples / "biosppy_emg_1.txt"),
                 "--root", str(tmp_path), "--subject", "01", "--task", "rest", "--line-freq", "50"])
    assert code == 0
    out = capsys.readouterr().out
    assert "run-1_emg.bdf" in out and "run-2_emg.bdf" in out
    original = read_file(samples / "emg_healthy.hea")
    back = read_bids_file(tmp_path / "sub-01/emg/sub-01_task-rest_run-1_emg.bdf")
    span = np.ptp(original.data)
    assert np.abs(back.data - original.data).max() <= span / 2**23
    assert main(["bids", "export", str(samples / "emg_healthy.hea"), "--root", str(tmp_path),
                 "--subject", "01", "--task", "rest", "--run", "1"]) == 1
    assert "exists" in capsys.readouterr().err


def _validator() -> str | None:
    exe = Path(sys.executable).with_name("bids-validator-deno")
    return str(exe) if exe.exists() else shutil.which("bids-validator-deno")


def test_bids_validator_finds_no_error(tmp_path):
    exe = _validator()
    if exe is None:
        pytest.skip("bids-validator-deno is not installed (pip install -r requirements-dev.txt)")
    write_bids(_rec(), tmp_path, subject="01", task="grip", run=1, power_line_hz=60,
               placement_description="SENIAM recommendations")
    write_bids(_rec(1), tmp_path, subject="02", session="a", task="grip", power_line_hz=60)
    proc = subprocess.run([exe, "--json", str(tmp_path)], capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stdout)
    issues = report["issues"]["issues"]
    errors = [i for i in issues if i["severity"] == "error"]
    assert errors == [], errors
    assert "emg" in json.dumps(report.get("summary", {})).lower()
