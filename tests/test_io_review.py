"""Review fixes in emgviz.io: one exception type, WFDB annotations, rate groups, shared helpers."""

import datetime
import io
import zipfile

import numpy as np
import pytest

import emgviz
from emgviz.errors import NeedsChoice, ReadError
from emgviz.io import _groups, edf, limits, multi, text, units, vendor, wfdbio, zipped

CSV = b"time,emg\n0.000,1\n0.001,2\n0.002,3\n"
FS = 2000


def _zip(members) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, c in members:
            z.writestr(n, c)
    return buf.getvalue()


# ---- 1. every reader call surfaces as ReadError ----------------------------------------------
def test_csv_nonsense_resolution_is_ignored_with_a_note(tmp_path):
    content = b"# resolution: 1e999\n" + CSV
    rec = emgviz.read_bytes(content, "rec.csv")
    assert "adc_resolution_bits" not in rec.meta
    assert any("1e999" in w for w in rec.meta["warnings"])
    assert np.array_equal(rec.data, emgviz.read_bytes(CSV, "rec.csv").data)


def test_any_library_error_becomes_a_read_error_naming_the_file(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(text, "read", broken)
    with pytest.raises(ReadError, match=r"'x\.csv'.*CSV/TXT reader failed \(RuntimeError: boom\)"):
        emgviz.read_bytes(CSV, "x.csv")
    with pytest.raises(ReadError, match=r"member 'x\.csv'.*RuntimeError"):  # inside a zip too
        emgviz.read_bytes(_zip([("x.csv", CSV)]), "x.zip")


def _edf_bytes() -> bytes:
    import edfio

    t = np.arange(2 * FS) / FS
    signals = [edfio.EdfSignal(500 * np.sin(2 * np.pi * 40 * t), FS, label="EMG biceps", physical_dimension="uV",
                               physical_range=(-1000, 1000)),
               edfio.EdfSignal(np.cos(t), FS, label="EMG triceps", physical_dimension="mV",
                               physical_range=(-2, 2))]
    buf = io.BytesIO()
    edfio.Edf(signals, starttime=datetime.time(9, 30)).write(buf)
    return buf.getvalue()


def _patch_signal_field(content: bytes, signal: int, field: str, value: str) -> bytes:
    """Overwrite one per-signal header field (digital_max, ...) of an EDF."""
    widths = [("label", 16), ("transducer", 80), ("physical_dimension", 8), ("physical_min", 8),
              ("physical_max", 8), ("digital_min", 8), ("digital_max", 8)]
    ns = int(content[252:256])
    pos = 256
    for name, width in widths:
        if name == field:
            start = pos + signal * width
            out = bytearray(content)
            out[start:start + width] = value.ljust(width).encode("ascii")
            return bytes(out)
        pos += ns * width
    raise KeyError(field)


def test_edf_with_empty_digital_range_is_a_read_error():
    content = _edf_bytes()
    dmin = content[256 + 2 * (16 + 80 + 8 + 8 + 8):][:8].decode().strip()
    bad = _patch_signal_field(content, 0, "digital_max", dmin)
    with pytest.raises(ReadError, match=r"'EMG biceps' has digital minimum = digital maximum") as info:
        emgviz.read_bytes(bad, "flat.edf")
    assert "ZeroDivision" not in str(info.value)
    # the other signal is still readable on its own
    assert edf.read(bad, "flat.edf", channels=["EMG triceps"]).ch_names == ("EMG triceps",)


def test_edf_resolution_comes_from_the_scaling():
    rec = emgviz.read_bytes(_edf_bytes(), "r.edf")
    # uV over 16 bits, in volts; mV likewise
    np.testing.assert_allclose(rec.meta["resolution"], [2000e-6 / 65535, 4e-3 / 65535], rtol=1e-12)


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


def test_unknown_option_on_a_wfdb_read_is_a_read_error(record):
    folder, _ = record
    files = [(p.name, p.read_bytes()) for p in folder.iterdir() if p.suffix in (".hea", ".dat")]
    with pytest.raises(ReadError, match="option not understood by the WFDB reader"):
        emgviz.read_files(files, group="x")
    with pytest.raises(ReadError, match="option not understood by the WFDB reader"):
        emgviz.read_file(folder / "trial7.hea", channels=["biceps"])
    with pytest.raises(ReadError, match="option not understood"):
        emgviz.read_bytes(_zip(files), "trial7.zip", channels=["biceps"])


# ---- 2. WFDB annotation files ------------------------------------------------------------------
def test_wfdb_annotations_uploaded_with_the_record_become_events(record):
    folder, mv = record
    files = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]
    assert {n for n, _ in files} == {"trial7.hea", "trial7.dat", "trial7.atr"}
    rec = emgviz.read_files(files)
    np.testing.assert_allclose(rec.data[0], mv * 1e-3, atol=1e-12)
    assert rec.events.to_dict("list") == {"time_s": [0.1, 0.5], "duration_s": [0.0, 0.0],
                                         "label": ["onset", "offset"]}
    assert emgviz.read_bytes(_zip(files), "trial7.zip").events["label"].tolist() == ["onset", "offset"]


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


