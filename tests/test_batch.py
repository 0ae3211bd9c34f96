"""Batch: many files, one table (one row per file × channel); a bad file is reported, never fatal."""

import io
import json

import numpy as np
import pandas as pd
import pytest

from emgviz.batch import find_recordings, find_tasks, run_batch
from emgviz.batch.work import file_sha256
from emgviz.cli import main
from emgviz.settings import Settings


def _write_csv(path, *, amp, seed, fs=1000.0, duration_s=3.0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(fs * duration_s)) / fs
    x = amp * np.sin(2 * np.pi * 80 * t) + 0.01 * amp * rng.standard_normal(t.size)
    y = 0.5 * amp * np.sin(2 * np.pi * 120 * t)
    frame = pd.DataFrame({"time": t, "biceps": x, "triceps": y})
    path.write_text(frame.to_csv(index=False, float_format="%.6g"))
    return path


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "data"
    (d / "day2").mkdir(parents=True)
    _write_csv(d / "day1.csv", amp=1.0, seed=1)
    _write_csv(d / "day2" / "day2.csv", amp=2.0, seed=2)
    (d / "broken.edf").write_bytes(b"0       not an EDF header, cut short")
    (d / "LICENSE.txt").write_text("MIT License\n\nCopyright (c) 2024\n\nPermission is hereby granted...\n")
    (d / "notes.txt").write_text("subject 3 was tired\nredo the MVC\nsee protocol v2.0, 2024\n")
    return d


def _table(path):
    return pd.read_csv(path, comment="#")


def test_folder_with_one_corrupt_file(folder, tmp_path, capsys):
    out = tmp_path / "features.csv"
    code = main(["batch", str(folder), "-o", str(out), "--notch", "50", "--workers", "2"])
    assert code == 0
    err = capsys.readouterr().err
    assert "1 of 3 file(s) failed" in err and "broken.edf" in err and "Cannot read" in err
    assert "[3/3]" in err  # the progress counter reached the end
    # documentation and a text file without numbers are skipped with a note, not read as recordings
    assert "skipped:" in err and "LICENSE.txt" in err and "notes.txt" in err
    text = out.read_text()
    header = [ln for ln in text.splitlines() if ln.startswith("#")]
    assert any("notch 50 Hz" in ln for ln in header)
    assert any(ln.startswith("# settings json:") and '"notch_hz": 50.0' in ln for ln in header)
    assert any(ln.startswith("# failed:") and "broken.edf" in ln for ln in header)
    table = _table(out)
    assert list(table.columns[:4]) == ["file", "sha256", "channel", "unit"]
    assert list(table.columns[-2:]) == ["settings", "versions"]
    assert len(table) == 4  # 2 files × 2 channels: one row per file × channel
    # provenance on every row: the file's own SHA-256, the settings, the versions
    for f, sha in zip(table["file"], table["sha256"]):
        assert sha == file_sha256(f)
    assert json.loads(table["settings"].iloc[0])["notch_hz"] == 50.0
    assert "numpy" in json.loads(table["versions"].iloc[0])
    by = table.assign(name=table["file"].str.rsplit("/", n=1).str[-1]).set_index(["name", "channel"])["RMS"]
    # day 2 was recorded at twice the amplitude: its RMS is twice day 1's, channel by channel
    assert by["day2.csv", "biceps"] / by["day1.csv", "biceps"] == pytest.approx(2.0, rel=0.01)
    assert by["day1.csv", "triceps"] == pytest.approx(0.5 / np.sqrt(2), rel=0.03)  # notch at 100/150 Hz trims ~1 %


def test_serial_and_parallel_outputs_are_identical(folder, tmp_path):
    a, b = tmp_path / "serial.csv", tmp_path / "parallel.csv"
    ra = run_batch(folder, out=a, workers=1, progress=False)
    rb = run_batch(folder, out=b, workers=2, progress=False)
    assert ra.engine == "serial" and rb.engine == "processes (2)"
    assert a.read_bytes() == b.read_bytes()


