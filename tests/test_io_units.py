"""Units: scaling to volts and the recording's unit (emgviz.io.units)."""

import numpy as np
import pytest

import emgviz
from emgviz.io import units


# ---- volts ---------------------------------------------------------------------------------------
def test_scale_to_volts_and_record_unit():
    data = np.ones((4, 3))
    out = units.scale_to_volts(data, ["uV", "mV", "N", None])
    assert out == ["V", "V", "N", "a.u."]
    np.testing.assert_allclose(data[:, 0], [1e-6, 1e-3, 1, 1])
    assert units.record_unit(out, ["emg", "emg", "force", "other"]) == "V"
    assert units.record_unit(out, ["emg", "other", "force", "emg"]) == "a.u."
    assert units.record_unit(["N", "V"], ["force", "other"]) == "V"
