"""OpenSignals TXT (JSON header) and HDF5 exports, built here with json and h5py."""

import io
import json

import numpy as np
import pytest

import emgviz
from emgviz import NeedsChoice

DEV_A = {"sensor": ["EMG", "ACC"], "device name": "00:07:80:3B:46:61", "column": ["nSeq", "I1", "I2", "O1", "O2",
         "A1", "A2"], "sampling rate": 1000, "label": ["A1", "A2"], "resolution": [4, 1, 1, 1, 1, 10, 10],
         "device": "bitalino_rev", "position": 0, "channels": [1, 2]}
DEV_B = {"sensor": ["EDA"], "device name": "00:07:80:AA:BB:CC", "column": ["nSeq", "A1"], "sampling rate": 1000,
         "label": ["A1"], "resolution": [4, 16], "device": "biosignalsplux", "position": 1, "channels": [1]}


def opensignals_txt(devices):
    rows = ["0\t0\t0\t0\t0\t511\t600\t0\t100", "1\t0\t0\t0\t0\t520\t601\t1\t101",
            "2\t0\t0\t0\t0\t505\t602\t2\t102"]
    if len(devices) == 1:
        rows = ["\t".join(r.split("\t")[:7]) for r in rows]
    head = "# OpenSignals Text File Format\n# " + json.dumps(devices) + "\n# EndOfHeader\n"
    return (head + "\n".join(rows) + "\n").encode()


def test_txt_single_device():
    rec = emgviz.read_bytes(opensignals_txt({"00:07:80:3B:46:61": DEV_A}), "opensignals.txt")
    assert rec.meta["format"] == "OpenSignals" and rec.fs == 1000.0
    assert rec.ch_names == ("A1", "A2") and rec.ch_kinds == ("emg", "acc")
    assert rec.unit == "a.u." and rec.meta["adc_resolution_bits"] == 10
    np.testing.assert_array_equal(rec.data, [[511, 520, 505], [600, 601, 602]])
    tf = rec.meta["transfer_function"]
    assert tf["vcc_v"] == 3.3 and tf["gain"] == 1009.0 and tf["resolution_bits"] == 10


def test_txt_two_devices_default_and_choice():
    content = opensignals_txt({"00:07:80:3B:46:61": DEV_A, "00:07:80:AA:BB:CC": DEV_B})
    rec = emgviz.read_bytes(content, "two.txt")  # both at 1000 Hz: one recording, named by device
    assert rec.ch_names == ("46:61 A1", "46:61 A2", "BB:CC A1") and rec.ch_kinds == ("emg", "acc", "other")
    np.testing.assert_array_equal(rec.data[2], [100, 101, 102])
    assert set(rec.meta["devices"]) == {"00:07:80:3B:46:61", "00:07:80:AA:BB:CC"}
    other = emgviz.read_bytes(content, "two.txt", device="00:07:80:AA:BB:CC")
    assert other.ch_names == ("BB:CC A1",) and "transfer_function" not in other.meta
    np.testing.assert_array_equal(other.data, [[100, 101, 102]])
    with pytest.raises(NeedsChoice) as info:
        emgviz.read_bytes(content, "two.txt", device="nope")
    assert info.value.option == "device"


def test_hdf5_export():
    h5py = pytest.importorskip("h5py")
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        g = f.create_group("00:07:80:3B:46:61")
        g.attrs["sampling rate"] = 500
        g.attrs["resolution"] = [16]
        g.attrs["device"] = "biosignalsplux"
        g.attrs["sensor"] = json.dumps(["EMG"])
        g.attrs["label"] = json.dumps(["CH1"])
        g.create_dataset("raw/channel_1", data=np.array([[1], [2], [3], [4]], dtype=np.uint16))
    rec = emgviz.read_bytes(buf.getvalue(), "rec.h5")
    assert rec.fs == 500.0 and rec.ch_names == ("CH1",) and rec.unit == "a.u." and rec.ch_kinds == ("emg",)
    np.testing.assert_array_equal(rec.data, [[1, 2, 3, 4]])
    assert rec.meta["transfer_function"]["vcc_v"] == 3.0


def test_hdf5_without_device_group_is_refused():
    h5py = pytest.importorskip("h5py")
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_dataset("x", data=np.arange(3))
    with pytest.raises(emgviz.ReadError, match="no OpenSignals device group"):
        emgviz.read_bytes(buf.getvalue(), "other.h5")


def test_sampling_rate_true_is_refused():
    dev = {**DEV_A, "sampling rate": True}
    with pytest.raises(emgviz.ReadError, match="sampling rate.*True.*not a number"):
        emgviz.read_bytes(opensignals_txt({"00:07:80:3B:46:61": dev}), "bool.txt")
