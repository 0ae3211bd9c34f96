"""Recording: validation messages, immutability, derived recordings."""

import numpy as np
import pandas as pd
import pytest

from emgviz import Recording, make_events
from emgviz._checks import time_index


def rec2(n=2000, fs=1000.0, **kw):
    data = np.vstack([np.sin(np.arange(n) / 10), np.cos(np.arange(n) / 10)])
    return Recording(data, fs=fs, ch_names=["biceps", "triceps"], **kw)


@pytest.mark.parametrize("dtype", [np.int32, np.float64])  # float64 could be kept as a view: it must not
def test_data_is_a_read_only_float64_copy(dtype):
    src = np.arange(10, dtype=dtype).reshape(2, 5)
    rec = Recording(src, fs=100, ch_names=["a", "b"])
    assert rec.data.dtype == np.float64 and rec.data.shape == (2, 5)
    src[0, 0] = 99  # the caller's array is not the recording's
    assert rec.data[0, 0] == 0
    with pytest.raises(ValueError, match="read-only"):
        rec.data[0, 0] = 1.0
    with pytest.raises(ValueError):
        rec.times[0] = 5.0


def test_fields_cannot_be_reassigned_and_meta_is_read_only():
    rec = rec2(meta={"gain": 1000})
    with pytest.raises(AttributeError):
        rec.fs = 10  # type: ignore[misc]
    with pytest.raises(TypeError):
        rec.meta["gain"] = 1  # type: ignore[index]


@pytest.mark.parametrize("shape", [(2, 3, 4), (0, 10)])
def test_wrong_shape_is_rejected_with_the_shape_named(shape):
    with pytest.raises(ValueError, match="shape|rows|no samples|no channels"):
        Recording(np.zeros(shape), fs=100, ch_names=["a"] * shape[0] if shape[0] else [])


def test_transposed_array_gets_a_hint():
    with pytest.raises(ValueError, match=r"pass data\.T"):
        Recording(np.zeros((500, 2)), fs=100, ch_names=["a", "b"])


def test_empty_samples_rejected():
    with pytest.raises(ValueError, match="no samples"):
        Recording(np.zeros((2, 0)), fs=100, ch_names=["a", "b"])


@pytest.mark.parametrize("fs", [0, -1, float("nan"), float("inf"), "fast"])
def test_bad_sampling_rate(fs):
    with pytest.raises(ValueError, match="fs"):
        Recording(np.zeros((1, 10)), fs=fs, ch_names=["a"])


def test_names_count_and_uniqueness():
    with pytest.raises(ValueError, match="3 channel names"):
        Recording(np.zeros((2, 10)), fs=100, ch_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="unique.*'a'"):
        Recording(np.zeros((2, 10)), fs=100, ch_names=["a", "a"])


def test_nan_is_rejected_with_its_place():
    data = np.zeros((2, 100))
    data[1, 50] = np.nan
    with pytest.raises(ValueError, match=r"1 NaN.*'b'.*sample 50"):
        Recording(data, fs=100, ch_names=["a", "b"])


def test_repr_says_what_it_holds():
    assert repr(rec2(source="x.csv")) == "<Recording | 2 ch × 2000 (2.000 s) @ 1000 Hz, V, source='x.csv'>"


def test_times_start_at_t0():
    rec = rec2(t0=20.5)
    assert rec.times[0] == 20.5
    assert rec.times[-1] == pytest.approx(20.5 + 1999 / 1000)


def test_pick_crop_and_with_data_never_touch_the_original():
    rec = rec2(events=[(0.5, "a"), (1.5, "b")])
    before = rec.data.copy()
    tri = rec.pick(["triceps"])
    assert tri.ch_names == ("triceps",) and np.array_equal(tri.data[0], rec.data[1])
    part = rec.crop(1.0, 1.6)
    assert part.n_samples == 600 and part.t0 == pytest.approx(1.0)
    assert list(part.events["label"]) == ["b"]
    doubled = rec.with_data(rec.data * 2)
    assert np.array_equal(doubled.data, before * 2)
    assert np.array_equal(rec.data, before)
    with pytest.raises(KeyError, match="channels are"):
        rec.pick(["deltoid"])
    with pytest.raises(ValueError, match="no samples"):
        rec.crop(5, 6)


