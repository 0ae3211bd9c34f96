"""The live triggered sweeps' title fits the canvas at 1024 px wide: short wording, and the canvas shrinks its font."""

import json
import shutil
import subprocess

import numpy as np
import pytest

from emgviz.plotting.live import live_sweeps_payload, sweeps_title
from emgviz.views.live_canvas import FIT_FONT_JS

#: The Live canvas is about 720 px wide at 1024 px (sidebar open); bold 14 px Source Sans averages ≈ 7 px a
#: character on these titles, so ~100 characters fit at 14 px; the longest titles the controls allow must stay
#: close, so the canvas's font shrink (to ≥ 11 px, below) fits them.
MAX_CHARS = 110


def test_the_title_states_every_setting_in_few_characters():
    rows = np.zeros((10, 1000))
    rows[:, 300] = -2500.0                                  # 10 samples beyond ±4 div at 500 µV/div
    pay = live_sweeps_payload(rows, 10_000.0, pre_ms=20.0, ms_per_div=10.0, uv_per_div=500.0, level=-1000.0,
                              found=25)
    assert pay["title"] == ("Last 10 of 25 sweeps · trigger -1000 µV falling · delay 20 ms · 10 ms/div · "
                            "500 µV/div · 10 clipped")
    assert len(pay["title"]) <= 100


@pytest.mark.parametrize("found", [None, 9, 123_456])
def test_the_longest_titles_stay_under_the_bound(found):
    # the longest numbers the controls allow: 30 sweeps, 6-digit trigger counts and clip counts, 200 ms/div, 5 mV/div
    title = sweeps_title(30, found=found, level=-12_000.0, unit="µV", pre_ms=500.0, ms_per_div=200.0,
                         uv_per_div=5000.0, n_clip=999_999)
    assert len(title) <= MAX_CHARS, (len(title), title)
    assert "trigger -12000 µV falling" in title and "200 ms/div" in title and "5 mV/div" in title
    assert ("of 123456 sweeps" in title) == (found == 123_456)


def _fit_in_node(text: str, max_w: float) -> dict:
    """Run the canvas's fitFont with a context whose text is 0.5 × font size wide per character."""
    script = FIT_FONT_JS + """
const g = { font: '', measureText(t) { const px = +/bold (\\d+)px/.exec(this.font)[1]; return {width: t.length * px * 0.5}; } };
const [text, maxW] = JSON.parse(process.argv[1]);
const px = fitFont(g, text, maxW, 14, 11);
console.log(JSON.stringify({px, width: g.measureText(text).width, font: g.font}));
"""
    out = subprocess.run([shutil.which("node"), "-e", script, json.dumps([text, max_w])], capture_output=True,
                         text=True, timeout=60, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (apt-get install -y nodejs)")
def test_the_canvas_shrinks_the_font_until_the_title_fits():
    text = "x" * 100                                        # 700 px at 14 px, 650 at 13, 600 at 12, 550 at 11
    assert _fit_in_node(text, 800)["px"] == 14              # fits: the font stays 14 px
    r = _fit_in_node(text, 620)
    assert r["px"] == 12 and r["width"] == 600 and r["font"].startswith("bold 12px")
    assert _fit_in_node(text, 300)["px"] == 11              # never below 11 px (fillText's maxWidth squeezes)