def test_parquet_output_equals_csv(folder, tmp_path):
    a, b = tmp_path / "t.csv", tmp_path / "t.parquet"
    run_batch(folder, out=a, workers=1, progress=False)
    run_batch(folder, out=b, workers=1, progress=False)
    ta, tb = _table(a), pd.read_parquet(b)
    assert list(ta.columns) == list(tb.columns)
    pd.testing.assert_frame_equal(ta, tb, check_dtype=False)
    import pyarrow.parquet as pq

    meta = pq.read_schema(b).metadata
    assert b"settings json" in meta[b"emgviz"] and json.loads(meta[b"emgviz_feature_units"])["RMS"] == "V"


def test_resume_skips_files_already_done_and_adds_new_ones(folder, tmp_path, capsys):
    out = tmp_path / "t.csv"
    first = run_batch(folder / "day1.csv", out=out, workers=1, progress=False)
    assert first.n_rows == 2
    res = run_batch(folder, out=out, workers=1, progress=False, resume=True)
    assert any("day1.csv" in f and "already in the output" in why for f, why in res.skipped)
    assert res.n_files == 2  # day2.csv and the broken file; day1.csv was not read again
    table = _table(out)
    assert sorted(table["file"].str.rsplit("/", n=1).str[-1].unique()) == ["day1.csv", "day2.csv"]
    assert len(table) == 4
    # the same as a fresh run, row for row (resumed rows come after the earlier ones)
    fresh = _table(run_batch(folder, out=tmp_path / "fresh.csv", workers=1, progress=False).out)
    key = ["file", "channel"]
    pd.testing.assert_frame_equal(table.sort_values(key).reset_index(drop=True),
                                  fresh.sort_values(key).reset_index(drop=True))
    # a changed file is read again
    _write_csv(folder / "day1.csv", amp=3.0, seed=1)
    again = run_batch(folder, out=out, workers=1, progress=False, resume=True)
    assert not any("day1.csv" in f for f, _ in again.skipped)
    # other settings refuse to resume into the same file
    with pytest.raises(ValueError, match="other settings"):
        run_batch(folder, out=out, workers=1, progress=False, resume=True, settings=Settings(notch_hz=50))


def test_all_failed_or_nothing_found_exit_1(tmp_path, capsys):
    (tmp_path / "only.edf").write_bytes(b"garbage")
    assert main(["batch", str(tmp_path), "-o", str(tmp_path / "o.csv"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "every file failed" in err and "only.edf" in err
    assert not (tmp_path / "o.csv").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["batch", str(empty), "-o", str(tmp_path / "o.csv"), "-q"]) == 1
    assert "no recordings found" in capsys.readouterr().err


def test_bad_output_suffix_and_workers_are_usage_errors(folder, tmp_path, capsys):
    assert main(["batch", str(folder), "-o", str(tmp_path / "o.xlsx"), "-q"]) == 1
    assert ".csv or .parquet" in capsys.readouterr().err
    assert main(["batch", str(folder), "-o", str(tmp_path / "o.csv"), "--workers", "0"]) == 2


def test_wfdb_is_found_by_its_header_not_its_data(tmp_path):
    (tmp_path / "rec.hea").write_text("rec 1 1000 10\n")
    (tmp_path / "rec.dat").write_bytes(b"\0" * 20)
    (tmp_path / ".hidden.csv").write_text("1\n")
    assert [p.name for p in find_recordings(tmp_path)] == ["rec.hea"]


def test_formula_like_channel_names_are_neutralised(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"time": np.arange(3000) / 1000, "=cmd|' /C calc'!A0": rng.standard_normal(3000)})
    (tmp_path / "evil.csv").write_text(frame.to_csv(index=False))
    res = run_batch(tmp_path / "evil.csv", out=tmp_path / "o.csv", workers=1, progress=False)
    table = _table(res.out)
    assert table["channel"].iloc[0] == "'=cmd|' /C calc'!A0"
    assert isinstance(table["RMS"].iloc[0], float)


def test_bundled_samples_skip_licence_texts(tmp_path):
    from pathlib import Path

    samples = Path(__file__).resolve().parents[1] / "sample_data"
    tasks, skipped = find_tasks(samples)
    names = {Path(t.path).name for t in tasks}
    assert not any("LICENSE" in n.upper() or n.endswith(".md") for n in names), names
    assert {Path(f).parent.name for f, _ in skipped} >= {"LICENSES"}