def test_kinds_and_units_per_channel():
    rec = Recording(np.zeros((3, 10)), fs=100, ch_names=["EMG1", "Fz", "trig"],
                    ch_units=["V", "N", "a.u."], ch_kinds=["emg", "force", "trigger"])
    assert rec.pick_kind("emg").ch_names == ("EMG1",)
    with pytest.raises(ValueError, match="kind"):
        Recording(np.zeros((1, 10)), fs=100, ch_names=["x"], ch_kinds=["muscle"])


def test_events_table():
    ev = make_events([(2.0, "off"), (1.0, 0.5, "on")])
    assert list(ev.columns) == ["time_s", "duration_s", "label"]
    assert list(ev["label"]) == ["on", "off"] and ev["duration_s"].tolist() == [0.5, 0.0]
    assert make_events(None).empty
    with pytest.raises(ValueError, match="time_s"):
        make_events(pd.DataFrame({"t": [1.0]}))


def test_pickle_round_trip_keeps_everything_and_stays_read_only():
    import pickle

    rec = rec2(meta={"gain": 1000}, events=[(0.5, "go")], t0=2.0, source="x.csv")
    back = pickle.loads(pickle.dumps(rec))
    assert np.array_equal(back.data, rec.data) and not back.data.flags.writeable
    assert back.ch_names == rec.ch_names and back.fs == rec.fs and back.t0 == 2.0
    assert dict(back.meta) == {"gain": 1000} and list(back.events["label"]) == ["go"]


def test_derived_recordings_do_not_share_a_mutable_events_table():
    rec = rec2(events=[(0.5, "go")])
    child = rec.with_data(rec.data * 2)
    events = child.events                 # one name: the edit must really happen (no chained assignment)
    events.loc[0, "label"] = "changed"
    assert events.loc[0, "label"] == "changed"                          # the copy read was edited ...
    assert child.events.loc[0, "label"] == rec.events.loc[0, "label"] == "go"  # ... neither recording


# ---- time to sample index; with_data -------------------------------------------------------------
def test_index_of_matches_the_crop_rule_and_names_bad_times(emg_rec):
    rec = emg_rec(fs=1000.0, t0=2.0)
    assert rec.index_of(2.0) == 0 and rec.index_of(2.0005) == 1 and rec.index_of(2.001) == 1
    assert rec.index_of(1.0) == -1000
    assert time_index(0.3, 10.0) == 3  # 0.3 * 10 = 3.0000000000000004 is still sample 3
    with pytest.raises(ValueError, match="number of seconds"):
        rec.index_of("soon")
    with pytest.raises(ValueError, match="finite"):
        rec.index_of(float("nan"))
    assert rec.crop(3.0, 4.0).n_samples == 1000


def test_with_data_keeps_the_parent_fields_and_still_checks_the_samples():
    rec = Recording(np.zeros((2, 10)), fs=100.0, ch_names=["a", "b"], events=[(0.05, "go")], meta={"k": 1})
    child = rec.with_data(np.ones((2, 10)))
    assert child.meta is rec.meta and child.ch_names is rec.ch_names  # immutable: shared
    assert child.events is not rec.events and child.events.equals(rec.events)  # a DataFrame: copied
    assert not child.data.flags.writeable
    bad = np.ones((2, 10))
    bad[1, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        rec.with_data(bad)
    with pytest.raises(ValueError, match="channel rows"):
        rec.with_data(np.ones((3, 10)))
    with pytest.raises(ValueError, match="unique"):
        rec.with_data(np.ones((2, 10)), ch_names=("a", "a"))
    with pytest.raises(ValueError, match="kind"):
        rec.with_data(np.ones((2, 10)), ch_kinds=("emg", "brain"))
    cropped = rec.crop(0.0, 0.04)
    assert len(cropped.events) == 0 and len(rec.events) == 1
