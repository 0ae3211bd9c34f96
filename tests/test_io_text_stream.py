"""Large text tables are parsed block by block into one array: same Recording, no second copy."""

import numpy as np
import pytest

import emgviz.io.text_parse as text_parse
from emgviz.errors import ReadError
from emgviz.io import read_bytes


def _csv(n_rows=50_000, *, text_at=None, blank_tail=0, seed=1) -> bytes:
    rng = np.random.default_rng(seed)
    t = np.arange(n_rows) / 2000.0
    x = np.round(rng.normal(0, 1e-4, (3, n_rows)), 9)
    lines = ["# Sampling Rate (Hz):= 2000", "time_s,EMG1,EMG2,EMG3"]
    lines += [f"{a:.4f},{b:.9f},{c:.9f},{d:.9f}" for a, b, c, d in zip(t, *x)]
    if text_at is not None:
        lines[2 + text_at] = lines[2 + text_at].rsplit(",", 1)[0] + ",oops"
    return ("\n".join(lines) + "\n" * (1 + blank_tail)).encode()


def _read(content, stream: bool, monkeypatch, name="big.csv"):
    monkeypatch.setattr(text_parse, "STREAM_FROM_BYTES", 0 if stream else 10 ** 15)
    calls = []
    real = text_parse._stream_numeric
    monkeypatch.setattr(text_parse, "_stream_numeric", lambda *a, **k: calls.append(1) or real(*a, **k))
    return read_bytes(content, name), calls


@pytest.mark.parametrize("blank_tail", [0, 3])
def test_streamed_parse_gives_the_same_recording(monkeypatch, blank_tail):
    content = _csv(blank_tail=blank_tail)
    whole, _ = _read(content, False, monkeypatch)
    streamed, calls = _read(content, True, monkeypatch)
    assert calls, "the block-by-block parse was not tried"
    assert np.array_equal(streamed.data, whole.data)
    assert (streamed.ch_names, streamed.fs, streamed.t0, streamed.unit) == \
        (whole.ch_names, whole.fs, whole.t0, whole.unit)
    assert streamed.meta == whole.meta
    assert streamed.data.shape == (3, 50_000) and streamed.data.flags.c_contiguous


def test_a_text_cell_falls_back_to_the_whole_table_and_its_message(monkeypatch):
    content = _csv(text_at=40_000)
    with pytest.raises(ReadError) as whole:
        _read(content, False, monkeypatch)
    with pytest.raises(ReadError) as streamed:
        _read(content, True, monkeypatch)
    assert str(streamed.value) == str(whole.value)
    assert "oops" in str(streamed.value) and "line 40003" in str(streamed.value)


def test_rows_of_one_array_are_used_without_a_copy():
    block = np.arange(12.0).reshape(3, 4)
    rows = list(block)
    data = text_parse.columns_to_array("x.csv", rows[1:], ["a", "b"], None)
    assert np.shares_memory(data, block) and np.array_equal(data, block[1:])
    # not consecutive rows, or cut short (a ragged tail): copied as before
    other = text_parse.columns_to_array("x.csv", [block[2], block[0]], ["a", "b"], None)
    assert not np.shares_memory(other, block) and np.array_equal(other, block[[2, 0]])
    short = text_parse.columns_to_array("x.csv", [r[:3] for r in list(block)], ["a", "b", "c"], None)
    assert not np.shares_memory(short, block) and np.array_equal(short, block[:, :3])
