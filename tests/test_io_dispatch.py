"""Choosing the reader, odd inputs, zip uploads and multi-file (WFDB) uploads."""

import io
import zipfile

import numpy as np
import pytest

import emgviz
from emgviz import NeedsChoice, ReadError
from emgviz.io import text
from io_samples import edf_bytes, zip_bytes

CSV = b"time,emg\n0.000,1\n0.001,2\n0.002,3\n"


@pytest.mark.parametrize("name", ["rec.txt", "rec.dat", "rec.tsv", "REC.CSV", "noext"])
def test_csv_under_other_names(name):
    rec = emgviz.read_bytes(CSV, name)
    assert rec.fs == 1000.0 and rec.ch_names == ("emg",) and rec.meta["format"] == "CSV/TXT"


def test_a_lone_nul_byte_is_a_read_error_naming_the_file():
    # empty and one-byte files are in the bad-file corpus (test_badfiles.py)
    with pytest.raises(ReadError, match=r"'x\.csv'.*binary"):
        emgviz.read_bytes(b"\x00", "x.csv")


def test_binary_named_csv_says_binary():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(ReadError, match=r"binary, not text \(byte 0x1a at offset 6\)"):
        emgviz.read_bytes(png, "photo.csv")


def test_unknown_binary_lists_formats():
    with pytest.raises(ReadError, match=r"matches no format.*\.csv"):
        emgviz.read_bytes(bytes(range(256)) * 8, "mystery.bin")


def test_latin1_header_loads():
    content = "Muskel (µV);Bizeps Förder (µV)\n1,5;2\n3;4\n".encode("latin-1")
    rec = emgviz.read_bytes(content, "lat.csv", fs=1000)
    assert rec.ch_names == ("Muskel", "Bizeps Förder") and rec.ch_units == ("V", "V")
    np.testing.assert_allclose(rec.data, [[1.5e-6, 3e-6], [2e-6, 4e-6]])


def test_non_utf8_junk_is_a_read_error():
    junk = bytes(np.random.default_rng(1).integers(128, 256, 5000, dtype=np.uint8))
    with pytest.raises(ReadError):
        emgviz.read_bytes(junk, "junk.csv")


def test_100000_columns_is_refused_quickly():
    row = ",".join(["1"] * 100_000)
    content = (row + "\n" + row + "\n").encode()
    with pytest.raises(ReadError, match="100,000 fields, above the limit of 4,096"):
        emgviz.read_bytes(content, "wide.csv", fs=1000)


def test_single_sample_and_nan_inf():
    with pytest.raises(ReadError, match="at least 2"):
        emgviz.read_bytes(b"emg\n0.5\n", "one.csv", fs=10)
    with pytest.raises(ReadError, match=r"column 'emg' holds the value inf at line 3"):
        emgviz.read_bytes(b"emg\n0.5\ninf\n0.1\n", "x.csv", fs=10)
    with pytest.raises(ReadError, match=r"column 'emg' holds text 'abc' at line 4"):
        emgviz.read_bytes(b"emg\n0.5\n0.4\nabc\n0.1\n", "x.csv", fs=10)


def test_unknown_option_is_a_read_error():
    with pytest.raises(ReadError, match="option not understood"):
        emgviz.read_bytes(CSV, "x.csv", colour="red")


