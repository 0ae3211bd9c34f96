"""Batch: many files, one tidy table; a bad file is reported, never fatal."""

import io

import numpy as np
import pandas as pd
import pytest

from emgviz.batch import find_recordings, main, run_batch
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
    return d


def test_folder_with_one_corrupt_file(folder, tmp_path, capsys):
    out = tmp_path / "features.csv"
    code = main([str(folder), "-o", str(out), "--notch", "50", "--workers", "2"])
    assert code == 0
    err = capsys.readouterr().err
    assert "1 of 3 file(s) failed" in err and "broken.edf" in err and "Cannot read" in err
    assert "[3/3]" in err  # the progress counter reached the end
    text = out.read_text()
    header = [ln for ln in text.splitlines() if ln.startswith("#")]
    assert any("notch 50 Hz" in ln for ln in header)
    from emgviz.export import file_sha256, read_provenance

    prov = read_provenance(text)  # the one provenance format: inputs with SHA-256, settings as JSON
    assert prov["settings json"]["notch_hz"] == 50.0
    assert "broken.edf" in prov["failed 1"]
    inputs = [prov[k] for k in ("input 1", "input 2")]
    assert [i["sha256"] for i in inputs] == [file_sha256(i["file"]) for i in inputs]
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert list(table.columns) == ["file", "channel", "feature", "value"]
    files = sorted({f.rsplit("/", 1)[-1] for f in table["file"]})
    assert files == ["day1.csv", "day2.csv"]
    rms = table[table["feature"].str.startswith("RMS")].set_index(["channel"]).groupby("file")
    by_file = {f.rsplit("/", 1)[-1]: g["value"] for f, g in rms}
    # day 2 was recorded at twice the amplitude: its RMS is twice day 1's, channel by channel
    assert by_file["day2.csv"]["biceps"] / by_file["day1.csv"]["biceps"] == pytest.approx(2.0, rel=0.01)
    assert by_file["day1.csv"]["triceps"] == pytest.approx(0.5 / np.sqrt(2), rel=0.03)  # notch at 100/150 Hz trims ~1 %


def test_run_batch_result_in_process(folder, tmp_path):
    res = run_batch(str(folder / "**" / "*.csv"), out=tmp_path, settings=Settings(), workers=1, progress=False)
    assert res.n_files == 2 and res.n_ok == 2 and res.failures.empty and res.exit_code == 0
    assert res.out == tmp_path / "emgviz_batch.csv" and res.out.exists()
    assert set(res.table["channel"]) == {"biceps", "triceps"}


def test_all_failed_or_nothing_found_exit_1(tmp_path, capsys):
    (tmp_path / "only.edf").write_bytes(b"garbage")
    assert main([str(tmp_path), "-o", str(tmp_path / "o.csv"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "every file failed" in err and "only.edf" in err
    assert not (tmp_path / "o.csv").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main([str(empty), "-o", str(tmp_path / "o.csv"), "-q"]) == 1
    assert "no recordings found" in capsys.readouterr().err


def test_wfdb_is_found_by_its_header_not_its_data(tmp_path):
    (tmp_path / "rec.hea").write_text("rec 1 1000 10\n")
    (tmp_path / "rec.dat").write_bytes(b"\0" * 20)
    (tmp_path / ".hidden.csv").write_text("1\n")
    assert [p.name for p in find_recordings(tmp_path)] == ["rec.hea"]
