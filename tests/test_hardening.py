"""Hardening: native readers in a limited child process, declared sizes checked first, special
paths refused, immutable recordings, no formula in a CSV, no markup from a file or a link."""

import csv
import io
import os
import re
import time
import tracemalloc
import zipfile

import numpy as np
import pandas as pd
import pytest

import emgviz
from emgviz import ReadError, Recording, Settings
from emgviz.csvsafe import neutralise
from emgviz.errors import NeedsChoice
from emgviz.export import figure_html, table_csv
from emgviz.io import isolate
from emgviz.markers import add_marker, empty_markers, markers_from_csv, markers_to_csv
from emgviz.plotting.safe import plain_figure
from emgviz.views.text import md

from badfiles import MARKUP_PAYLOADS, _zip_of_many, declared_huge_cases, markup_csv


# ---- native readers in a child process -------------------------------------------------------
def test_a_reader_that_segfaults_becomes_a_read_error_naming_the_file():
    with pytest.raises(ReadError, match=r"'bad\.c3d'.*crashed \(SIGSEGV\)"):
        isolate.run("crashy_reader", b"segfault", "bad.c3d", {}, size=8)
    rec = isolate.run("crashy_reader", b"\x01\x02\x03", "ok.c3d", {"fs": 50.0}, size=3)  # and the next works
    np.testing.assert_array_equal(rec.data, [[1.0, 2.0, 3.0]])
    assert rec.fs == 50.0 and list(rec.events["label"]) == ["start"] and not rec.data.flags.writeable


def test_a_reader_that_hangs_is_stopped_after_the_timeout(monkeypatch):
    monkeypatch.setenv("EMGVIZ_READER_TIMEOUT_S", "2")
    t = time.monotonic()
    with pytest.raises(ReadError, match=r"'slow\.c3d'.*longer than 2 s"):
        isolate.run("crashy_reader", b"hang", "slow.c3d", {}, size=4)
    assert time.monotonic() - t < 30


def test_a_reader_that_eats_memory_is_stopped_at_its_limit(monkeypatch):
    monkeypatch.setenv("EMGVIZ_READER_MEMORY_MB", "300")
    with pytest.raises(ReadError, match=r"'fat\.c3d'.*more than the 300 MB allowed"):
        isolate.run("crashy_reader", b"eat", "fat.c3d", {}, size=3)


