"""Conformance: every shared real export read by emgviz equals the independent reader of SOURCES.md.

For each file the call verified in ``SOURCES.md`` (wfdb, pyedflib, h5py, numpy, pandas, ezc3d) is
the ground truth; ``read_file`` must give the same sampling rate, EMG channel names, sample count,
unit scaling and values (first and last samples, RMS of every EMG channel). The files are read from
``../shared/data`` (GPL ones are never copied into the repository); the tests skip when it is absent.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import emgviz
from emgviz import NeedsSamplingRate

MV = 1e-3  # volts per millivolt


def rms(x):
    return float(np.sqrt(np.mean(np.square(x))))


def assert_channels_equal(rec, names, expected, *, scale=1.0):
    """rec's channels ``names`` equal ``expected`` (n_samples, n_names) × ``scale``: ends and RMS."""
    expected = np.asarray(expected, dtype=float) * scale
    assert rec.n_samples == expected.shape[0]
    for j, name in enumerate(names):
        got = rec.channel(name)
        want = expected[:, j]
        np.testing.assert_allclose(got[:3], want[:3], rtol=1e-9, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(got[-3:], want[-3:], rtol=1e-9, atol=1e-12, err_msg=name)
        assert rms(got) == pytest.approx(rms(want), rel=1e-9), name
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=name)


def emg_names(rec):
    return [n for n, k in zip(rec.ch_names, rec.ch_kinds) if k == "emg"]


# ---------------------------------------------------------------- ../shared/data ----------------------
@pytest.mark.parametrize("record", ["emg_healthy", "emg_myopathy", "emg_neuropathy"])
def test_emgdb_wfdb_matches_wfdb(shared_data, record):
    wfdb = pytest.importorskip("wfdb")
    ref = wfdb.rdrecord(str(shared_data / record))
    rec = emgviz.read_file(shared_data / f"{record}.hea")
    assert rec.fs == ref.fs == 4000
    assert emg_names(rec) == ["EMG"] and rec.ch_units == ("V",)
    assert_channels_equal(rec, ["EMG"], ref.p_signal, scale=MV)  # mV in the file, V in emgviz


def test_biosppy_text_matches_loadtxt(shared_data):
    path = shared_data / "biosppy_emg_1.txt"
    ref = np.loadtxt(path, comments="#")
    rec = emgviz.read_file(path)
    assert rec.fs == 1000.0 and emg_names(rec) == ["EMG"]
    assert rec.unit == "a.u." and rec.meta["adc_resolution_bits"] == 12  # raw counts, kept as they are
    assert_channels_equal(rec, ["EMG"], ref[:, None])


def test_kineticstoolkit_csv_matches_pandas(shared_data):
    pd = pytest.importorskip("pandas")
    path = shared_data / "ktk_emg_biceps_brachii.csv"
    ref = pd.read_csv(path)
    rec = emgviz.read_file(path)
    t = ref["Time"].to_numpy()
    assert rec.t0 == pytest.approx(t[0])
    assert rec.fs == pytest.approx((len(t) - 1) / (t[-1] - t[0]), rel=2e-3)  # ≈ 1926 Hz
    assert emg_names(rec) == ["BicepsBrachiiR"] and rec.unit == "a.u."  # the file states no unit
    assert_channels_equal(rec, ["BicepsBrachiiR"], ref[["BicepsBrachiiR"]].to_numpy())
    notes = rec.meta["notes"]
    assert any(n.startswith("sampling rate 1925") and "'Time'" in n for n in notes)  # where the rate came from
    assert any("jitter" in n for n in notes)  # time stamps rounded to 10 µs: steps 0.51-0.53 ms


def test_uci_gestures_matches_pandas(shared_data):
    pd = pytest.importorskip("pandas")
    path = shared_data / "uci_gestures_1_raw_data_11-08_21.03.16.txt"
    ref = pd.read_csv(path, sep="\t")
    rec = emgviz.read_file(path)
    names = [f"channel{i}" for i in range(1, 9)]
    assert rec.fs == 1000.0 and emg_names(rec) == names
    assert_channels_equal(rec, names, ref[names].to_numpy())
    cls = ref["class"].to_numpy()
    starts = np.flatnonzero(np.r_[True, cls[1:] != cls[:-1]])
    assert len(rec.events) == int(np.count_nonzero(cls[starts])) == 12  # one per non-zero class run
    notes = " ".join(rec.meta["notes"])
    assert "ms" in notes and "gaps" in notes  # whole-number time column taken as ms, said so


