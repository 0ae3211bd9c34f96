"""The command line, run as a user would: `python -m emgviz ...` in a subprocess."""

import io
import subprocess
import sys

import numpy as np
import pandas as pd

import emgviz


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "emgviz", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_info_lists_channels_fs_duration_units(sample_dir):
    r = run("info", sample_dir / "emg_healthy.hea")
    assert r.returncode == 0, r.stderr
    assert "4000 Hz" in r.stdout and "12.715 s" in r.stdout and "EMG" in r.stdout and "V" in r.stdout


def test_features_prints_the_table_of_a_bundled_file(sample_dir):
    path = sample_dir / "uci_gestures_1_raw_data_11-08_21.03.16.txt"
    r = run("features", path, "--notch", "50")
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(io.StringIO(r.stdout), comment="#")
    assert list(table["channel"]) == [f"channel{i}" for i in range(1, 9)]
    rec = emgviz.read_file(path, unit="V")  # the bundled sample's documented unit, as the app and CLI read it
    expected = emgviz.feature_table(emgviz.preprocess(rec, emgviz.Settings(notch_hz=50)).filtered)
    shown = emgviz.to_display_units(expected, emgviz.units.recording_display_unit(rec))  # the app's unit
    rms = [c for c in shown.columns if c.startswith("RMS")][0]
    np.testing.assert_allclose(table[rms], shown[rms], rtol=1e-6)
    assert "notch 50 Hz" in emgviz.export.read_provenance(r.stdout)["settings"]


def test_unreadable_file_gives_a_message_and_exit_1(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    r = run("features", bad)
    assert r.returncode == 1
    assert "bad.csv" in r.stderr and "empty" in r.stderr and "Traceback" not in r.stderr


def test_missing_rate_asks_for_fs(tmp_path):
    f = tmp_path / "one.txt"
    f.write_text("\n".join(str(np.sin(i / 5)) for i in range(2000)))
    r = run("info", f)
    assert r.returncode == 1 and "fs" in r.stderr
    r = run("info", f, "--fs", "500")
    assert r.returncode == 0 and "500 Hz" in r.stdout


def test_usage_error_exit_2():
    r = run("features")
    assert r.returncode == 2


def test_formats_lists_every_reader_with_its_suffixes():
    from emgviz.io import supported_formats

    r = run("formats")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    expected = supported_formats()
    assert len(lines) == len(expected)
    for line, fmt in zip(lines, expected):
        assert line.startswith(fmt["format"])
        shown = line[len(fmt["format"]):].split()
        assert shown == (list(fmt["suffixes"]) or ["(by", "content)"])
    assert any(".edf" in line and ".bdf" in line for line in lines)


def test_formats_refuses_arguments():
    r = run("formats", "extra.csv")
    assert r.returncode == 2
    assert "unrecognized arguments: extra.csv" in r.stderr
