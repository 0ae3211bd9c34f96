"""Fuzzing the CSV/TXT sniffing and parsing: the only exception allowed is ReadError."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import emgviz
from emgviz import ReadError

_num = st.one_of(st.integers(-10**6, 10**6).map(str),
                 st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr),
                 st.sampled_from(["", "nan", "inf", "-", "1e", ".", "1,5", "x", "ä", "\"1\""]))
_delim = st.sampled_from([",", ";", "\t", " ", "  ", "|"])
_header = st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
                   min_size=1, max_size=6)
_meta = st.sampled_from(["", "# Sampling Rate (Hz):= 1000.00\n", "fs=abc\n", "Sampling rate: 0 Hz\n",
                         "Sampling rate: 2000 Hz\n", "# Labels:= EMG\n", "# {\"a\": 1}\n", "Units: mV\n",
                         "Devices\n2000\n", "# OpenSignals Text File Format\n"])


@st.composite
def tables(draw):
    delim = draw(_delim)
    n_cols = draw(st.integers(1, 5))
    rows = draw(st.lists(st.lists(_num, min_size=n_cols, max_size=n_cols), min_size=0, max_size=12))
    lines = [delim.join(r) for r in rows]
    if draw(st.booleans()):
        lines.insert(0, delim.join(draw(_header)))
    for _ in range(draw(st.integers(0, 2))):  # junk inserted anywhere
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=20)))
    text = draw(_meta) + "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))
    enc = draw(st.sampled_from(["utf-8", "latin-1", "utf-16"]))
    return text.encode(enc, errors="replace"), draw(st.sampled_from([None, 1000.0]))


def _check(content: bytes, fs=None):
    try:
        rec = emgviz.read_bytes(content, "x.csv", fs=fs)
    except ReadError:
        return
    assert rec.n_samples >= 1 and math.isfinite(rec.fs) and rec.fs > 0


_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def good_tables(draw):
    """A well-formed table: a header of plain channel names, finite numbers, fs given by the caller."""
    delim = draw(st.sampled_from([",", ";", "\t"]))
    n_cols = draw(st.integers(1, 5))
    n_rows = draw(st.integers(2, 30))
    prefix = draw(st.sampled_from(["emg", "EMG", "Biceps", "ch", "Muskel", "left_VL"]))
    names = [f"{prefix}{i + 1}" for i in range(n_cols)]
    values = draw(st.lists(st.lists(st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
                                    | st.integers(-10**6, 10**6).map(float),
                                    min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows))
    lines = [delim.join(names)] + [delim.join(repr(v) for v in row) for row in values]
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))
    return text.encode("utf-8"), names, np.array(values, dtype=float).T


@settings(max_examples=100, **_SETTINGS)
@given(st.binary(max_size=300))
def test_random_bytes_only_raise_read_error(content):
    _check(content)


@settings(max_examples=100, **_SETTINGS)
@given(tables())
def test_random_tables_only_raise_read_error(case):
    _check(*case)


@settings(max_examples=100, **_SETTINGS)
@given(good_tables())
def test_well_formed_tables_parse_to_their_shape_names_and_values(case):
    content, names, data = case
    rec = emgviz.read_bytes(content, "x.csv", fs=1000.0)
    assert rec.data.shape == data.shape
    assert list(rec.ch_names) == names and rec.fs == 1000.0
    np.testing.assert_array_equal(rec.data, data)


@pytest.mark.fuzz
@settings(max_examples=10_000, **_SETTINGS)
@given(st.one_of(tables(), st.binary(max_size=400).map(lambda b: (b, None))))
def test_fuzz_long_run(case):
    _check(*case)