# ---- 3. one rate-group rule ----------------------------------------------------------------------
DELSYS = (b"Label: EMG 1 Sampling frequency: 2000 Number of points: 4 start: 0 Unit: Volts Domain Unit: s\n"
          b"Label: ACC X 1 Sampling frequency: 1000 Number of points: 2 start: 0 Unit: g Domain Unit: s\n"
          b"\n"
          b"X[s],EMG 1,X[s],ACC X 1\n"
          b"0.0000,0.001,0.000,0.5\n0.0005,0.002,0.001,0.25\n0.0010,-0.001,,\n0.0015,0.003,,\n")


@pytest.mark.parametrize("group", [1000.0, 1000, "1000", "1000 Hz", " 1000hz ", "ACC X 1"])
def test_delsys_group_accepts_what_edf_accepts(group):
    rec = emgviz.read_bytes(DELSYS, "trial.csv", group=group)
    assert rec.ch_names == ("ACC X 1",) and rec.fs == 1000.0 and rec.meta["group"] == "1000 Hz"


def test_edf_and_delsys_share_one_group_rule():
    assert edf.group_key is _groups.group_key
    assert _groups.match_group(["148.148 Hz"], 148.148148) == "148.148 Hz"
    assert _groups.match_group(["1000 Hz"], [1]) is None
    with pytest.raises(NeedsChoice):
        emgviz.read_bytes(DELSYS, "trial.csv", group=5.0)


# ---- 4. units -------------------------------------------------------------------------------------
def test_scale_to_volts_and_record_unit():
    data = np.ones((4, 3))
    out = units.scale_to_volts(data, ["uV", "mV", "N", None])
    assert out == ["V", "V", "N", "a.u."]
    np.testing.assert_allclose(data[:, 0], [1e-6, 1e-3, 1, 1])
    assert units.record_unit(out, ["emg", "emg", "force", "other"]) == "V"
    assert units.record_unit(out, ["emg", "other", "force", "emg"]) == "a.u."
    assert units.record_unit(["N", "V"], ["force", "other"]) == "V"


def test_matlab_integer_codes_with_a_non_voltage_unit(tmp_path):
    scipy_io = pytest.importorskip("scipy.io")
    buf = io.BytesIO()
    scipy_io.savemat(buf, {"force": np.arange(40, dtype=np.int16), "fs": 100.0, "gain": 0.5, "unit": "N"})
    rec = emgviz.read_bytes(buf.getvalue(), "f.mat")
    assert rec.unit == "N" and rec.ch_units == ("N",)
    np.testing.assert_allclose(rec.data[0], np.arange(40) * 0.5)


# ---- 5. Delsys rate from the time column ---------------------------------------------------------
def test_delsys_rate_from_x_column_and_equal_stamps():
    regular = b"X[s],EMG 1,X[s],ACC X\n0.0000,1,0.000,5\n0.0005,2,0.001,6\n0.0010,3,0.002,7\n"
    rec = emgviz.read_bytes(regular, "d.csv", unit="V")
    assert rec.fs == 2000.0 and rec.meta["format"] == "Delsys EMGworks CSV"
    equal = b"X[s],EMG 1,X[s],ACC X\n0,1,0,5\n0,2,0,6\n0,3,0,7\n"
    with pytest.raises(ReadError, match="does not increase"):
        emgviz.read_bytes(equal, "d.csv")
    assert emgviz.read_bytes(equal, "d.csv", fs=500).fs == 500.0


# ---- 7. zips ---------------------------------------------------------------------------------------
def test_unzipped_limit_uses_the_limits_parser(monkeypatch):
    monkeypatch.setenv("EMGVIZ_MAX_UNZIPPED_BYTES", "1_000_000")
    assert limits.max_unzipped_bytes() == 1_000_000
    monkeypatch.setenv("EMGVIZ_MAX_UNZIPPED_BYTES", "lots")
    with pytest.raises(ReadError, match="EMGVIZ_MAX_UNZIPPED_BYTES"):
        emgviz.read_bytes(_zip([("a.csv", CSV)]), "a.zip")
    monkeypatch.setenv("EMGVIZ_MAX_UNZIPPED_BYTES", "0")
    with pytest.raises(ReadError, match="at least 1"):
        emgviz.read_bytes(_zip([("a.csv", CSV)]), "a.zip")


