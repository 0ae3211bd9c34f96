"""Zip archives: limits, members read once, the archive named (emgviz.io.zipped)."""

import numpy as np
import pytest

import emgviz
import io
from emgviz.errors import ReadError
from emgviz.io import limits, zipped
from io_samples import CSV, zip_bytes


# ---- limits and members --------------------------------------------------------------------------
def test_unzipped_limit_uses_the_limits_parser(monkeypatch):
    monkeypatch.setenv("EMGVIZ_MAX_UNZIPPED_BYTES", "1_000_000")
    assert limits.max_unzipped_bytes() == 1_000_000
    monkeypatch.setenv("EMGVIZ_MAX_UNZIPPED_BYTES", "lots")
    with pytest.raises(ReadError, match="EMGVIZ_MAX_UNZIPPED_BYTES"):
        emgviz.read_bytes(zip_bytes([("a.csv", CSV)]), "a.zip")
    monkeypatch.setenv("EMGVIZ_MAX_UNZIPPED_BYTES", "0")
    with pytest.raises(ReadError, match="at least 1"):
        emgviz.read_bytes(zip_bytes([("a.csv", CSV)]), "a.zip")


def test_npz_in_a_zip_is_decompressed_once(monkeypatch):
    def npy(arr):
        b = io.BytesIO()
        np.save(b, arr)
        return b.getvalue()

    rng = np.random.default_rng(0)
    data = rng.normal(size=(1, 20_000))  # big enough that fs.npy is past the sniffed head
    content = zip_bytes([("data.npy", npy(data)), ("fs.npy", npy(np.array(1000.0))),
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
    rec = emgviz.read_bytes(zip_bytes([("a.csv", CSV)]), "a.zip")
    np.testing.assert_array_equal(rec.data, plain.data)
    assert (rec.fs, rec.ch_names, rec.ch_units, rec.ch_kinds, rec.t0, rec.unit) == \
        (plain.fs, plain.ch_names, plain.ch_units, plain.ch_kinds, plain.t0, plain.unit)
    assert rec.meta["archive"] == "a.zip" and rec.meta["format"] == plain.meta["format"]
