"""EDF/BDF reader: files written with edfio at known values, rate groups, annotations, malformed files."""

import datetime
import io

import edfio
import numpy as np
import pytest

import emgviz
from emgviz.errors import NeedsChoice, ReadError
from emgviz.io import edf
from io_samples import edf_bytes, patch_edf_signal_field

FS = 2000
N_SEC = 4


def _bytes(obj) -> bytes:
    buf = io.BytesIO()
    obj.write(buf)
    return buf.getvalue()


@pytest.fixture
def mixed():
    """EDF+: two EMG channels (uV, mV) at 2000 Hz, force (N) and acc (g) at 100 Hz, 2 annotations."""
    t = np.arange(N_SEC * FS) / FS
    emg1 = 500 * np.sin(2 * np.pi * 40 * t)           # uV
    emg2 = 0.25 * np.cos(2 * np.pi * 60 * t)           # mV
    slow_t = np.arange(N_SEC * 100) / 100
    force = 10 + 5 * slow_t
    acc = np.sin(slow_t)
    signals = [
        edfio.EdfSignal(emg1, FS, label="EMG biceps", physical_dimension="uV", physical_range=(-1000, 1000)),
        edfio.EdfSignal(emg2, FS, label="EMG triceps", physical_dimension="MV", physical_range=(-1, 1)),
        edfio.EdfSignal(force, 100, label="Force", physical_dimension="N", physical_range=(0, 50)),
        edfio.EdfSignal(acc, 100, label="Acc X", physical_dimension="g", physical_range=(-2, 2)),
    ]
    content = _bytes(edfio.Edf(
        signals, starttime=datetime.time(9, 30, 15),
        recording=edfio.Recording(startdate=datetime.date(2024, 5, 17)),
        annotations=[edfio.EdfAnnotation(1.5, 0.25, "Lift"), edfio.EdfAnnotation(3.0, None, "Drop")]))
    return content, emg1, emg2, force, acc


def test_emg_group_is_the_default_with_volts_and_events(mixed):
    content, emg1, emg2, _, _ = mixed
    rec = edf.read(content, "trial.edf")
    assert rec.fs == FS and rec.n_samples == N_SEC * FS
    assert rec.ch_names == ("EMG biceps", "EMG triceps")
    assert rec.ch_units == ("V", "V") and rec.unit == "V" and rec.ch_kinds == ("emg", "emg")
    np.testing.assert_allclose(rec.data[0], emg1 * 1e-6, atol=2000e-6 / 65535)   # one EDF step
    np.testing.assert_allclose(rec.data[1], emg2 * 1e-3, atol=2e-3 / 65535)
    assert rec.events.to_dict("list") == {"time_s": [1.5, 3.0], "duration_s": [0.25, 0.0],
                                         "label": ["Lift", "Drop"]}
    assert rec.meta["groups"] == {"2000 Hz": ["EMG biceps", "EMG triceps"], "100 Hz": ["Force", "Acc X"]}
    assert rec.meta["group"] == "2000 Hz" and rec.meta["variant"] == "EDF+C"
    assert rec.meta["start"] == "2024-05-17T09:30:15"


def test_other_group_keeps_its_units_and_kinds(mixed):
    content, _, _, force, acc = mixed
    rec = edf.read(content, "trial.edf", group="100 Hz")
    assert rec.fs == 100 and rec.ch_names == ("Force", "Acc X")
    assert rec.ch_units == ("N", "g") and rec.ch_kinds == ("force", "acc")
    np.testing.assert_allclose(rec.data[0], force, atol=50 / 65535)
    np.testing.assert_allclose(rec.data[1], acc, atol=4 / 65535)
    assert edf.read(content, "trial.edf", group=100).ch_names == ("Force", "Acc X")


def test_channels_option_and_its_errors(mixed):
    content = mixed[0]
    assert edf.read(content, "trial.edf", channels=["EMG triceps"]).ch_names == ("EMG triceps",)
    with pytest.raises(ReadError, match=r"different sampling rates \(100 Hz, 2000 Hz\)"):
        edf.read(content, "trial.edf", channels=["EMG biceps", "Force"])
    with pytest.raises(ReadError, match=r"no channel\(s\) \['Gluteus'\]"):
        edf.read(content, "trial.edf", channels=["Gluteus"])


def test_unknown_group_lists_the_groups(mixed):
    with pytest.raises(NeedsChoice) as info:
        edf.read(mixed[0], "trial.edf", group="500 Hz")
    assert info.value.option == "group" and info.value.candidates == ("2000 Hz", "100 Hz")


def test_bdf_is_read_at_24_bits():
    t = np.arange(FS) / FS
    x = 3.0 * np.sin(2 * np.pi * 5 * t)  # mV
    content = _bytes(edfio.Bdf([edfio.BdfSignal(x, FS, label="Gastrocnemius", physical_dimension="mV",
                                                physical_range=(-4, 4))]))
    assert content[:8] == b"\xffBIOSEMI" and edf.sniff(content[:256], "x")
    rec = edf.read(content, "walk.bdf")
    assert rec.ch_kinds == ("emg",) and rec.meta["variant"] == "BDF"
    np.testing.assert_allclose(rec.data[0], x * 1e-3, atol=8e-3 / (2**24 - 1))


def test_read_file_goes_through_the_registry(mixed, tmp_path):
    path = tmp_path / "trial.edf"
    path.write_bytes(mixed[0])
    rec = emgviz.read_file(path)
    assert rec.meta["format"] == "EDF/BDF" and rec.n_channels == 2


def test_truncated_file(mixed):
    content = mixed[0]
    with pytest.raises(ReadError, match=r"ends inside a data record.*truncated"):
        edf.read(content[:-100], "trial.edf")


def test_header_lying_about_the_record_count(mixed):
    content = mixed[0]
    lying = content[:236] + b"12      " + content[244:]
    with pytest.raises(ReadError, match=r"declares 12 data records but the file holds 4"):
        edf.read(lying, "trial.edf")


def test_header_only(mixed):
    content = mixed[0]
    header_len = int(content[184:192])
    with pytest.raises(ReadError):
        edf.read(content[:header_len], "trial.edf")


def test_cut_inside_the_header(mixed):
    with pytest.raises(ReadError, match="cannot parse the EDF header"):
        edf.read(mixed[0][:300], "trial.edf")


def test_wrong_suffix_and_not_edf():
    assert not edf.sniff(b"time,emg\n0,1\n", "x.edf")
    with pytest.raises(ReadError):
        emgviz.read_bytes(b"\x00\x01\x02 not an edf at all", "x.edf")


# ---- digital range and resolution ----------------------------------------------------------------
def test_edf_with_empty_digital_range_is_a_read_error():
    content = edf_bytes()
    dmin = content[256 + 2 * (16 + 80 + 8 + 8 + 8):][:8].decode().strip()
    bad = patch_edf_signal_field(content, 0, "digital_max", dmin)
    with pytest.raises(ReadError, match=r"'EMG biceps' has digital minimum = digital maximum") as info:
        emgviz.read_bytes(bad, "flat.edf")
    assert "ZeroDivision" not in str(info.value)
    # the other signal is still readable on its own
    assert edf.read(bad, "flat.edf", channels=["EMG triceps"]).ch_names == ("EMG triceps",)


def test_edf_resolution_comes_from_the_scaling():
    rec = emgviz.read_bytes(edf_bytes(), "r.edf")
    # uV over 16 bits, in volts; mV likewise
    np.testing.assert_allclose(rec.meta["resolution"], [2000e-6 / 65535, 4e-3 / 65535], rtol=1e-12)
