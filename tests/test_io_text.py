"""Generic CSV/TXT reader, units, limits and the one-line summary."""

import numpy as np
import pytest

import emgviz
from emgviz import NeedsSamplingRate, ReadError
from emgviz.io import limits, units
from emgviz.io.summary import describe
from emgviz.io import text
from io_samples import CSV


def rb(text: str, name: str = "x.csv", **kw):
    return emgviz.read_bytes(text.encode("utf-8"), name, **kw)


# ---- real files ---------------------------------------------------------------------------
def test_uci_gestures_file(sample_dir):
    rec = emgviz.read_file(sample_dir / "uci_gestures_1_raw_data_11-08_21.03.16.txt")
    assert rec.ch_names == tuple(f"channel{i}" for i in range(1, 9))
    assert rec.fs == 1000.0 and rec.n_samples == 61641
    assert rec.ch_kinds == ("emg",) * 8 and rec.unit == "a.u."
    assert rec.t0 == pytest.approx(0.001)
    assert rec.meta["time_gaps"] == 2189 and rec.meta["time_unit"].startswith("ms")
    assert rec.data[0, 0] == pytest.approx(-2e-05) and rec.data[7, -1] == 0.0
    # class 1..6 segments become events, class 0 (unmarked) does not
    assert len(rec.events) == 12 and set(rec.events["label"]) == {f"class={k}" for k in range(1, 7)}
    first = rec.events.iloc[0]
    assert first["time_s"] == pytest.approx(0.001) and first["label"] == "class=1"
    assert "volts" in rec.meta["unit_note"]
    assert any("gaps" in w for w in rec.meta["warnings"])


def test_ktk_biceps_file(sample_dir):
    rec = emgviz.read_file(sample_dir / "ktk_emg_biceps_brachii.csv")
    assert rec.ch_names == ("BicepsBrachiiR",) and rec.n_samples == 6534
    assert rec.fs == pytest.approx(1925.9, rel=1e-3)
    assert rec.t0 == pytest.approx(20.6711)
    assert rec.data[0, 0] == pytest.approx(-1.23e-05) and rec.ch_kinds == ("emg",)


def test_biosppy_file(sample_dir):
    rec = emgviz.read_file(sample_dir / "biosppy_emg_1.txt")
    assert rec.ch_names == ("EMG",) and rec.fs == 1000.0 and rec.n_samples == 63880
    assert rec.unit == "a.u." and rec.meta["adc_resolution_bits"] == 12
    assert rec.data[0, 0] == 2034.0
    assert describe(rec) == "CSV/TXT, 1 EMG channel at 1000 Hz, raw 12-bit counts"


# ---- delimiters, decimals, headers ----------------------------------------------------------
@pytest.mark.parametrize("sep", [",", "\t", ";", " ", "   "])
def test_delimiters(sep):
    text = f"fs=500\na{sep}b\n1.5{sep}-2\n3{sep}4e-1\n5{sep}6\n"
    rec = rb(text)
    assert rec.ch_names == ("a", "b") and rec.fs == 500.0
    np.testing.assert_array_equal(rec.data, [[1.5, 3, 5], [-2, 0.4, 6]])


def test_decimal_comma_with_semicolons():
    rec = rb("Sampling rate: 2000 Hz\n1,5;2,25\n-0,5;3\n7;8,125\n")
    assert rec.fs == 2000.0 and rec.meta["decimal"] == ","
    np.testing.assert_array_equal(rec.data, [[1.5, -0.5, 7], [2.25, 3, 8.125]])


def test_units_in_header_become_volts():
    rec = rb("time,Biceps (mV),EMG [uV],Force (N)\n0,1,10,5\n0.001,2,20,6\n0.002,3,30,7\n")
    assert rec.ch_names == ("Biceps", "EMG", "Force")
    assert rec.ch_units == ("V", "V", "N") and rec.ch_kinds == ("emg", "emg", "force")
    np.testing.assert_allclose(rec.data[0], [1e-3, 2e-3, 3e-3])
    np.testing.assert_allclose(rec.data[1], [1e-5, 2e-5, 3e-5])
    np.testing.assert_array_equal(rec.data[2], [5, 6, 7])
    assert rec.fs == 1000.0 and rec.unit == "V" and "unit_note" not in rec.meta


def test_unit_option_declares_unit():
    rec = rb("fs=100\n0.5\n1\n", unit="mV")
    assert rec.unit == "V" and rec.data[0, 1] == pytest.approx(1e-3)


def test_time_in_ms_by_name_and_t0():
    rec = rb("time_ms,emg\n100,1\n100.5,2\n101,3\n101.5,4\n")
    assert rec.fs == 2000.0 and rec.t0 == pytest.approx(0.1)


def test_explicit_fs_wins_and_is_noted():
    rec = rb("# Sampling Rate (Hz):= 1000\n1\n2\n3\n", fs=250)
    assert rec.fs == 250.0 and "250" in rec.meta["warnings"][0] and "1000" in rec.meta["warnings"][0]


def test_no_rate_needs_sampling_rate():
    with pytest.raises(NeedsSamplingRate, match="2 column"):
        rb("0.3,0.2\n0.1,0.4\n0.5,0.7\n")


def test_sample_counter_is_not_time():
    with pytest.raises(NeedsSamplingRate):
        rb("1,0.2\n2,0.4\n3,0.7\n4,0.1\n")


