"""C3D reader: files written with ezc3d at known values, the Qualisys test file, malformed files."""

import numpy as np
import pytest

ezc3d = pytest.importorskip("ezc3d")

import emgviz  # noqa: E402
from emgviz.errors import ReadError  # noqa: E402
from emgviz.io import c3d  # noqa: E402

POINT_RATE = 100
ANALOG_RATE = 1000
N_FRAMES = 200           # video frames -> 2000 analog samples
FIRST_FRAME = 51         # 1-based frame number of the first frame in the file


def _write(tmp_path, *, analogs=None, labels=("EMG 1", "R Biceps", "FP1_FZ", "Sync"),
           units=("V", "mV", "N", "V"), events=True, name="trial.c3d") -> bytes:
    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [POINT_RATE]
    c["parameters"]["ANALOG"]["RATE"]["value"] = [ANALOG_RATE]
    c["parameters"]["ANALOG"]["LABELS"]["value"] = tuple(labels)
    c["parameters"]["ANALOG"]["UNITS"]["value"] = tuple(units)
    c["data"]["analogs"] = analogs if analogs is not None else _analogs(len(labels))
    c["data"]["points"] = np.ones((4, 1, N_FRAMES))
    c["parameters"]["POINT"]["LABELS"]["value"] = ("marker",)
    c["header"]["points"]["first_frame"] = FIRST_FRAME - 1   # ezc3d counts frames from 0
    if events:
        c.add_event([0, 0.8], context="Left", label="Foot Strike")
        c.add_event([0, 1.2], context="Right", label="Foot Off")
    path = tmp_path / name
    c.write(str(path))
    return path.read_bytes()


def _analogs(n_ch: int) -> np.ndarray:
    n = N_FRAMES * ANALOG_RATE // POINT_RATE
    rows = [np.arange(n) * 1e-4 * (k + 1) - 0.05 * k for k in range(n_ch)]
    return np.array(rows, dtype=float).reshape(1, n_ch, n)


def test_written_file_values_units_kinds_time_and_events(tmp_path):
    content = _write(tmp_path)
    rec = c3d.read(content, "trial.c3d")
    expected = _analogs(4)[0]
    assert rec.fs == ANALOG_RATE and rec.n_samples == 2000
    assert rec.ch_names == ("EMG 1", "R Biceps", "FP1_FZ", "Sync")
    assert rec.ch_units == ("V", "V", "N", "V")
    assert rec.ch_kinds == ("emg", "emg", "force", "trigger")
    np.testing.assert_allclose(rec.data[0], expected[0], rtol=1e-6, atol=1e-9)   # float32 in the file
    np.testing.assert_allclose(rec.data[1], expected[1] * 1e-3, rtol=1e-6, atol=1e-12)  # mV -> V
    np.testing.assert_allclose(rec.data[2], expected[2], rtol=1e-6, atol=1e-9)
    # frame 51 at 100 Hz: the first sample is 0.5 s after frame 1; events keep the file clock
    assert rec.t0 == pytest.approx((FIRST_FRAME - 1) / POINT_RATE)
    assert rec.events["label"].tolist() == ["Left Foot Strike", "Right Foot Off"]
    np.testing.assert_allclose(rec.events["time_s"], [0.8, 1.2], atol=1e-6)
    assert rec.meta["n_analog"] == 4 and rec.meta["first_frame"] == FIRST_FRAME
    assert rec.times[0] <= rec.events["time_s"].min() and rec.events["time_s"].max() < rec.times[-1]


def test_channels_option(tmp_path):
    rec = c3d.read(_write(tmp_path), "trial.c3d", channels=["FP1_FZ"])
    assert rec.ch_names == ("FP1_FZ",) and rec.ch_kinds == ("force",)
    with pytest.raises(ReadError, match=r"no analog channel\(s\) \['EMG 9'\]"):
        c3d.read(_write(tmp_path), "trial.c3d", channels=["EMG 9"])


def test_read_bytes_sniffs_c3d_whatever_the_suffix(tmp_path):
    content = _write(tmp_path)
    assert c3d.sniff(content[:65536], "x")
    rec = emgviz.read_bytes(content, "export.dat")
    assert rec.meta["format"] == "C3D"