def test_qualisys_c3d_matches_ezc3d(shared_data):
    ezc3d = pytest.importorskip("ezc3d")
    path = shared_data / "qualisys_ezc3d_testfile.c3d"
    c = ezc3d.c3d(str(path))
    labels = [s.strip() for s in c["parameters"]["ANALOG"]["LABELS"]["value"]]
    analogs = c["data"]["analogs"][0]
    rec = emgviz.read_file(path)
    names = [f"EMG {i}" for i in range(1, 17)]
    assert rec.fs == c["header"]["analogs"]["frame_rate"] == 2000.0
    assert emg_names(rec) == names
    idx = [labels.index(n) for n in names]
    assert_channels_equal(rec, names, analogs[idx].T)  # V in the file


# ---------------------------------------------------------------- ../shared/data/real -----------------
def _h5(path, mac, channel):
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "r") as f:
        g = f[mac]
        return g["raw"][channel][:, 0].astype(float), float(g.attrs["sampling rate"]), int(g.attrs["nsamples"])


@pytest.mark.parametrize("fname, mac, channel", [
    ("opensignals_emg_bursts.h5", "00:07:80:3B:46:61", "channel_3"),
    ("opensignals_emg_1000hz_solo.h5", "00:07:80:D8:A8:82", "channel_1"),
])
def test_opensignals_h5_one_device_matches_h5py(shared_real, fname, mac, channel):
    ref, fs, n = _h5(shared_real / fname, mac, channel)
    rec = emgviz.read_file(shared_real / fname)
    name = "CH" + channel.split("_")[1]
    assert rec.fs == fs == 1000.0 and rec.n_samples == n
    assert emg_names(rec) == [name] and rec.unit == "a.u."
    assert_channels_equal(rec, [name], ref[:, None])


def test_opensignals_h5_two_devices_at_two_rates(shared_real):
    path = shared_real / "opensignals_emg_two_devices_1000hz_10hz.h5"
    fast, fs_fast, n_fast = _h5(path, "00:07:80:D8:A7:F9", "channel_6")
    slow, fs_slow, n_slow = _h5(path, "00:07:80:D8:A8:82", "channel_5")
    rec = emgviz.read_file(path)  # default: the faster of two equally-EMG groups
    assert rec.fs == fs_fast == 1000.0 and emg_names(rec) == ["A7:F9 CH6"]
    assert_channels_equal(rec, ["A7:F9 CH6"], fast[:, None])
    assert set(rec.meta["groups"]) == {"1000 Hz", "10 Hz"}
    other = emgviz.read_file(path, group="10 Hz")
    assert other.fs == fs_slow == 10.0 and other.n_samples == n_slow == 540
    assert_channels_equal(other, ["A8:82 CH5"], slow[:, None])
    by_device = emgviz.read_file(path, device="00:07:80:D8:A8:82")
    assert by_device.ch_names == ("A8:82 CH5",) and by_device.fs == 10.0


def test_opensignals_txt_trailing_tab_matches_loadtxt(shared_real):
    path = shared_real / "opensignals_classification_game_3_5.txt"
    ref = np.loadtxt(path, comments="#")
    header = json.loads(path.read_text().splitlines()[1][2:])
    rec = emgviz.read_file(path)
    dev = next(iter(header.values()))
    assert rec.fs == dev["sampling rate"] == 1000
    assert ref.shape == (6750, 5) and rec.n_samples == 6750
    names = emg_names(rec)
    assert len(names) == 2 and names[0].startswith("CH1") and names[1].startswith("CH2")
    assert "flexor digitorum superficialis" in names[0]  # the muscle named in the JSON comments
    assert rec.ch_kinds[2] == "acc"  # sensor XYZ
    assert_channels_equal(rec, names + [rec.ch_names[2]], ref[:, 2:5])


