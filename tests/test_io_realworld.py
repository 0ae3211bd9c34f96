"""The six failure classes of real exports, and the silent-data cases, each built from a real file.

Every test starts from a file of ``../shared/data`` (or its ``real/`` batch) and either reads it
as is or changes exactly the quirk under test, so the numbers stay those of a real recording.
"""

from __future__ import annotations

import io
import shutil

import numpy as np
import pytest

import emgviz
from emgviz import NeedsSamplingRate, ReadError
from emgviz.io import choose_reader, datalog, npz, vicon

MV = 1e-3


@pytest.fixture
def biosppy(shared_data):
    """The 63,880 raw counts of the BioSPPy EMG file."""
    return np.loadtxt(shared_data / "biosppy_emg_1.txt", comments="#")


# ---- 1. trailing delimiters on every kind of line ---------------------------------------------------
def test_vicon_devices_export_padded_to_the_table_width(biosppy):
    x = biosppy[:2000]
    lines = ["Devices,,,,", "2000,,,,", ",,Delsys EMG,,", "Frame,Sub Frame,EMG1,EMG2,", ",,mV,mV,"]
    lines += [f"{i // 10 + 1},{i % 10},{a:g},{b:g}," for i, (a, b) in enumerate(zip(x, x[::-1]))]
    content = ("\n".join(lines) + "\n,,,,\n").encode()
    rec = emgviz.read_bytes(content, "nexus.csv", fs=None)
    assert choose_reader(content, "nexus.csv") is vicon
    assert rec.fs == 2000.0 and rec.ch_names == ("EMG1", "EMG2") and rec.ch_units == ("V", "V")
    np.testing.assert_allclose(rec.data, np.vstack([x, x[::-1]]) * MV)
    with_fs = emgviz.read_bytes(content, "nexus.csv", fs=2000)  # the rate line was lost before, even with fs=
    np.testing.assert_array_equal(with_fs.data, rec.data)


def test_opensignals_rows_ending_in_a_tab(shared_real):
    rec = emgviz.read_file(shared_real / "opensignals_classification_game_3_5.txt")
    assert rec.n_channels == 3 and rec.n_samples == 6750  # the 6th, empty field is padding


# ---- 2. vendor layouts by structure -----------------------------------------------------------------
def test_datalog_recognised_without_the_vendor_name(shared_real):
    path = shared_real / "uci_lowerlimb_3Asen.txt"
    content = path.read_bytes()
    assert b"Biometrics" not in content and b"DataLOG" not in content
    assert choose_reader(content, path.name) is datalog
    with pytest.raises(NeedsSamplingRate, match="states no sampling rate"):
        emgviz.read_file(path)
    rec = emgviz.read_file(path, fs=1000)
    assert rec.ch_names[0] == "Recto Femoral" and rec.ch_units[0] == "V"  # never ch1 in a.u.
    assert rec.meta["datalog_channels"]["Recto Femoral"] == {"number": 4, "values": 38971}


# ---- 3. ragged tails ---------------------------------------------------------------------------------
def test_last_row_of_tabs_is_trimmed_with_a_note(shared_real):
    rec = emgviz.read_file(shared_real / "uci_lowerlimb_3Asen.txt", fs=1000)
    assert rec.n_samples == 38971
    assert "trimmed 1 trailing row(s) with empty cells (38,972 rows → 38,971)" in rec.meta["notes"]


def test_a_channel_that_ends_early_trims_all_to_the_common_length(shared_data):
    pd = pytest.importorskip("pandas")
    ref = pd.read_csv(shared_data / "ktk_emg_biceps_brachii.csv")
    t, x = ref["Time"].to_numpy(), ref["BicepsBrachiiR"].to_numpy()
    short = len(x) - 100
    rows = [f"{a:.5f},{b:.6e}," + (f"{c:.6e}" if i < short else "") for i, (a, b, c) in enumerate(zip(t, x, x))]
    content = ("Time,Biceps,Copy\n" + "\n".join(rows) + "\n").encode()
    rec = emgviz.read_bytes(content, "ragged.csv")
    assert rec.n_samples == short and "NaN" not in repr(rec.data)
    np.testing.assert_allclose(rec.data[0], x[:short], rtol=1e-6)
    assert any("where channel 'Copy' had ended" in n for n in rec.meta["notes"])


def test_a_gap_inside_the_data_is_still_refused(shared_data):
    lines = (shared_data / "biosppy_emg_1.txt").read_text().splitlines()
    two = [f"{v},{v}" for v in lines[4:500]]
    two[200] = f"{lines[204]},"
    with pytest.raises(ReadError, match="empty or NaN value at line 202"):
        emgviz.read_bytes(("a,b\n" + "\n".join(two) + "\n").encode(), "gap.csv", fs=1000)


