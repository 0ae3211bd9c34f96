"""MATLAB reader: v5 files written with scipy, v7.3 files written with h5py, choices and malformed files."""

import io

import h5py
import numpy as np
import pytest
import scipy.io as sio

import emgviz
from emgviz.errors import NeedsChoice, NeedsSamplingRate, ReadError
from emgviz.io import matlab

N = 1200


def _mat(variables: dict, **kwargs) -> bytes:
    buf = io.BytesIO()
    sio.savemat(buf, variables, **kwargs)
    return buf.getvalue()


def _samples(n_ch=3):
    return np.arange(N * n_ch, dtype=float).reshape(N, n_ch) * 1e-6   # (samples, channels), MATLAB style


def _v73(datasets: dict) -> bytes:
    """A v7.3 MAT-file: HDF5 with MATLAB's 512-byte userblock and MATLAB_class attributes."""
    buf = io.BytesIO()
    with h5py.File(buf, "w", userblock_size=512) as f:
        for key, (value, cls) in datasets.items():
            if cls == "cell":
                refs = []
                for i, text in enumerate(value):
                    d = f.create_dataset(f"#refs#/{key}{i}", data=np.array([[ord(c)] for c in text], np.uint16))
                    d.attrs["MATLAB_class"] = np.bytes_("char")
                    refs.append(d.ref)
                d = f.create_dataset(key, data=np.array([refs], dtype=h5py.ref_dtype))
            elif cls == "char":
                d = f.create_dataset(key, data=np.array([[ord(c)] for c in value], np.uint16))
            else:
                d = f.create_dataset(key, data=value)
            d.attrs["MATLAB_class"] = np.bytes_(cls)
    content = bytearray(buf.getvalue())
    text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 ."
    content[: len(text)] = text
    return bytes(content)


def test_v5_matrix_fs_names_and_unit():
    x = _samples()
    content = _mat({"emg": x, "Fs": 2000.0, "units": "uV",
                    "labels": np.array(["Biceps", "Triceps", "Deltoid"], dtype=object)})
    assert matlab.sniff(content[:128], "x")
    rec = matlab.read(content, "trial.mat")
    assert rec.fs == 2000 and rec.ch_names == ("Biceps", "Triceps", "Deltoid")
    assert rec.data.shape == (3, N)
    np.testing.assert_allclose(rec.data, x.T * 1e-6, rtol=1e-12)    # uV -> V
    assert rec.unit == "V" and rec.ch_kinds == ("emg", "emg", "emg")
    assert rec.meta["variable"] == "emg" and rec.meta["transposed"] is True


def test_v5_struct_with_int_codes_and_gain():
    codes = (np.arange(N * 2).reshape(2, N) % 4096 - 2048).astype(np.int16)
    content = _mat({"data": {"emg": codes, "srate": 1000, "gain": 2.5e-7, "names": ["VL", "VM"]}})
    rec = matlab.read(content, "codes.mat")
    assert rec.fs == 1000 and rec.ch_names == ("VL", "VM") and rec.unit == "V"
    np.testing.assert_allclose(rec.data, codes * 2.5e-7, rtol=1e-12)
    assert "gain" in rec.meta["note"]


def test_int_codes_without_scale_stay_counts():
    codes = np.arange(N, dtype=np.int16)
    rec = matlab.read(_mat({"raw": codes, "fs": 500}), "raw.mat")
    assert rec.unit == "a.u." and rec.meta["adc"] is True and "a.u." in rec.meta["note"]
    np.testing.assert_array_equal(rec.data[0], codes)


def test_several_candidates_need_a_choice():
    content = _mat({"emg": _samples(), "force": _samples(1), "fs": 1000})
    with pytest.raises(NeedsChoice) as info:
        matlab.read(content, "two.mat")
    assert info.value.option == "variable" and set(info.value.candidates) == {"emg", "force"}
    assert matlab.read(content, "two.mat", variable="force").n_channels == 1
    with pytest.raises(NeedsChoice):
        matlab.read(content, "two.mat", variable="nope")


def test_no_rate_needs_fs_and_a_time_vector_gives_it():
    content = _mat({"emg": _samples()})
    with pytest.raises(NeedsSamplingRate, match="no sampling-rate variable"):
        matlab.read(content, "nofs.mat")
    assert matlab.read(content, "nofs.mat", fs=1500).fs == 1500
    t = 2.0 + np.arange(N) / 800.0
    rec = matlab.read(_mat({"emg": _samples(), "time": t}), "t.mat")
    assert rec.fs == pytest.approx(800) and rec.t0 == pytest.approx(2.0)


def test_v73_hdf5_with_cellstr_names_and_mv():
    x = _samples(2)
    content = _v73({"emg": (x, "double"), "fs": (np.array([[4000.0]]), "double"),
                    "unit": ("mV", "char"), "channels": (["TA", "GM"], "cell")})
    assert matlab.sniff(content[:1024], "x")
    rec = matlab.read(content, "v73.mat")
    assert rec.meta["version"] == "7.3"
    assert rec.fs == 4000 and rec.ch_names == ("TA", "GM") and rec.unit == "V"
    np.testing.assert_allclose(rec.data, x.T * 1e-3, rtol=1e-12)


def test_read_file_routes_mat(tmp_path):
    path = tmp_path / "x.mat"
    path.write_bytes(_mat({"emg": _samples(), "fs": 1000}))
    assert emgviz.read_file(path).meta["format"] == "MATLAB"


def test_truncated_v5_file():
    content = _mat({"emg": _samples(), "fs": 1000})
    with pytest.raises(ReadError, match="scipy cannot read"):
        matlab.read(content[: len(content) // 2], "cut.mat")


def test_truncated_v73_file():
    content = _v73({"emg": (_samples(), "double"), "fs": (np.array([[1000.0]]), "double")})
    with pytest.raises(ReadError, match="h5py cannot read"):
        matlab.read(content[:2000], "cut.mat")


def test_no_numeric_array():
    with pytest.raises(ReadError, match="no numeric array"):
        matlab.read(_mat({"note": "hello", "fs": 1000}), "empty.mat")


def test_wrong_suffix_text_is_not_matlab():
    assert not matlab.sniff(b"time,emg\n0,1\n", "x.mat")


# ---- integer codes with a unit -------------------------------------------------------------------
def test_matlab_integer_codes_with_a_non_voltage_unit(tmp_path):
    scipy_io = pytest.importorskip("scipy.io")
    buf = io.BytesIO()
    scipy_io.savemat(buf, {"force": np.arange(40, dtype=np.int16), "fs": 100.0, "gain": 0.5, "unit": "N"})
    rec = emgviz.read_bytes(buf.getvalue(), "f.mat")
    assert rec.unit == "N" and rec.ch_units == ("N",)
    np.testing.assert_allclose(rec.data[0], np.arange(40) * 0.5)