def test_string_label_column_gives_events():
    rec = rb("t,emg,marker\n0,1,\n0.5,2,start\n1.0,3,start\n1.5,4,\n")
    assert rec.ch_names == ("emg",) and rec.fs == 2.0
    assert list(rec.events["label"]) == ["marker=start"]
    assert rec.events["time_s"][0] == 0.5 and rec.events["duration_s"][0] == 1.0


@pytest.mark.parametrize("bad,word", [("nan", "NaN"), ("", "NaN"), ("inf", "inf")])
def test_nan_and_inf_name_column_and_line(bad, word):
    with pytest.raises(ReadError, match=rf"column 'b'.*line 4") as info:
        rb(f"fs=100\na,b\n1,2\n3,{bad}\n5,6\n")
    assert word.lower() in str(info.value).lower()


def test_text_inside_numeric_column():
    with pytest.raises(ReadError, match=r"column 'b' holds text 'oops' at line 4"):
        rb("fs=100\na,b\n1,2\n3,oops\n5,6\n7,8\n")


def test_time_column_going_backwards():
    with pytest.raises(ReadError, match=r"does not increase at line 4"):
        rb("time,emg\n0.0,1\n0.1,2\n0.05,3\n0.3,4\n")


def test_single_sample_is_refused_with_the_minimum_length():
    with pytest.raises(ReadError, match="1 sample per channel; a recording needs at least 2"):
        rb("fs=1000\n0.25\n")


# ---- units ---------------------------------------------------------------------------------
@pytest.mark.parametrize("unit,factor", [("V", 1.0), ("mV", 1e-3), ("MV", 1e-3), ("µV", 1e-6), ("uV", 1e-6),
                                         ("μV", 1e-6), ("microvolts", 1e-6), ("Millivolt", 1e-3), ("N", None),
                                         ("", None), (None, None)])
def test_to_volts_factor(unit, factor):
    assert units.to_volts_factor(unit) == factor


@pytest.mark.parametrize("unit,canon", [("uV", "V"), ("N", "N"), ("N.m", "Nm"), ("g", "g"), ("deg", "deg"),
                                        ("°/s", "deg/s"), (None, "a.u."), ("counts", "a.u.")])
def test_normalise_unit(unit, canon):
    assert units.normalise_unit(unit) == canon


@pytest.mark.parametrize("label,unit,kind", [
    ("EMG 1", None, "emg"), ("Biceps", None, "emg"), ("FP1_Fx", "N", "force"), ("Force", None, "force"),
    ("ACC X", "V", "acc"), ("Gyro", None, "gyro"), ("Trigger", None, "trigger"), ("Sync", "V", "trigger"),
    ("Gonio", None, "gonio"), ("Knee Angle", "deg", "gonio"), ("ch3", "mV", "emg"), ("ch3", "Nm", "force"),
    ("ch3", "m/s^2", "acc"), ("ch3", "deg/s", "gyro"), ("ch3", None, "other"), ("RT TIB.ANT.", None, "emg"),
    ("L Gastrocnemius", None, "emg"), ("Vastus lateralis", "V", "emg"), ("Temperature", "a.u.", "temp")])
def test_guess_kind(label, unit, kind):
    assert units.guess_kind(label, unit) == kind


# ---- limits ----------------------------------------------------------------------------------
def test_limit_from_env(monkeypatch):
    monkeypatch.setenv("EMGVIZ_MAX_SAMPLES", "10")
    assert limits.max_samples() == 10
    with pytest.raises(ReadError, match=r"2 × 6 samples, above the limit of 10.*EMGVIZ_MAX_SAMPLES"):
        rb("fs=10\n" + "1,2\n" * 6)
    monkeypatch.delenv("EMGVIZ_MAX_SAMPLES")
    assert limits.max_samples() == 200_000_000


def test_check_size_message():
    with pytest.raises(ReadError, match=r"16 × 30,000,000 samples, above the limit of 200,000,000"):
        limits.check_size("big.csv", 16, 30_000_000)


# ---- summary ---------------------------------------------------------------------------------
def test_describe_mixed_kinds():
    rec = emgviz.Recording(np.zeros((3, 10)), fs=2000, ch_names=["EMG 1", "Fx", "Sync"],
                           ch_kinds=["emg", "force", "trigger"], meta={"format": "C3D"},
                           events=[(0.001, "heel strike")])
    assert describe(rec) == "C3D, 1 EMG of 3 channels (1 force, 1 trigger) at 2000 Hz, 1 event"


def test_headerless_increasing_first_column_is_time():
    rec = rb("0.000,5\n0.004,6\n0.008,7\n0.012,8\n")
    assert rec.fs == 250.0 and rec.ch_names == ("ch2",) and rec.meta["time_column"] == "ch1"


# ---- resolution notes; the shared column helper --------------------------------------------------
def test_csv_nonsense_resolution_is_ignored_with_a_note(tmp_path):
    content = b"# resolution: 1e999\n" + CSV
    rec = emgviz.read_bytes(content, "rec.csv")
    assert "adc_resolution_bits" not in rec.meta
    assert any("1e999" in w for w in rec.meta["warnings"])
    assert np.array_equal(rec.data, emgviz.read_bytes(CSV, "rec.csv").data)


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
