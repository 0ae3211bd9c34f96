"""The Teach canvas' tick rule, run in node: round ticks, and it always ends (even on a range of one ulp)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SOURCE = (Path(__file__).resolve().parents[1] / "emgviz" / "views" / "spec_canvas.py").read_text()
NICE_TICKS_JS = re.search(r"function niceTicks\(lo, hi, n\) \{.*?\n\}\n", SOURCE, re.S).group(0)


def _ticks(lo: float, hi: float, n: int) -> list[float]:
    script = NICE_TICKS_JS + "const [lo, hi, n] = JSON.parse(process.argv[1]); console.log(JSON.stringify(niceTicks(lo, hi, n).vals));"
    out = subprocess.run([shutil.which("node"), "-e", script, json.dumps([lo, hi, n])], capture_output=True,
                         text=True, timeout=20, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (apt-get install -y nodejs)")
def test_ticks_are_round_and_end_even_on_a_range_of_one_ulp():
    assert _ticks(0.0, 10.0, 8) == [0, 2, 4, 6, 8, 10]
    assert _ticks(-131.0, -92.0, 3) == [-120, -100]
    tiny = _ticks(10.0, float.fromhex("0x1.4000000000001p+3"), 5)   # 10 and the next float: it used to spin forever
    assert 1 <= len(tiny) <= 50
