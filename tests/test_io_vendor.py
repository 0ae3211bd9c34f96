"""Vendor text exports, built here from the vendors' documented layouts at known values."""

import numpy as np
import pytest

import emgviz
from emgviz import NeedsChoice, NeedsSamplingRate
from emgviz.io import vendor
from emgviz.errors import ReadError

DELSYS = (b"Label: EMG 1 Sampling frequency: 2000 Number of points: 4 start: 0 Unit: Volts Domain Unit: s\n"
          b"Label: ACC X 1 Sampling frequency: 1000 Number of points: 2 start: 0 Unit: g Domain Unit: s\n"
          b"\n"
          b"X[s],EMG 1,X[s],ACC X 1\n"
          b"0.0000,0.001,0.000,0.5\n0.0005,0.002,0.001,0.25\n0.0010,-0.001,,\n0.0015,0.003,,\n")


def test_delsys_emg_group_by_default():
    rec = emgviz.read_bytes(DELSYS, "trial.csv")
    assert rec.meta["format"] == "Delsys EMGworks CSV"
    assert rec.ch_names == ("EMG 1",) and rec.fs == 2000.0 and rec.ch_units == ("V",)
    np.testing.assert_array_equal(rec.data, [[0.001, 0.002, -0.001, 0.003]])
    assert rec.meta["groups"] == {"2000 Hz": ["EMG 1"], "1000 Hz": ["ACC X 1"]}


def test_delsys_other_group_is_selectable_and_not_resampled():
    rec = emgviz.read_bytes(DELSYS, "trial.csv", group="1000 Hz")
    assert rec.ch_names == ("ACC X 1",) and rec.fs == 1000.0 and rec.ch_kinds == ("acc",)
    assert rec.ch_units == ("g",)
    np.testing.assert_array_equal(rec.data, [[0.5, 0.25]])
    with pytest.raises(NeedsChoice) as info:
        emgviz.read_bytes(DELSYS, "trial.csv", group="5 Hz")
    assert info.value.option == "group" and info.value.candidates == ("2000 Hz", "1000 Hz")


VICON = (b"Devices\n2000\n,,Delsys EMG,,\nFrame,Sub Frame,Biceps,Triceps\n,,mV,mV\n"
         b"1,0,1.5,2.5\n1,1,0.5,-1\n2,0,3,4\n\nTrajectories\n100\n,,a\nFrame,Sub Frame,X\n,,mm\n1,0,5\n")


def test_vicon_devices_section():
    rec = emgviz.read_bytes(VICON, "nexus.csv")
    assert rec.meta["format"] == "Vicon Nexus CSV" and rec.fs == 2000.0
    assert rec.ch_names == ("Biceps", "Triceps") and rec.ch_units == ("V", "V")
    np.testing.assert_allclose(rec.data, [[1.5e-3, 0.5e-3, 3e-3], [2.5e-3, -1e-3, 4e-3]])
    assert rec.meta["vicon_devices"] == ["Delsys EMG"]


def test_biometrics_datalog_text():
    content = b"Biometrics Ltd DataLOG\nFile: trial1.log\nSample rate: 1000 Hz\nUnits: mV\n0.5\t1.0\n0.25\t-0.5\n0.125\t2\n"
    rec = emgviz.read_bytes(content, "dl.txt")
    assert rec.meta["format"] == "Biometrics DataLOG text" and rec.fs == 1000.0
    assert rec.ch_names == ("ch1", "ch2")
    np.testing.assert_allclose(rec.data, [[5e-4, 2.5e-4, 1.25e-4], [1e-3, -5e-4, 2e-3]])


@pytest.mark.parametrize("content", [
    b"time,RT TIB.ANT. (uV),LT GASTROC (uV)\n0.000,10,20\n0.001,-5,30\n0.002,7,8\n",
    b"Time,RT TIB.ANT.,LT GASTROC\ns,uV,uV\n0.000,10,20\n0.001,-5,30\n0.002,7,8\n",
])
def test_noraxon_units_in_header(content):
    rec = emgviz.read_bytes(content, "noraxon.csv")
    assert rec.meta["format"] == "Noraxon CSV" and rec.fs == 1000.0
    assert rec.ch_names == ("RT TIB.ANT.", "LT GASTROC") and rec.ch_kinds == ("emg", "emg")
    np.testing.assert_allclose(rec.data, [[10e-6, -5e-6, 7e-6], [20e-6, 30e-6, 8e-6]])


def test_sniff_picks_only_vendor_layouts():
    assert vendor.which_vendor(DELSYS) == "delsys" and vendor.which_vendor(VICON) == "vicon"
    assert vendor.which_vendor(b"time,emg\n0,1\n") is None


def test_single_column_without_rate_needs_fs():
    with pytest.raises(NeedsSamplingRate):
        emgviz.read_bytes(b"0.1\n-0.2\n0.3\n", "one.txt")
    assert emgviz.read_bytes(b"0.1\n-0.2\n0.3\n", "one.txt", fs=100).fs == 100.0


# ---- Delsys rate; public text helpers ------------------------------------------------------------
def test_delsys_rate_from_x_column_and_equal_stamps():
    regular = b"X[s],EMG 1,X[s],ACC X\n0.0000,1,0.000,5\n0.0005,2,0.001,6\n0.0010,3,0.002,7\n"
    rec = emgviz.read_bytes(regular, "d.csv", unit="V")
    assert rec.fs == 2000.0 and rec.meta["format"] == "Delsys EMGworks CSV"
    equal = b"X[s],EMG 1,X[s],ACC X\n0,1,0,5\n0,2,0,6\n0,3,0,7\n"
    with pytest.raises(ReadError, match="does not increase"):
        emgviz.read_bytes(equal, "d.csv")
    assert emgviz.read_bytes(equal, "d.csv", fs=500).fs == 500.0


def test_vendor_reads_only_through_its_public_text_helpers():
    assert vendor.read(DELSYS, "t.csv").ch_names == ("EMG 1",)