def test_qualisys_file(shared_data):
    content = (shared_data / "qualisys_ezc3d_testfile.c3d").read_bytes()
    rec = c3d.read(content, "qualisys.c3d")
    assert (rec.n_channels, rec.n_samples, rec.fs) == (69, 3400, 2000.0)
    emg = [n for n, k in zip(rec.ch_names, rec.ch_kinds) if k == "emg"]
    assert emg == [f"EMG {i}" for i in range(1, 17)]
    assert {rec.ch_units[rec.channel_index(n)] for n in emg} == {"V"}
    ref = ezc3d.c3d(str(shared_data / "qualisys_ezc3d_testfile.c3d"))
    np.testing.assert_array_equal(rec.channel("EMG 3"), ref["data"]["analogs"][0, 42])
    assert rec.t0 == pytest.approx(704 / 200)
    assert rec.events["label"].tolist()[:3] == ["LHS", "RTO", "RHS"]
    assert rec.t0 <= rec.events["time_s"].min() and rec.events["time_s"].max() < rec.t0 + rec.duration_s
    assert rec.pick_kind("emg").n_channels == 16


def test_truncated_file_is_refused(tmp_path, shared_data):
    content = (shared_data / "qualisys_ezc3d_testfile.c3d").read_bytes()
    with pytest.raises(ReadError, match=r"declares 3400 analog samples per channel but the file holds 1680"):
        c3d.read(content[: len(content) // 2], "qualisys.c3d")


def test_cut_inside_the_parameters(tmp_path):
    content = _write(tmp_path)
    with pytest.raises(ReadError, match="ezc3d cannot read"):
        c3d.read(content[:700], "trial.c3d")


def test_no_analog_channels(tmp_path):
    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [POINT_RATE]
    c["parameters"]["POINT"]["LABELS"]["value"] = ("marker",)
    c["data"]["points"] = np.ones((4, 1, 10))
    c.write(str(tmp_path / "markers.c3d"))
    with pytest.raises(ReadError, match="no analog samples"):
        c3d.read((tmp_path / "markers.c3d").read_bytes(), "markers.c3d")


def test_garbage_with_c3d_suffix():
    assert not c3d.sniff(b"time,emg\n" * 100, "x.c3d")
    with pytest.raises(ReadError):
        c3d.read(b"\x02\x50" + b"\x00" * 1000, "x.c3d")


# ---- from a path; truncated ----------------------------------------------------------------------
def test_c3d_read_file_passes_the_path_to_ezc3d(tmp_path, monkeypatch):
    ezc3d = pytest.importorskip("ezc3d")
    from emgviz.io import c3d

    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [100]
    c["parameters"]["ANALOG"]["RATE"]["value"] = [1000]
    c["parameters"]["ANALOG"]["LABELS"]["value"] = ("EMG 1", "Force")
    c["parameters"]["ANALOG"]["UNITS"]["value"] = ("mV", "N")
    c["data"]["analogs"] = np.arange(2 * 2000, dtype=float).reshape(1, 2, 2000) * 1e-3
    c["data"]["points"] = np.ones((4, 1, 200))
    c["parameters"]["POINT"]["LABELS"]["value"] = ("marker",)
    path = tmp_path / "trial.c3d"
    c.write(str(path))
    from_bytes = c3d.read(path.read_bytes(), "trial.c3d")

    def no_temp(*args, **kwargs):
        raise AssertionError("a temporary copy was made")

    monkeypatch.setenv("EMGVIZ_ISOLATE", "0")  # the in-process path route (the child gets the path too)
    monkeypatch.setattr(c3d.tempfile, "TemporaryDirectory", no_temp)
    rec = emgviz.read_file(path)
    np.testing.assert_array_equal(rec.data, from_bytes.data)
    assert rec.ch_units == ("V", "N") and rec.unit == "V" and rec.ch_names == ("EMG 1", "Force")
    with pytest.raises(ReadError, match="option not understood"):
        emgviz.read_file(path, group="x")


def test_c3d_truncated_file_on_disk_is_refused(tmp_path, shared_data):
    content = (shared_data / "qualisys_ezc3d_testfile.c3d").read_bytes()
    path = tmp_path / "qualisys.c3d"
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(ReadError, match=r"declares 3400 analog samples per channel but the file holds 1680"):
        emgviz.read_file(path)