# ---- zip -------------------------------------------------------------------------------------
def make_zip(members, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for n, c in members:
            z.writestr(n, c)
    return buf.getvalue()


def test_zip_with_one_csv_and_macosx_noise():
    content = make_zip([("trial/a.csv", CSV), ("__MACOSX/trial/._a.csv", b"\x00\x05"), ("trial/README.md", b"hi")])
    rec = emgviz.read_bytes(content, "up.zip")
    assert rec.ch_names == ("emg",) and rec.meta["archive"] == "up.zip"


def test_zip_with_two_recordings_needs_choice():
    content = make_zip([("a.csv", CSV), ("b.csv", CSV.replace(b"emg", b"biceps"))])
    with pytest.raises(NeedsChoice) as info:
        emgviz.read_bytes(content, "two.zip")
    assert info.value.option == "member" and info.value.candidates == ("a.csv", "b.csv")
    assert emgviz.read_bytes(content, "two.zip", member="b.csv").ch_names == ("biceps",)


def test_zip_bomb_is_refused():
    content = make_zip([("big.csv", b"0" * (50 * 1024 ** 2))])
    with pytest.raises(ReadError, match=r"expands from [\d,]+ to 52,428,800 bytes.*zip bomb"):
        emgviz.read_bytes(content, "bomb.zip")


def test_zip_total_size_limit(monkeypatch):
    monkeypatch.setenv("EMGVIZ_MAX_UNZIPPED_BYTES", "100")
    with pytest.raises(ReadError, match=r"expands to \d+ bytes, above the limit of 100 bytes"):
        emgviz.read_bytes(make_zip([("a.csv", CSV * 5)]), "a.zip")


def test_zip_path_traversal_is_refused():
    with pytest.raises(ReadError, match=r"'\.\./evil\.csv' points outside the archive"):
        emgviz.read_bytes(make_zip([("../evil.csv", CSV)]), "t.zip")


# ---- WFDB pairs --------------------------------------------------------------------------------
def test_wfdb_pair_upload_and_zip(sample_dir):
    hea = (sample_dir / "emg_healthy.hea").read_bytes()
    dat = (sample_dir / "emg_healthy.dat").read_bytes()
    rec = emgviz.read_files([("emg_healthy.dat", dat), ("emg_healthy.hea", hea)])
    assert rec.fs == 4000.0 and rec.n_samples == 50860 and rec.ch_names == ("EMG",)
    zipped = emgviz.read_bytes(make_zip([("r/emg_healthy.hea", hea), ("r/emg_healthy.dat", dat)]), "r.zip")
    np.testing.assert_array_equal(zipped.data, rec.data)


def test_wfdb_header_without_signal_file(sample_dir):
    hea = (sample_dir / "emg_healthy.hea").read_bytes()
    with pytest.raises(ReadError, match=r"refers to emg_healthy\.dat, which was not uploaded"):
        emgviz.read_files([("emg_healthy.hea", hea)])


def test_several_uploads_need_a_choice(sample_dir):
    hea = (sample_dir / "emg_healthy.hea").read_bytes()
    dat = (sample_dir / "emg_healthy.dat").read_bytes()
    with pytest.raises(NeedsChoice) as info:
        emgviz.read_files([("emg_healthy.hea", hea), ("emg_healthy.dat", dat), ("a.csv", CSV)])
    assert info.value.candidates == ("emg_healthy.hea", "a.csv")
    assert emgviz.read_files([("emg_healthy.hea", hea), ("emg_healthy.dat", dat), ("a.csv", CSV)],
                             member="a.csv").ch_names == ("emg",)


# ---- every reader error is a ReadError; fs checked once ------------------------------------------
def test_any_library_error_becomes_a_read_error_naming_the_file(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(text, "read", broken)
    with pytest.raises(ReadError, match=r"'x\.csv'.*CSV/TXT reader failed \(RuntimeError: boom\)"):
        emgviz.read_bytes(CSV, "x.csv")
    with pytest.raises(ReadError, match=r"member 'x\.csv'.*RuntimeError"):  # inside a zip too
        emgviz.read_bytes(zip_bytes([("x.csv", CSV)]), "x.zip")


@pytest.mark.parametrize("bad", [0, -5, float("nan"), float("inf"), "fast"])
def test_bad_fs_is_a_read_error_for_every_entry_point(bad, tmp_path):
    with pytest.raises(ReadError, match="fs must be"):
        emgviz.read_bytes(b"1\n2\n3\n", "x.txt", fs=bad)
    with pytest.raises(ReadError, match="fs must be"):
        emgviz.read_bytes(edf_bytes(), "x.edf", fs=bad)
    with pytest.raises(ReadError, match="fs must be"):
        emgviz.read_files([("x.txt", b"1\n2\n3\n")], fs=bad)
    path = tmp_path / "x.txt"
    path.write_bytes(b"1\n2\n3\n")
    with pytest.raises(ReadError, match="fs must be"):
        emgviz.read_file(path, fs=bad)
    assert emgviz.read_bytes(b"1\n2\n3\n", "x.txt", fs="250").fs == 250.0


def test_a_file_that_cannot_be_opened_is_a_read_error(tmp_path, monkeypatch):
    path = tmp_path / "locked.csv"
    path.write_bytes(CSV)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "open", refuse)
    with pytest.raises(ReadError, match="locked.csv.*cannot be opened.*Permission denied"):
        emgviz.read_file(path)
