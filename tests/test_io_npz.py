"""emgviz's .npz: round trip and refusal of pickled objects."""

import io

import numpy as np
import pytest

import emgviz
from emgviz.io.npz import write_npz


def test_round_trip_keeps_everything(tmp_path):
    rec = emgviz.Recording(np.arange(6.0).reshape(2, 3) * 1e-6, fs=2048, ch_names=["Biceps", "Fz"],
                           ch_units=["V", "N"], ch_kinds=["emg", "force"], t0=1.5, source="lab.csv",
                           meta={"subject": "S01", "gain": 1000}, events=[(1.6, 0.2, "lift"), (1.7, "drop")])
    path = tmp_path / "rec.npz"
    write_npz(rec, path)
    back = emgviz.read_file(path)
    np.testing.assert_array_equal(back.data, rec.data)
    assert (back.fs, back.ch_names, back.ch_units, back.ch_kinds, back.t0, back.source) == \
        (2048.0, ("Biceps", "Fz"), ("V", "N"), ("emg", "force"), 1.5, "lab.csv")
    assert back.meta["subject"] == "S01" and back.meta["gain"] == 1000 and back.meta["format"] == "NPZ (emgviz)"
    assert list(back.events["label"]) == ["lift", "drop"] and back.events["duration_s"][0] == pytest.approx(0.2)
    with np.load(path, allow_pickle=False) as raw:  # plain arrays only
        assert all(raw[k].dtype != object for k in raw.files)


def test_pickled_object_array_is_refused():
    buf = io.BytesIO()
    np.savez(buf, fs=np.array(1000.0), ch_names=np.array(["a"]), data=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(emgviz.ReadError, match="holds pickled Python objects, which emgviz never loads"):
        emgviz.read_bytes(buf.getvalue(), "evil.npz")


def test_npz_missing_arrays():
    buf = io.BytesIO()
    np.savez(buf, fs=np.array(1000.0), data=np.zeros((1, 3)))
    with pytest.raises(emgviz.ReadError, match=r"lacks \['ch_names'\]"):
        emgviz.read_bytes(buf.getvalue(), "partial.npz")
