"""io.summary.flat_channels stops at the first changing chunk (#21) and names exactly the channels whose
peak-to-peak range is 0, as the whole-row max − min did."""

import numpy as np
import pytest

from emgviz.io import summary
from emgviz.io.summary import flat_channels
from emgviz.recording import Recording


def _old(rec):
    ptp = rec.data.max(axis=1) - rec.data.min(axis=1)
    return [n for n, r in zip(rec.ch_names, ptp) if r == 0]


@pytest.mark.parametrize("n", [1, 2, 5, summary._FLAT_CHUNK - 1, summary._FLAT_CHUNK, summary._FLAT_CHUNK + 1,
                               3 * summary._FLAT_CHUNK + 17])
def test_flat_channels_equal_the_peak_to_peak_definition(n):
    rng = np.random.default_rng(n)
    rows = {"noise": rng.normal(size=n), "zeros": np.zeros(n), "const": np.full(n, -3.25e-4),
            "signed_zeros": np.where(np.arange(n) % 2, 0.0, -0.0), "last_differs": np.full(n, 7.0),
            "first_differs": np.full(n, 7.0), "late_chunk": np.full(n, 1.0), "tiny_step": np.full(n, 1e-300)}
    rows["last_differs"][-1] = 7.0 + 2 ** -49
    rows["first_differs"][0] = 6.0
    rows["late_chunk"][(2 * n) // 3] = 1.0 + 1e-15
    rows["tiny_step"][n // 2] = 2e-300
    rec = Recording(np.array(list(rows.values())), fs=1000.0, ch_names=list(rows))
    got = flat_channels(rec)
    assert got == _old(rec)
    if n > 1:
        assert got == ["zeros", "const", "signed_zeros"]
    else:   # a single sample never changes
        assert got == list(rows)


def test_flat_reads_a_live_row_only_to_its_first_changing_chunk():
    class Counting(np.ndarray):
        sliced = 0

        def __getitem__(self, key):
            if isinstance(key, slice):
                Counting.sliced += 1
            return super().__getitem__(key)

    row = np.random.default_rng(0).normal(size=10 * summary._FLAT_CHUNK).view(Counting)
    assert summary._flat(row) is False and Counting.sliced == 1
    Counting.sliced = 0
    late = np.r_[np.ones(5 * summary._FLAT_CHUNK), 2.0].view(Counting)
    assert summary._flat(late) is False and Counting.sliced == 6
    assert summary._flat(np.ones(3 * summary._FLAT_CHUNK)) is True