# ---- 4. non-EMG biosignals ---------------------------------------------------------------------------
def test_mixed_rate_edf_opens_on_its_emg_group_not_the_fastest(shared_data, shared_real):
    edfio = pytest.importorskip("edfio")
    wfdb = pytest.importorskip("wfdb")
    emg = np.loadtxt(shared_data / "biosppy_emg_1.txt", comments="#")[:10_000] - 2000.0  # 1000 Hz
    fast = wfdb.rdrecord(str(shared_real / "session1_participant1_gesture11_trial1")).p_signal[:, 0]  # 2048 Hz
    sigs = [edfio.EdfSignal(fast[:2048 * 5] * 1000, sampling_frequency=2048, label="EEG Fz",
                            physical_dimension="uV", physical_range=(-2000, 2000)),
            edfio.EdfSignal(fast[:2048 * 5] * 1000, sampling_frequency=2048, label="EOG left",
                            physical_dimension="uV", physical_range=(-2000, 2000)),
            edfio.EdfSignal(emg[:5000], sampling_frequency=1000, label="Biceps", physical_dimension="uV",
                            physical_range=(-2100, 2100)),
            edfio.EdfSignal(np.zeros(5 * 25), sampling_frequency=25, label="Resp", physical_dimension="mV",
                            physical_range=(-1, 1))]
    buf = io.BytesIO()
    edfio.Edf(sigs).write(buf)
    rec = emgviz.read_bytes(buf.getvalue(), "mixed.edf")
    assert rec.fs == 1000.0 and rec.ch_names == ("Biceps",) and rec.ch_kinds == ("emg",)
    np.testing.assert_allclose(rec.data[0], emg[:5000] * 1e-6, atol=2 * 4200 / 65535 * 1e-6)
    other = emgviz.read_bytes(buf.getvalue(), "mixed.edf", group="2048 Hz")
    assert other.ch_kinds == ("eeg", "eog") and "no EMG channel" in " ".join(other.meta["notes"])


def test_edf_with_only_ecg_says_so(shared_real):
    rec = emgviz.read_file(shared_real / "opensignals_supine_1min_ecg.edf")
    assert rec.ch_kinds == ("ecg",)
    assert rec.meta["notes"][-1].startswith("no EMG channel in this file (channel kinds: ecg)")


# ---- 5. several devices in one file ------------------------------------------------------------------
def test_two_devices_at_two_rates_give_rate_groups(shared_real):
    rec = emgviz.read_file(shared_real / "opensignals_emg_two_devices_1000hz_10hz.h5")
    assert rec.meta["groups"] == {"1000 Hz": ["A7:F9 CH6"], "10 Hz": ["A8:82 CH5"]}
    assert "2 rates" in rec.meta["group_note"]


# ---- 6. too short -------------------------------------------------------------------------------------
def test_a_single_sample_is_refused_with_the_minimum(shared_data):
    head = (shared_data / "biosppy_emg_1.txt").read_text().splitlines()[:5]
    with pytest.raises(ReadError, match="holds 1 sample per channel; a recording needs at least 2"):
        emgviz.read_bytes(("\n".join(head) + "\n").encode(), "one.txt")


# ---- silent-data cases (hardening issue, item 12) -----------------------------------------------------
def test_a_delimiter_that_changes_mid_file_is_refused(shared_data):
    text = (shared_data / "ktk_emg_biceps_brachii.csv").read_text().splitlines()
    body = text[1:400]
    mixed = [text[0].replace(",", ";")] + [r.replace(",", ";") for r in body[:200]] + body[200:]
    with pytest.raises(ReadError, match="the delimiter changes inside the file"):
        emgviz.read_bytes(("\n".join(mixed) + "\n").encode(), "mixed.csv")


def test_repeated_column_names_do_not_collide(biosppy):
    rows = "\n".join(f"{v:g},{v + 1:g},{v + 2:g}" for v in biosppy[:100])
    rec = emgviz.read_bytes(("EMG,EMG (2),EMG\n" + rows + "\n").encode(), "dupes.csv", fs=1000)
    assert rec.ch_names == ("EMG", "EMG (2)", "EMG (3)")
    np.testing.assert_array_equal(rec.data[2], biosppy[:100] + 2)


@pytest.mark.parametrize("rate", ["2.6e-6", "0.5", "2.6e302", "2e6"])
def test_absurd_header_rates_are_refused(shared_data, rate):
    text = (shared_data / "biosppy_emg_1.txt").read_text().replace("1000.00", rate, 1)
    with pytest.raises(ReadError, match=r"outside 1 Hz – 1e\+06 Hz"):
        emgviz.read_bytes(text.encode(), "rate.txt")


def _grabmyo_copy(shared_real, tmp_path, header_edit=None, dat=None):
    stem = "session1_participant1_gesture11_trial1"
    hea = (shared_real / f"{stem}.hea").read_text()
    (tmp_path / f"{stem}.hea").write_text(header_edit(hea) if header_edit else hea)
    if dat is None:
        shutil.copy(shared_real / f"{stem}.dat", tmp_path / f"{stem}.dat")
    else:
        (tmp_path / f"{stem}.dat").write_bytes(dat)
    return tmp_path / f"{stem}.hea"


