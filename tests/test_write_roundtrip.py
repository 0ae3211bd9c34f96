"""write_file round trips: write, read back with emgviz.read_file, compare within each format's resolution."""

import warnings

import numpy as np
import pytest

import emgviz
from emgviz.io.write import SQNR_MIN_RATIO, needs_24_bits, write_file

FS = 1000.0


@pytest.fixture
def rec():
    rng = np.random.default_rng(7)
    n = 5000
    emg = rng.normal(0, 1e-4, (2, n))                     # V
    force = np.linspace(0, 50, n)                          # N
    return emgviz.Recording(np.vstack([emg, force]), fs=FS, ch_names=["Biceps", "Triceps", "Force"],
                            ch_units=["V", "V", "N"], ch_kinds=["emg", "emg", "force"], t0=1.25,
                            events=[(2.0, 0.5, "Lift"), (3.0, "Drop")],
                            meta={"start": "2024-03-01T10:11:12"})


def _edf_step(row: np.ndarray, bits: int) -> float:
    """One digital step: physical range / (2**bits - 1), the range taken from the data."""
    return (row.max() - row.min()) / (2**bits - 1)


def test_csv_round_trip_is_exact(rec, tmp_path):
    path = write_file(rec, tmp_path / "trial.csv")
    text = path.read_text()
    assert text.startswith("# emgviz") and "# sampling rate (Hz): 1000.0" in text
    back = emgviz.read_file(path)
    assert back.ch_names == rec.ch_names and back.ch_units == rec.ch_units
    assert back.fs == FS and back.t0 == pytest.approx(rec.t0, abs=1e-12)
    np.testing.assert_array_equal(back.data, rec.data)      # shortest round-trip float text


def test_csv_round_trip_keeps_events(rec, tmp_path):
    back = emgviz.read_file(write_file(rec, tmp_path / "trial.csv"))
    assert back.events.to_dict("list") == rec.events.to_dict("list")


def test_edf_round_trip_within_one_step(rec, tmp_path):
    path = write_file(rec, tmp_path / "trial.edf")
    assert path.suffix == ".edf"
    back = emgviz.read_file(path)
    assert back.ch_names == rec.ch_names and back.ch_units == rec.ch_units and back.fs == FS
    for row, got in zip(rec.data, back.data):
        # EDF step = range / 65535; rounding to it errs by half a step, plus the 8-character
        # physical range fields (rounded outward) widening the range slightly
        assert np.abs(got - row).max() <= 0.51 * _edf_step(row, 16) * 1.001
    # EDF holds no t0: the events are written relative to the first sample
    assert back.t0 == 0.0
    assert back.events.to_dict("list") == {"time_s": [0.75, 1.75], "duration_s": [0.5, 0.0],
                                          "label": ["Lift", "Drop"]}
    assert back.meta["start"] == "2024-03-01T10:11:12"


def test_bdf_round_trip_within_one_24_bit_step(rec, tmp_path):
    back = emgviz.read_file(write_file(rec, tmp_path / "trial.bdf"))
    assert back.meta["variant"].startswith("BDF")
    assert back.data.shape == rec.data.shape and back.ch_names == rec.ch_names
    for row, got in zip(rec.data, back.data):
        assert np.abs(got - row).max() <= 0.51 * _edf_step(row, 24) * 1.01
    assert back.events["label"].tolist() == ["Lift", "Drop"]


def test_small_signal_beside_a_large_artefact_becomes_bdf(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1e-6, 4000)
    x[2000] = 0.5                                          # one 0.5 V spike sets the range
    spiky = emgviz.Recording(x, fs=FS, ch_names=["EMG"])
    assert needs_24_bits(spiky) == ["EMG"]
    step = 0.5 / 65535 * 1.0
    assert step / np.sqrt(12) > SQNR_MIN_RATIO * 1e-6
    with pytest.warns(UserWarning, match="16-bit EDF is too coarse"):
        path = write_file(spiky, tmp_path / "spiky.edf")
    assert path.name == "spiky.bdf" and path.read_bytes()[:8] == b"\xffBIOSEMI"
    back = emgviz.read_file(path)
    assert np.abs(back.data[0] - x).max() <= 0.51 * _edf_step(x, 24) * 1.01


def test_ordinary_emg_stays_edf(rec, tmp_path):
    assert needs_24_bits(rec) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert write_file(rec, tmp_path / "ok.edf").suffix == ".edf"


def test_npz_round_trip_keeps_everything(rec, tmp_path):
    back = emgviz.read_file(write_file(rec, tmp_path / "trial.npz"))
    np.testing.assert_array_equal(back.data, rec.data)
    assert (back.ch_names, back.ch_units, back.ch_kinds, back.fs, back.t0) == \
        (rec.ch_names, rec.ch_units, rec.ch_kinds, rec.fs, rec.t0)
    assert back.events.to_dict("list") == rec.events.to_dict("list")


def test_odd_length_and_rate_edf(tmp_path):
    x = np.sin(np.arange(4999) / 7.0) * 1e-3               # 4999 = 4999 (prime): one data record
    odd = emgviz.Recording(x, fs=1925.0, ch_names=["BicepsBrachiiR"])
    back = emgviz.read_file(write_file(odd, tmp_path / "odd.edf"))
    assert back.n_samples == 4999 and back.fs == pytest.approx(1925.0, rel=1e-7)


def test_unknown_format_and_colliding_names(rec, tmp_path):
    with pytest.raises(ValueError, match="cannot tell the format"):
        write_file(rec, tmp_path / "trial.xyz")
    long = emgviz.Recording(np.zeros((2, 100)), fs=FS, ch_names=["Left rectus femoris A", "Left rectus femoris B"])
    with pytest.raises(ValueError, match="16 ASCII characters"):
        write_file(long, tmp_path / "long.edf")
