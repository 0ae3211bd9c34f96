"""Hostile input: every file of the bad-file corpus gives the one ReadError with a message naming the problem."""

import functools
import re

import numpy as np
import pytest

import emgviz
from emgviz import ReadError

from badfiles import cases


@functools.lru_cache(maxsize=1)
def _corpus():
    return {name: (content, words) for name, content, words in cases(include_slow=True)}


@pytest.mark.parametrize("name", [n for n, _, _ in cases(include_slow=False)] + ["bomb.zip"])
def test_bad_file_gives_read_error_naming_file_and_problem(name):
    content, words = _corpus()[name]
    with pytest.raises(ReadError) as info:
        emgviz.read_files([(name, content)])
    message = str(info.value)
    assert name in message, message
    assert re.search(words, message, re.I), message


def test_recording_longer_than_the_limit_is_refused(monkeypatch, sample_dir):
    monkeypatch.setenv("EMGVIZ_MAX_SAMPLES", "100000")
    with pytest.raises(ReadError, match="limit"):
        emgviz.read_file(sample_dir / "uci_gestures_1_raw_data_11-08_21.03.16.txt")


def test_good_file_reads_the_same_after_bad_ones(sample_dir):
    path = sample_dir / "ktk_emg_biceps_brachii.csv"
    first = emgviz.read_file(path)
    for name, (content, _) in _corpus().items():
        with pytest.raises(ReadError):
            emgviz.read_files([(name, content)])
    again = emgviz.read_file(path)  # no state left behind by the failures (limits, sniffers, caches)
    assert again.ch_names == first.ch_names and again.fs == first.fs and again.ch_units == first.ch_units
    np.testing.assert_array_equal(again.data, first.data)
