"""Recording's NaN/infinity check (#21): samples picked or cropped out of a validated recording are not
summed again; every other way in (constructor, with_data, _trusted) still checks, with the same messages."""

import numpy as np
import pandas as pd
import pytest

from emgviz import recording as R
from emgviz.recording import Recording


@pytest.fixture
def rec():
    x = np.random.default_rng(4).normal(size=(3, 4000)) * 1e-4
    ev = pd.DataFrame({"time_s": [0.5, 2.5], "label": ["on", "off"]})
    return Recording(x, fs=1000.0, ch_names=["a", "b", "c"], events=ev, t0=1.0, ch_kinds=["emg", "emg", "force"])


def _no_sum(monkeypatch):
    calls = []
    monkeypatch.setattr(R, "_sum_is_finite", lambda arr: calls.append(arr.shape) or True)
    return calls


def test_pick_and_crop_do_not_check_their_samples_again(rec, monkeypatch):
    calls = _no_sum(monkeypatch)
    picked = rec.pick(["c", "a"])
    cropped = rec.crop(2.0, 3.5)
    both = rec.pick_kind("emg").crop(1.2, 4.0)
    assert calls == []
    np.testing.assert_array_equal(picked.data, rec.data[[2, 0]])
    assert picked.ch_names == ("c", "a") and picked.ch_kinds == ("force", "emg")
    np.testing.assert_array_equal(cropped.data, rec.data[:, 1000:2500])
    assert cropped.t0 == 2.0 and list(cropped.events["label"]) == ["off"]
    np.testing.assert_array_equal(both.data, rec.data[:2, 200:3000])
    assert not picked.data.flags.writeable and not cropped.data.flags.writeable


def test_every_other_way_in_still_checks(rec, monkeypatch):
    calls = _no_sum(monkeypatch)
    rec.with_data(rec.data * 2)
    Recording(rec.data, fs=1000.0, ch_names=["a", "b", "c"])
    Recording._trusted(np.ones((1, 10)), fs=10.0, ch_names=("x",))
    assert len(calls) == 3


@pytest.mark.parametrize("bad, message", [(np.nan, "NaN values"), (np.inf, "infinite values")])
def test_non_finite_samples_still_refused_with_their_message(rec, bad, message):
    x = np.array(rec.data)
    x[1, 17] = bad
    with pytest.raises(ValueError, match=message):
        rec.with_data(x)
    with pytest.raises(ValueError, match=message):
        Recording(x, fs=1000.0, ch_names=["a", "b", "c"])
    with pytest.raises(ValueError, match=message):
        Recording._trusted(x.copy(), fs=1000.0, ch_names=("a", "b", "c"))


def test_overflowing_sum_of_finite_samples_is_accepted():
    x = np.full((1, 4), 1e308)
    assert Recording(x, fs=10.0, ch_names=["big"]).data[0, 0] == 1e308