def test_a_read_error_inside_the_child_comes_back_as_it_was():
    from badfiles import _c3d_bytes

    c3d = _c3d_bytes()
    with pytest.raises(ReadError, match=r"'cut\.c3d'.*(truncat|declares|C3D)"):
        emgviz.read_bytes(c3d[:len(c3d) // 3], "cut.c3d")


def test_c3d_runs_in_a_child_and_reads_the_same_as_in_process(monkeypatch, shared_data):
    path = shared_data / "qualisys_ezc3d_testfile.c3d"
    isolated = emgviz.read_file(path)
    monkeypatch.setenv("EMGVIZ_ISOLATE", "0")
    direct = emgviz.read_file(path)
    np.testing.assert_array_equal(isolated.data, direct.data)
    assert isolated.ch_names == direct.ch_names and isolated.fs == direct.fs == 2000.0
    pd.testing.assert_frame_equal(isolated.events, direct.events)
    assert dict(isolated.meta) == dict(direct.meta)


# ---- declared sizes before allocation --------------------------------------------------------
@pytest.mark.parametrize("name", [n for n, _, _ in declared_huge_cases()])
def test_declared_huge_arrays_are_refused_before_allocation(name):
    content, words = {n: (c, w) for n, c, w in declared_huge_cases()}[name]
    tracemalloc.start()
    try:
        with pytest.raises(ReadError) as info:
            emgviz.read_files([(name, content)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert name in str(info.value) and re.search(words, str(info.value)), str(info.value)
    assert peak < 100e6, f"{peak / 1e6:.0f} MB allocated in this process before refusing"


def test_npz_1d_data_within_the_limit_still_loads(monkeypatch):
    buf = io.BytesIO()
    np.savez(buf, data=np.arange(1000.0), fs=np.array(100.0), ch_names=np.array(["EMG"]))
    rec = emgviz.read_bytes(buf.getvalue(), "one.npz")
    assert rec.data.shape == (1, 1000)
    monkeypatch.setenv("EMGVIZ_MAX_SAMPLES", "999")
    with pytest.raises(ReadError, match="1,000"):
        emgviz.read_bytes(buf.getvalue(), "one.npz")


def test_a_zip_of_1000_members_asks_which_one_without_expanding_them():
    content = _zip_of_many()
    tracemalloc.start()
    try:
        with pytest.raises(NeedsChoice) as info:
            emgviz.read_files([("many.zip", content)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.option == "member" and len(info.value.candidates) == 1000
    assert "many.zip" in str(info.value)
    assert peak < 50e6, f"{peak / 1e6:.0f} MB expanded before asking"
    rec = emgviz.read_files([("many.zip", content)], member="trial_0007.csv", fs=100.0)
    assert rec.n_samples == 2 ** 19 and rec.meta["archive"] == "many.zip"


def test_a_zip_holding_two_recordings_opens_each_by_member():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("trial1.csv", "time,biceps\n" + "".join(f"{i / 1000},{i % 7}\n" for i in range(500)))
        z.writestr("trial2.csv", "time,triceps\n" + "".join(f"{i / 1000},{i % 5}\n" for i in range(800)))
    with pytest.raises(NeedsChoice) as info:
        emgviz.read_files([("z.zip", buf.getvalue())])
    assert info.value.candidates == ("trial1.csv", "trial2.csv")
    two = emgviz.read_files([("z.zip", buf.getvalue())], member="trial2.csv")
    one = emgviz.read_files([("z.zip", buf.getvalue())], member="trial1.csv")
    assert two.ch_names == ("triceps",) and two.n_samples == 800
    assert one.ch_names == ("biceps",) and one.n_samples == 500
    np.testing.assert_array_equal(two.data[0, :6], [0, 1, 2, 3, 4, 0])


# ---- special paths ---------------------------------------------------------------------------
def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match=r"named pipe .*not a regular file"):
        emgviz.read_file(fifo)


@pytest.mark.parametrize("suffix", [".csv", ".c3d", ".hea"])
def test_a_device_behind_a_suffix_is_refused(tmp_path, suffix):
    link = tmp_path / f"zero{suffix}"
    link.symlink_to("/dev/zero")
    with pytest.raises(ReadError, match=r"a device, not a regular file"):
        emgviz.read_file(link)


def test_a_huge_sparse_file_is_refused_by_its_size(tmp_path):
    path = tmp_path / "sparse.csv"
    with open(path, "wb") as fh:
        fh.truncate(5 * 1024 ** 3)  # 5 GiB, no disk used
    with pytest.raises(ReadError, match=r"5,368,709,120 bytes, above the limit"):
        emgviz.read_file(path)


def test_a_wfdb_header_path_with_too_many_signal_lines_is_refused(tmp_path):
    hea = tmp_path / "big.hea"
    hea.write_text("big 100000 1000 10\n" + "big.dat 16 200/mV 16 0 0 0 0 ch\n" * 100_000)
    (tmp_path / "big.dat").write_bytes(b"\0" * 64)
    with pytest.raises(ReadError, match=r"'big\.hea'.*more than 4,096 signal lines"):
        emgviz.read_file(hea)


# ---- the recording cannot be changed ---------------------------------------------------------
def test_recording_data_cannot_be_made_writeable_again():
    rec = Recording(np.arange(6.0).reshape(2, 3), fs=10, ch_names=["a", "b"])
    for arr in (rec.data, rec.data.base, rec.pick(["a"]).data, rec.crop(0, 0.2).data):
        with pytest.raises(ValueError, match="WRITEABLE"):
            arr.setflags(write=True)
    with pytest.raises(ValueError, match="read-only"):
        rec.data[0, 0] = 99.0
    np.testing.assert_array_equal(rec.data, [[0, 1, 2], [3, 4, 5]])


def test_recording_events_cannot_be_edited_in_place():
    rec = Recording(np.zeros((1, 100)), fs=100, ch_names=["a"], events=[(0.1, "go"), (0.5, "stop")])
    ev = rec.events
    ev.loc[0, "label"] = "changed"
    ev.drop(index=1, inplace=True)
    assert list(rec.events["label"]) == ["go", "stop"] and list(rec.events["time_s"]) == [0.1, 0.5]


# ---- CSV formulas ----------------------------------------------------------------------------
def _cells(text: str) -> list[str]:
    rows = csv.reader(line for line in text.splitlines() if not line.startswith("#"))
    return [cell for row in rows for cell in row]


def test_feature_csv_of_a_file_with_formula_names_holds_no_formula():
    rec = emgviz.read_bytes(markup_csv(), "markup.csv")
    table = emgviz.feature_table(rec)
    text = table_csv(table, settings=Settings(), source_name="=HYPERLINK(\"x\")", sha256="00")
    cells = _cells(text)
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
                or (c[:1] == "-" and not re.fullmatch(r"-[0-9.eE+-]+", c))], cells[:20]
    assert "'=cmd|' /C calc'!A0" in cells
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert pd.api.types.is_float_dtype(back.iloc[:, 1])  # numbers stay numbers


def test_neutralise_keeps_numbers_and_negative_numbers():
    df = pd.DataFrame({"name": ["-1.5", "-x", "+1", "@a", "\tb", "ok"], "value": [-1.0, -2.0, 3, 4, 5, 6]})
    out = neutralise(df)
    assert list(out["name"]) == ["-1.5", "'-x", "+1", "'@a", "'\tb", "ok"]
    assert out["value"].tolist() == [-1.0, -2.0, 3, 4, 5, 6] and out["value"].dtype == float


def test_markers_csv_neutralises_notes_and_reads_them_back():
    m = add_marker(add_marker(empty_markers(), 1.0, "=cmd|' /C calc'!A0"), 2.0, "-3")
    text = markers_to_csv(m)
    assert "\n1.000000,'=cmd|' /C calc'!A0\n" in text and "\n2.000000,-3\n" in text
    assert list(markers_from_csv(text)["note"]) == ["=cmd|' /C calc'!A0", "-3"]


# ---- markup from files and links -------------------------------------------------------------
def test_md_leaves_no_link_image_or_autolink():
    for payload in MARKUP_PAYLOADS:
        out = md(payload)
        assert not re.search(r"(?<!\\)(\]\(|<a|<img)", out), out  # only escaped: \] \( \<a
        assert "://" not in out and "www." not in md("see www.evil.example"), out


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _strings(v)]
    if isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.dtype.kind in "OU"):
        return [t for v in value for t in _strings(v)]
    return []


def test_plotly_text_from_a_file_cannot_be_a_link():
    from emgviz.plotting.browser import stacked_figure

    rec = emgviz.read_bytes(markup_csv(), "markup.csv")
    rec = rec.replace(events=[(0.5, "<a href='https://evil.example/e'>event</a>")])
    fig = plain_figure(stacked_figure(rec, t_start_s=0, t_window_s=2, events=rec.events))
    texts = _strings(fig.to_plotly_json())
    assert not [t for t in texts if "<a" in t or "<img" in t]
    assert any("&lt;a href='https://evil.example/a'>a&lt;/a>" in t for t in texts)  # shown, as text
    assert any("&lt;a href='https://evil.example/e'>event" in t for t in texts)  # annotation (cut at 40)
    assert "<a href='https://evil" not in figure_html(stacked_figure(rec, t_start_s=0, t_window_s=2),
                                                      include_plotlyjs=False)


def test_url_values_out_of_range_are_refused_with_name_value_and_range():
    from emgviz.views.sidebar import _in_range

    kept, problems = _in_range({"rms_window_ms": "1e6", "lowpass_hz": "500", "notch_q": "1e-300", "order": "4"})
    assert kept == {"order": "4"}
    assert problems[0] == ("ignored rms_window_ms='1e6' from the link: rms_window_ms must be from 1 to 5000 ms; "
                           "the default 100 ms is used")
    assert "lowpass_hz='500'" in problems[1] and "0.1 to 100 Hz" in problems[1]
    assert "notch_q='1e-300'" in problems[2] and "from 1 to 200" in problems[2]


def test_compare_upload_keys_differ_for_names_that_look_alike():
    from emgviz.views.compare_sessions import _upload_slot

    long = "subject_042_left_gastrocnemius_medialis_trial_"
    names = ["a b.csv", "a-b.csv", "a_b.csv", long + "01.csv", long + "02.csv"]
    assert len({_upload_slot(n) for n in names}) == len(names)


# ---- caches bounded by size ------------------------------------------------------------------
def test_the_read_cache_is_bounded_by_the_bytes_it_holds(monkeypatch):
    from emgviz.views import cache

    calls = []

    def fake_read(files, fs=None, **options):
        calls.append(files[0][0])
        return Recording(np.zeros((1, 1024 ** 2 // 8)), fs=1000, ch_names=["a"])  # 1 MiB of samples

    monkeypatch.setattr(cache, "read_files", fake_read)
    monkeypatch.setenv("EMGVIZ_CACHE_MB", "2.5")
    cache.cache_store().clear()
    for name in ("a", "b", "a", "b"):  # two fit: the second round is served from the cache
        cache.read_cached(name, (name,), None, "{}", ((name, b""),))
    assert calls == ["a", "b"]
    cache.read_cached("c", ("c",), None, "{}", (("c", b""),))  # 3 MiB > 2.5 MiB: the oldest ("a") goes
    cache.read_cached("a", ("a",), None, "{}", (("a", b""),))
    assert calls == ["a", "b", "c", "a"]
    assert cache.cache_store().nbytes <= 2.5 * 1024 ** 2


# ---- wide files page their channels ----------------------------------------------------------
def test_overview_of_a_wide_file_draws_16_channels_per_page():
    from apptest_utils import assert_no_exception, new_app, plotly_spec

    rng = np.random.default_rng(5)
    names = [f"m{i:02d}" for i in range(40)]
    text = "# Sampling Rate (Hz):= 1000.00\n" + ",".join(names) + "\n" + "\n".join(
        ",".join(f"{v:.6f}" for v in row) for row in rng.normal(0, 1e-4, (1500, 40)))
    at = new_app(timeout=180).run()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader(key="upload").set_value(("wide.csv", text.encode(), "text/csv")).run()
    assert_no_exception(at)

    def shown():
        spec = plotly_spec(at, "overview_chart")
        return {t.get("name") for t in spec["data"] if t.get("name") in names}

    assert shown() == set(names[:16])
    at.number_input(key="overview_channel_page").set_value(3).run()
    assert_no_exception(at)
    assert shown() == set(names[32:])
