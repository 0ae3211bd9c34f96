"""A researcher's walk in a real browser: two sessions compared, exported, shared as a link and
reopened in a new browser; time-axis labels sit on their ticks at every zoom."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from emgviz.export import read_provenance
from emgviz.samples import SAMPLE_DIR

from .conftest import CHART, wait_rendered

UCI = SAMPLE_DIR / "uci_gestures_1_raw_data_11-08_21.03.16.txt"
KTK = SAMPLE_DIR / "ktk_emg_biceps_brachii.csv"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _comparison_csv(page: Page) -> str:
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="Comparison table").first
    expect(button).to_be_visible(timeout=180_000)
    with page.expect_download() as dl:
        button.locator("button").click()
    return Path(dl.value.path()).read_text(encoding="utf-8")


def _compare_table(page: Page):
    return page.locator('[data-testid="stDataFrame"]').filter(has_text="Hedges").first


def test_two_sessions_compared_exported_shared_and_reopened(page: Page, browser, streamlit_url, shots):
    page.goto(streamlit_url + "/?view=Compare")
    box = page.get_by_role("combobox", name="Add bundled samples")
    expect(box).to_be_visible(timeout=180_000)
    box.click()
    page.get_by_role("option", name=re.compile("Biceps brachii")).click()
    page.keyboard.press("Escape")
    # different channel names (channel1.. vs BicepsBrachiiR): nothing matches until mapped
    expect(page.get_by_text(re.compile("No muscle is in every session")).first).to_be_visible(timeout=180_000)
    page.get_by_role("button", name="Match by order").click()
    expect(_compare_table(page)).to_be_visible(timeout=180_000)
    # labels default to the file names; rename the second session: the mapping stays
    label = page.get_by_role("textbox", name=re.compile(r"^Label of ktk.{0,2}emg"))
    expect(label).to_have_value("ktk_emg_biceps_brachii")
    label.fill("post")
    label.press("Enter")
    expect(_compare_table(page)).to_contain_text("post", timeout=180_000)
    wait_rendered(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    page.screenshot(path=str(shots / "researcher_compare.png"))

    text = _comparison_csv(page)
    prov = read_provenance(text)
    assert prov["input 1"]["file"] == UCI.name and prov["input 1"]["sha256"] == _sha(UCI)
    assert prov["input 2"]["file"] == KTK.name and prov["input 2"]["sha256"] == _sha(KTK)
    assert prov["input 2"]["label"] == "post" and prov["units"].startswith("µV")
    assert "settings json" in prov and prov["versions"]["emgviz"]
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert set(table["session"]) == {"uci_gestures_1_raw_data", "post"}
    assert set(table["muscle"]) == {"channel1"} and "RMS (µV)" in set(table["feature"])

    link = page.url
    assert "compare.map=" in link and "compare.samples=ktk-biceps" in link
    other = browser.new_context(viewport={"width": 1440, "height": 1000})  # a new browser: no shared state
    try:
        again = other.new_page()
        again.goto(link)
        expect(_compare_table(again)).to_contain_text("post", timeout=240_000)
        expect(again.get_by_role("textbox", name=re.compile(r"^Label of ktk.{0,2}emg"))).to_have_value("post")
        wait_rendered(again)
        again.screenshot(path=str(shots / "researcher_reopened.png"))
        reopened = pd.read_csv(io.StringIO(_comparison_csv(again)), comment="#")
        pd.testing.assert_frame_equal(reopened, table)
    finally:
        other.close()


TICKS_JS = """(i) => {
  const chart = document.querySelectorAll('[data-testid=stPlotlyChart], div.emgviz-plotly')[i];
  const gd = [chart, ...chart.querySelectorAll('*')].find(el => el._fullLayout);
  const ax = gd._fullLayout.xaxis;
  return {range: ax.range, ticks: (ax._vals || []).map(v => [v.x, v.text])};
}"""


def _assert_labels_on_ticks(ticks):
    assert len(ticks) >= 3, ticks
    for value, text in ticks:
        label = float(text.replace("−", "-").replace("\u2212", "-"))
        decimals = len(text.split(".")[1]) if "." in text else 0
        assert label == pytest.approx(value, abs=0.51 * 10 ** -decimals + 1e-9), (value, text)


@pytest.mark.parametrize("query", ["/?sample=emgdb-healthy", "/?sample=uci-gestures"])
def test_time_tick_labels_equal_their_values_at_every_zoom(page: Page, streamlit_url, query):
    page.goto(streamlit_url + query)
    chart = page.locator(CHART).first  # the Overview traces
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=180_000)
    wait_rendered(page)
    start = page.evaluate(TICKS_JS, 0)
    _assert_labels_on_ticks(start["ticks"])
    box = chart.locator(".nsewdrag").first.bounding_box()
    for frac in (0.3, 0.1, 0.05):  # three zooms (drags well above Plotly's 8 px minimum): down to tens of ms
        y = box["y"] + box["height"] / 2
        x0 = box["x"] + box["width"] * 0.4
        page.mouse.move(x0, y)
        page.mouse.down()
        page.mouse.move(x0 + box["width"] * frac, y + 2, steps=5)
        page.mouse.up()
        page.wait_for_timeout(400)
        now = page.evaluate(TICKS_JS, 0)
        assert now["range"][1] - now["range"][0] < start["range"][1] - start["range"][0]
        _assert_labels_on_ticks(now["ticks"])
        start = now