def test_wfdb_rate_of_1e300_is_refused(shared_real, tmp_path):
    path = _grabmyo_copy(shared_real, tmp_path, lambda h: h.replace(" 32 2048 ", " 32 1e300 ", 1))
    with pytest.raises(ReadError, match="1e\\+300 Hz, outside"):
        emgviz.read_file(path)


def test_wfdb_record_with_every_sample_invalid_is_refused(shared_real, tmp_path):
    invalid = np.full(10240 * 32, -32768, dtype="<i2").tobytes()  # WFDB format 16 "no value"
    path = _grabmyo_copy(shared_real, tmp_path, dat=invalid)
    with pytest.raises(ReadError, match="every sample of the record .* is marked invalid"):
        emgviz.read_file(path)


def test_npz_with_event_arrays_of_different_lengths_is_refused(shared_data, tmp_path):
    rec = emgviz.read_file(shared_data / "emg_healthy.hea")
    buf = io.BytesIO()
    npz.write_npz(rec.replace(events=[(1.0, 0.0, "a"), (2.0, 0.0, "b")]), buf)
    with np.load(io.BytesIO(buf.getvalue())) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["event_label"] = arrays["event_label"][:1]
    out = io.BytesIO()
    np.savez(out, **arrays)
    with pytest.raises(ReadError, match="event arrays disagree in length"):
        emgviz.read_bytes(out.getvalue(), "events.npz")


def test_non_ascii_edf_labels_and_units_are_kept(shared_real):
    content = bytearray((shared_real / "opensignals_supine_1min_ecg.edf").read_bytes())
    ns = int(content[252:256])
    label = "Bíceps".encode("utf-8").ljust(16)
    content[256:272] = label
    content[256 + 96 * ns:256 + 96 * ns + 8] = "µV".encode("latin-1").ljust(8)
    rec = emgviz.read_bytes(bytes(content), "accents.edf")
    assert rec.ch_names == ("Bíceps",) and rec.ch_units == ("V",) and rec.ch_kinds == ("emg",)
    mv = emgviz.read_file(shared_real / "opensignals_supine_1min_ecg.edf")
    np.testing.assert_allclose(rec.data, mv.data * 1e-3)  # µV now, mV before: scaled, not left raw


def test_overflow_is_reported_as_overflow_not_as_a_gap(biosppy):
    rows = [f"{v:g}" for v in biosppy[:50]]
    rows[10] = "1e999"
    with pytest.raises(ReadError, match="beyond the float64 range") as info:
        emgviz.read_bytes(("EMG\n" + "\n".join(rows) + "\n").encode(), "big.csv", fs=1000)
    assert "gap" not in str(info.value)


# ---- padding and ragged tails beyond the corpus: Delsys, Noraxon, generic CSV --------------------------
def test_padding_and_ragged_tails_in_every_text_layout(biosppy):
    x = biosppy[:400] * 1e-6  # the real counts, as if volts
    delsys = ("Label: EMG 1 Sampling frequency: 2000 Number of points: 400 start: 0 Unit: Volts Domain Unit: s,,,\n"
              ",,,\nX[s],EMG 1,X[s],EMG 2,\n" + "".join(f"{i / 2000:.4f},{v:.6e},{i / 2000:.4f},{v:.6e},\n"
                                                      for i, v in enumerate(x)) + ",,,,\n").encode()
    noraxon = ("time,RT TIB.ANT. (uV),LT GASTROC (uV),\n" + "".join(
        f"{i / 1000:.3f},{v * 1e6:g},{v * 1e6:g},\n" for i, v in enumerate(x[:-5]))
        + "".join(f"{(395 + i) / 1000:.3f},{v * 1e6:g},,\n" for i, v in enumerate(x[-5:]))).encode()
    generic = ("emg;other;\n" + "".join(f"{v:.6e};{v:.6e};\n" for v in x) + ";;\n").encode()
    rec = emgviz.read_bytes(delsys, "delsys.csv")
    assert rec.meta["format"] == "Delsys EMGworks CSV" and rec.ch_names == ("EMG 1", "EMG 2") and rec.fs == 2000
    np.testing.assert_allclose(rec.data[0], x, rtol=1e-6)
    rec = emgviz.read_bytes(noraxon, "noraxon.csv")
    assert rec.meta["format"] == "Noraxon CSV" and rec.n_samples == 395  # LT GASTROC ends 5 rows early
    assert any("'LT GASTROC (uV)' had ended" in n for n in rec.meta["notes"])
    rec = emgviz.read_bytes(generic, "generic.csv", fs=1000)
    assert rec.ch_names == ("emg", "other") and rec.n_samples == 400
    np.testing.assert_allclose(rec.data[1], x, rtol=1e-6)
