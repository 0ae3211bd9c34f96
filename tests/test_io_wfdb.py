"""WFDB reader: files written with wfdb at known values, the PhysioNet sample, malformed records."""

import numpy as np
import pytest
import wfdb

import emgviz
from emgviz.errors import NeedsSamplingRate, ReadError
from emgviz.io import wfdbio
from emgviz.io import multi
from io_samples import zip_bytes

FS = 2000


@pytest.fixture
def written(tmp_path):
    """A 2-signal record (mV and uV) written by wfdb, read back as bytes."""
    n = 3000
    t = np.arange(n) / FS
    mv = np.round(0.5 * np.sin(2 * np.pi * 50 * t), 3)          # mV, on the 1/1000 grid
    uv = np.round(200 * np.cos(2 * np.pi * 7 * t))               # uV, whole numbers
    wfdb.wrsamp("trial7", fs=FS, units=["mV", "uV"], sig_name=["biceps", "triceps"],
                p_signal=np.column_stack([mv, uv]), fmt=["16", "16"], adc_gain=[1000.0, 1.0],
                baseline=[0, 0], write_dir=str(tmp_path))
    wfdb.wrann("trial7", "atr", sample=np.array([200, 1000]), symbol=["+", "+"],
               aux_note=["onset", "offset"], write_dir=str(tmp_path), fs=FS)
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    return files, mv, uv


def test_written_record_gives_volts_names_fs_and_events(written):
    files, mv, uv = written
    header = files.pop("trial7.hea")
    rec = wfdbio.read_record(header, "trial7.hea", files)
    assert rec.fs == FS
    assert rec.ch_names == ("biceps", "triceps")
    assert rec.ch_units == ("V", "V")
    assert rec.ch_kinds == ("emg", "emg")
    np.testing.assert_allclose(rec.data[0], mv * 1e-3, atol=1e-12)
    np.testing.assert_allclose(rec.data[1], uv * 1e-6, atol=1e-12)
    assert rec.events.to_dict("list") == {"time_s": [0.1, 0.5], "duration_s": [0.0, 0.0],
                                         "label": ["onset", "offset"]}
    assert rec.meta["format"] == "WFDB" and rec.meta["record_name"] == "trial7"


def test_signal_file_uploaded_under_another_name_is_used(written):
    files, mv, _ = written
    rec = wfdbio.read_record(files["trial7.hea"], "trial7.hea", {"download (1).dat": files["trial7.dat"]})
    np.testing.assert_allclose(rec.data[0], mv * 1e-3, atol=1e-12)
    assert rec.meta["files"] == {"trial7.dat": "download (1).dat"}


def test_real_physionet_record(sample_dir):
    header = (sample_dir / "emg_healthy.hea").read_bytes()
    dat = (sample_dir / "emg_healthy.dat").read_bytes()
    rec = wfdbio.read_record(header, "emg_healthy.hea", {"emg_healthy.dat": dat})
    ref = wfdb.rdrecord(str(sample_dir / "emg_healthy"))
    assert (rec.n_channels, rec.n_samples, rec.fs, rec.ch_names) == (1, 50860, 4000.0, ("EMG",))
    assert rec.unit == "V" and rec.ch_units == ("V",)
    np.testing.assert_allclose(rec.data[0], ref.p_signal[:, 0] * 1e-3, rtol=0, atol=1e-15)
    assert "tibialis anterior" in " ".join(rec.meta["comments"])


def test_read_file_on_the_hea_path_finds_the_dat(sample_dir):
    rec = emgviz.read_file(sample_dir / "emg_healthy.hea")
    assert rec.n_samples == 50860 and rec.fs == 4000 and rec.meta["format"] == "WFDB"
    dat = (sample_dir / "emg_healthy.dat").read_bytes()
    direct = wfdbio.read_record((sample_dir / "emg_healthy.hea").read_bytes(), "emg_healthy.hea",
                                {"emg_healthy.dat": dat})
    np.testing.assert_array_equal(rec.data, direct.data)


def test_sniff_knows_a_header_and_not_a_csv(written):
    files, _, _ = written
    assert wfdbio.sniff(files["trial7.hea"], "x")
    assert not wfdbio.sniff(b"time,emg\n0,1\n0.001,2\n", "x.csv")
    assert not wfdbio.sniff(b"0.0\t1\t2\t3\n0.001\t2\t3\t4\n", "x.txt")


def test_lone_header_asks_for_the_dat(written):
    files, _, _ = written
    with pytest.raises(ReadError, match=r"(?i)trial7\.dat.*upload the \.hea and \.dat together"):
        wfdbio.read(files["trial7.hea"], "trial7.hea")


def test_truncated_dat_is_a_read_error(written):
    files, _, _ = written
    with pytest.raises(ReadError, match=r"trial7\.dat holds 6,000 bytes.*complete \.dat"):
        wfdbio.read_record(files["trial7.hea"], "trial7.hea", {"trial7.dat": files["trial7.dat"][:6000]})


def test_header_claiming_more_samples_than_the_dat_holds(written):
    files, _, _ = written
    header = files["trial7.hea"].replace(b" 3000", b" 9000", 1)
    with pytest.raises(ReadError, match=r"9000 samples"):
        wfdbio.read_record(header, "trial7.hea", {"trial7.dat": files["trial7.dat"]})


def test_signal_count_disagreeing_with_signal_lines(written):
    files, _, _ = written
    header = files["trial7.hea"].replace(b"trial7 2 ", b"trial7 3 ", 1)
    with pytest.raises(ReadError, match=r"declares 3 signals but 2 signal lines"):
        wfdbio.read_record(header, "trial7.hea", {"trial7.dat": files["trial7.dat"]})