def test_npz_in_a_zip_is_decompressed_once(monkeypatch):
    def npy(arr):
        b = io.BytesIO()
        np.save(b, arr)
        return b.getvalue()

    rng = np.random.default_rng(0)
    data = rng.normal(size=(1, 20_000))  # big enough that fs.npy is past the sniffed head
    content = _zip([("data.npy", npy(data)), ("fs.npy", npy(np.array(1000.0))),
                    ("ch_names.npy", npy(np.array(["EMG"])))])
    from emgviz.io import npz

    assert not npz.sniff(content[:65536], "x.zip")

    def no_expand(*args):
        raise AssertionError("members expanded before numpy reads them")

    monkeypatch.setattr(zipped, "_expand", no_expand)
    rec = emgviz.read_bytes(content, "x.zip")
    np.testing.assert_array_equal(rec.data, data)


def test_zipped_recording_keeps_everything_and_names_the_archive():
    plain = emgviz.read_bytes(CSV, "a.csv")
    rec = emgviz.read_bytes(_zip([("a.csv", CSV)]), "a.zip")
    np.testing.assert_array_equal(rec.data, plain.data)
    assert (rec.fs, rec.ch_names, rec.ch_units, rec.ch_kinds, rec.t0, rec.unit) == \
        (plain.fs, plain.ch_names, plain.ch_units, plain.ch_kinds, plain.t0, plain.unit)
    assert rec.meta["archive"] == "a.zip" and rec.meta["format"] == plain.meta["format"]


# ---- 8. fs checked once, for every reader ----------------------------------------------------------
@pytest.mark.parametrize("bad", [0, -5, float("nan"), float("inf"), "fast"])
def test_bad_fs_is_a_read_error_for_every_entry_point(bad, tmp_path):
    with pytest.raises(ReadError, match="fs must be"):
        emgviz.read_bytes(b"1\n2\n3\n", "x.txt", fs=bad)
    with pytest.raises(ReadError, match="fs must be"):
        emgviz.read_bytes(_edf_bytes(), "x.edf", fs=bad)
    with pytest.raises(ReadError, match="fs must be"):
        emgviz.read_files([("x.txt", b"1\n2\n3\n")], fs=bad)
    path = tmp_path / "x.txt"
    path.write_bytes(b"1\n2\n3\n")
    with pytest.raises(ReadError, match="fs must be"):
        emgviz.read_file(path, fs=bad)
    assert emgviz.read_bytes(b"1\n2\n3\n", "x.txt", fs="250").fs == 250.0


# ---- 9/6. shared column helper --------------------------------------------------------------------
def test_layout_has_no_dead_offsets_and_columns_to_array_checks_values():
    layout = text.scan_layout(CSV, "a.csv")
    assert not hasattr(layout, "offsets")
    cols = text.parse_columns(CSV, "a.csv", layout)
    data = text.columns_to_array("a.csv", cols, ["time", "emg"], layout)
    np.testing.assert_array_equal(data, [[0, 0.001, 0.002], [1, 2, 3]])
    assert cols == [None, None]  # released as copied
    bad = b"a,b\n1,2\n3,\n"
    layout = text.scan_layout(bad, "b.csv")
    with pytest.raises(ReadError, match=r"column 'b' holds an empty or NaN value at line 3"):
        text.columns_to_array("b.csv", text.parse_columns(bad, "b.csv", layout), ["a", "b"], layout)


def test_vendor_reads_only_through_its_public_text_helpers():
    assert vendor.read(DELSYS, "t.csv").ch_names == ("EMG 1",)


# ---- 10. C3D from a path ---------------------------------------------------------------------------
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


def test_unparseable_header_uploaded_with_its_dat_gives_the_header_error(record):
    folder, _ = record
    header = (folder / "trial7.hea").read_bytes().replace(b"trial7.dat", b"../../etc/passwd.dat")
    with pytest.raises(ReadError, match="cannot parse the header"):
        emgviz.read_files([("trial7.hea", header), ("trial7.dat", (folder / "trial7.dat").read_bytes())])


def test_a_file_that_cannot_be_opened_is_a_read_error(tmp_path, monkeypatch):
    path = tmp_path / "locked.csv"
    path.write_bytes(CSV)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "open", refuse)
    with pytest.raises(ReadError, match="locked.csv.*cannot be opened.*Permission denied"):
        emgviz.read_file(path)
