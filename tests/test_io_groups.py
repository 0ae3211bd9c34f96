"""Rate groups: one rule for EDF and Delsys (emgviz.io._groups)."""

import numpy as np
import pytest

import emgviz
from emgviz.errors import NeedsChoice
from emgviz.io import _groups, edf
from io_samples import DELSYS


# ---- one rate-group rule -------------------------------------------------------------------------
@pytest.mark.parametrize("group", [1000.0, 1000, "1000", "1000 Hz", " 1000hz ", "ACC X 1"])
def test_delsys_group_accepts_what_edf_accepts(group):
    rec = emgviz.read_bytes(DELSYS, "trial.csv", group=group)
    assert rec.ch_names == ("ACC X 1",) and rec.fs == 1000.0 and rec.meta["group"] == "1000 Hz"


def test_edf_and_delsys_share_one_group_rule():
    assert edf.group_key is _groups.group_key
    assert _groups.match_group(["148.148 Hz"], 148.148148) == "148.148 Hz"
    assert _groups.match_group(["1000 Hz"], [1]) is None
    with pytest.raises(NeedsChoice):
        emgviz.read_bytes(DELSYS, "trial.csv", group=5.0)