def test_missing_dat_names_what_is_needed(written):
    files, _, _ = written
    with pytest.raises(ReadError, match=r"names the signal file\(s\) trial7\.dat.*a\.dat, b\.dat"):
        wfdbio.read_record(files["trial7.hea"], "trial7.hea", {"a.dat": b"", "b.dat": b""})


def test_header_without_rate_needs_fs(written):
    files, mv, _ = written
    lines = files["trial7.hea"].decode().splitlines()
    lines[0] = "trial7 2"
    header = ("\n".join(lines) + "\n").encode()
    with pytest.raises(NeedsSamplingRate, match="no sampling rate"):
        wfdbio.read_record(header, "trial7.hea", {"trial7.dat": files["trial7.dat"]})
    rec = wfdbio.read_record(header, "trial7.hea", {"trial7.dat": files["trial7.dat"]}, fs=500)
    assert rec.fs == 500 and rec.n_samples == 3000


def test_header_naming_a_path_outside_is_refused(written):
    files, _, _ = written
    header = files["trial7.hea"].replace(b"trial7.dat", b"../../etc/passwd.dat")
    with pytest.raises(ReadError, match="cannot parse the header"):
        wfdbio.read_record(header, "trial7.hea", {"trial7.dat": files["trial7.dat"]})


def test_binary_garbage_header_is_a_read_error():
    with pytest.raises(ReadError, match="not ASCII"):
        wfdbio.read_record(b"\xff\xfe\x00garbage", "x.hea", {})


@pytest.fixture
def record(tmp_path):
    """A WFDB record written by wfdb.wrsamp, with an annotation file by wfdb.wrann."""
    wfdb = pytest.importorskip("wfdb")
    n = 3000
    t = np.arange(n) / FS
    mv = np.round(0.5 * np.sin(2 * np.pi * 50 * t), 3)
    wfdb.wrsamp("trial7", fs=FS, units=["mV"], sig_name=["biceps"], p_signal=mv[:, None], fmt=["16"],
                adc_gain=[1000.0], baseline=[0], write_dir=str(tmp_path))
    wfdb.wrann("trial7", "atr", sample=np.array([200, 1000]), symbol=["+", "+"],
               aux_note=["onset", "offset"], write_dir=str(tmp_path), fs=FS)
    return tmp_path, mv

# ---- annotations, options, file matching ---------------------------------------------------------
def test_unknown_option_on_a_wfdb_read_is_a_read_error(record):
    folder, _ = record
    files = [(p.name, p.read_bytes()) for p in folder.iterdir() if p.suffix in (".hea", ".dat")]
    with pytest.raises(ReadError, match="option not understood by the WFDB reader"):
        emgviz.read_files(files, group="x")
    with pytest.raises(ReadError, match="option not understood by the WFDB reader"):
        emgviz.read_file(folder / "trial7.hea", channels=["biceps"])
    with pytest.raises(ReadError, match="option not understood"):
        emgviz.read_bytes(zip_bytes(files), "trial7.zip", channels=["biceps"])


def test_wfdb_annotations_uploaded_with_the_record_become_events(record):
    folder, mv = record
    files = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]
    assert {n for n, _ in files} == {"trial7.hea", "trial7.dat", "trial7.atr"}
    rec = emgviz.read_files(files)
    np.testing.assert_allclose(rec.data[0], mv * 1e-3, atol=1e-12)
    assert rec.events.to_dict("list") == {"time_s": [0.1, 0.5], "duration_s": [0.0, 0.0],
                                         "label": ["onset", "offset"]}
    assert emgviz.read_bytes(zip_bytes(files), "trial7.zip").events["label"].tolist() == ["onset", "offset"]


def test_read_file_on_a_hea_picks_up_the_annotation_beside_it(record):
    folder, _ = record
    (folder / "other.atr").write_bytes((folder / "trial7.atr").read_bytes())  # another record's: ignored
    rec = emgviz.read_file(folder / "trial7.hea")
    assert rec.events["label"].tolist() == ["onset", "offset"]


def test_wfdb_signal_file_matched_in_another_letter_case(record):
    folder, mv = record
    files = [("trial7.hea", (folder / "trial7.hea").read_bytes()), ("TRIAL7.DAT", (folder / "trial7.dat").read_bytes())]
    rec = emgviz.read_files(files)
    np.testing.assert_allclose(rec.data[0], mv * 1e-3, atol=1e-12)
    assert rec.meta["files"] == {"trial7.dat": "TRIAL7.DAT"}


def test_header_files_parses_once_for_both_callers(record):
    folder, _ = record
    header = (folder / "trial7.hea").read_bytes()
    assert wfdbio.header_files(header) == ("trial7", ["trial7.dat"])
    assert multi.wfdb_signal_files(header) == ["trial7.dat"]
    assert wfdbio.header_files(b"\xff not a header") == (None, [])
    signals, ann = wfdbio.match_files(["trial7.dat"], ["TRIAL7.dat", "trial7.atr", "x.atr"], record="trial7")
    assert signals == {"trial7.dat": "TRIAL7.dat"} and ann == ["trial7.atr"]


def test_unparseable_header_uploaded_with_its_dat_gives_the_header_error(record):
    folder, _ = record
    header = (folder / "trial7.hea").read_bytes().replace(b"trial7.dat", b"../../etc/passwd.dat")
    with pytest.raises(ReadError, match="cannot parse the header"):
        emgviz.read_files([("trial7.hea", header), ("trial7.dat", (folder / "trial7.dat").read_bytes())])
