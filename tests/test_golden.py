"""The processing modules give the numbers recorded in tests/data/golden_pipeline.npz.

The golden file was written by tests/data/make_golden.py before the #12 refactor (tables of
processing choices, pure filters, typed steps, onsets split); the outputs must stay equal
(1e-9 relative, float rounding only) on every bundled sample.

One deliberate change since (#15): the needle record's signal quality measures SNR the way
needle EMG needs (rest is quiet by design), so ``emgdb-healthy/raw/quality/snr_db`` (9.55 → 23.4 dB)
and its ``reason`` text were rewritten; every other array is still the pre-refactor value.
"""

import numpy as np
import pytest

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("make_golden", Path(__file__).with_name("data") / "make_golden.py")
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)

GOLDEN = np.load(make_golden.OUT)
KEYS = sorted({k.split("/")[0] for k in GOLDEN.files})


@pytest.fixture(scope="module", params=KEYS)
def computed(request):
    return request.param, make_golden.compute(request.param)


def test_every_golden_array_is_reproduced(computed):
    key, now = computed
    expected = [k for k in GOLDEN.files if k.startswith(key + "/")]
    assert sorted(now) == sorted(expected)
    for name in expected:
        want, got = GOLDEN[name], now[name]
        assert got.shape == want.shape, name
        if want.dtype.kind in "US":
            assert got.tolist() == want.tolist(), name
        else:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12 * (np.nanmax(np.abs(want), initial=0) or 1),
                                       equal_nan=True, err_msg=name)