def test_opensignals_txt_two_devices_one_recording(shared_real):
    path = shared_real / "opensignals_two_devices_sync_cable_light.txt"
    ref = np.loadtxt(path, comments="#")
    rec = emgviz.read_file(path)
    assert rec.fs == 1000.0 and rec.ch_names == ("2E:AD CH1", "A8:82 CH1")
    assert emg_names(rec) == [] and "no EMG" in " ".join(rec.meta["notes"])
    assert_channels_equal(rec, list(rec.ch_names), ref[:, [2, 5]])
    one = emgviz.read_file(path, device="00:07:80:D8:A8:82")
    assert one.ch_names == ("A8:82 CH1",)
    np.testing.assert_array_equal(one.data[0], ref[:, 5])


def test_opensignals_edf_without_emg_matches_pyedflib(shared_real):
    pyedflib = pytest.importorskip("pyedflib")
    path = shared_real / "opensignals_supine_1min_ecg.edf"
    with pyedflib.EdfReader(str(path)) as f:
        ref = f.readSignal(0)
        assert f.getLabel(0) == "ECG" and f.getPhysicalDimension(0) == "mV"
        fs = f.getSampleFrequency(0)
    rec = emgviz.read_file(path)
    assert rec.fs == fs == 1000.0 and rec.ch_names == ("ECG",) and rec.ch_kinds == ("ecg",)
    assert emg_names(rec) == [] and "no EMG" in " ".join(rec.meta["notes"])
    assert_channels_equal(rec, ["ECG"], ref[:, None], scale=MV)


def test_grabmyo_wfdb_picks_emg_by_name(shared_real):
    wfdb = pytest.importorskip("wfdb")
    ref = wfdb.rdrecord(str(shared_real / "session1_participant1_gesture11_trial1"))
    rec = emgviz.read_file(shared_real / "session1_participant1_gesture11_trial1.hea")
    assert rec.fs == ref.fs == 2048 and rec.n_samples == 10240
    want = [n for n in ref.sig_name if n[0] in "FW"]
    assert emg_names(rec) == want and len(want) == 28
    assert [n for n, k in zip(rec.ch_names, rec.ch_kinds) if k != "emg"] == ["U1", "U2", "U3", "U4"]
    assert_channels_equal(rec, list(ref.sig_name), ref.p_signal, scale=MV)
    assert rms(rec.channel("F1")) == pytest.approx(0.152 * MV, rel=0.01)  # SOURCES.md: F1 rms 0.152 mV


def test_datalog_spanish_no_rate_matches_pandas(shared_real):
    pd = pytest.importorskip("pandas")
    path = shared_real / "uci_lowerlimb_3Asen.txt"
    names = ["Recto Femoral", "Biceps Femoral", "Vasto Medial", "EMG Semitendinoso", "Flexo-Extension"]
    ref = pd.read_csv(path, sep="\t", skiprows=7, header=None, names=names)
    with pytest.raises(NeedsSamplingRate):  # no rate anywhere in the file
        emgviz.read_file(path)
    rec = emgviz.read_file(path, fs=1000)
    assert rec.fs == 1000.0 and rec.ch_names == tuple(names)
    assert emg_names(rec) == names[:4] and rec.ch_kinds[4] == "gonio"
    assert rec.ch_units == ("V", "V", "V", "V", "deg")
    valid = ref.iloc[:38971]
    assert ref.iloc[38971].isna().all()  # the last row is tabs only
    assert_channels_equal(rec, names[:4], valid[names[:4]].to_numpy(), scale=MV)
    assert_channels_equal(rec, names[4:], valid[names[4:]].to_numpy())
    assert any("trimmed" in n for n in rec.meta["notes"])


def test_readme_format_table_is_supported_formats():
    from pathlib import Path

    from emgviz.io import supported_formats

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("<!-- formats:start -->"):readme.index("<!-- formats:end -->")]
    rows = [line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ")][1:]
    assert sorted(rows) == sorted(f["format"] for f in supported_formats())
