"""The clinical sweep's layout on a 1024×768 projector: the chart starts above 450 px in every display,
no control label wraps or is cut, and the less used inputs are all in the "More" popover."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import wait_rendered
from .test_browser import no_exception

DOCS = Path(__file__).resolve().parents[2] / "docs"
LINK = "/?view=Browse&sample=emgdb-neuropathy&sweep.tb=10&sweep.sens=500&sweep.t=2"
#: Top of the chart at 1024×768: the browser's title and the "Clinical sweep" toggle take ~200 px, so this
#: leaves two control rows and keeps ≥ 318 px of the chart on screen.
CHART_TOP_MAX = 450

GEOMETRY_JS = """(root) => {
  const scope = root ? document.querySelector(root) : document.querySelector('[data-testid=stMain]');
  const shown = e => e.offsetParent !== null;
  const chart = [...document.querySelectorAll('[data-testid=stPlotlyChart]')].filter(shown)[0];
  const labels = [...scope.querySelectorAll('[data-testid=stWidgetLabel]')].filter(shown).map(l => {
    const p = l.querySelector('p') || l, r = p.getBoundingClientRect();
    return {text: l.innerText.trim(), height: r.height, line: parseFloat(getComputedStyle(p).lineHeight),
            sw: p.scrollWidth, cw: p.clientWidth};
  }).filter(l => l.text);
  const buttons = [...scope.querySelectorAll('button')].filter(b => shown(b) && b.innerText.trim()).map(b => {
    const p = b.querySelector('p') || b;
    return {text: b.innerText.trim(), sw: p.scrollWidth, cw: p.clientWidth, bsw: b.scrollWidth, bcw: b.clientWidth};
  });
  return {chart_top: chart ? chart.getBoundingClientRect().top : null, labels, buttons};
}"""


def _labels_fit(geometry: dict) -> None:
    for lab in geometry["labels"]:  # one line (not wrapped) and not cut
        assert lab["height"] <= 1.5 * lab["line"], f"label {lab['text']!r} wraps: {lab}"
        assert lab["sw"] <= lab["cw"], f"label {lab['text']!r} is cut: {lab}"
    for b in geometry["buttons"]:
        assert b["sw"] <= b["cw"] and b["bsw"] <= b["bcw"], f"button {b['text']!r} is cut: {b}"


def _open_more(page: Page):
    page.locator('[data-testid="stMain"]').get_by_role("button", name="More").click()
    pop = page.locator('[data-testid="stPopoverBody"]')
    expect(pop).to_be_visible(timeout=60_000)
    return pop


def _close_more(page: Page) -> None:
    page.keyboard.press("Escape")
    expect(page.locator('[data-testid="stPopoverBody"]')).to_be_hidden(timeout=60_000)


MORE_INPUTS = {"Sweep": ["Cursor 1 (ms)", "Cursor 2 (ms)"],
               "Raster": ["Sweeps in the raster", "Cursor 1 (ms)", "Cursor 2 (ms)"],
               "Triggered": ["Delay line (ms)", "Number of sweeps", "Start (s)", "Cursor 1 (ms from trigger)",
                             "Cursor 2 (ms from trigger)"]}
ROW_LABELS = {"Sweep": ["Time base", "Sensitivity", "Start (s)"], "Raster": ["Time base", "Sensitivity", "Start (s)"],
              "Triggered": ["Time base", "Sensitivity", "Trigger (µV)", "Sweeps"]}


@pytest.mark.parametrize("mode", ["Sweep", "Raster", "Triggered"])
def test_the_chart_starts_above_450_px_at_1024_by_768_with_every_control(page: Page, streamlit_url, shots, mode):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.set_default_timeout(300_000)
    extra = f"&sweep.mode={mode}" + ("&sweep.level=-1000" if mode == "Triggered" else "")
    page.goto(streamlit_url + LINK + extra, timeout=180_000)
    expect(page.locator(".gtitle").first).to_contain_text("10 ms/div", timeout=300_000)
    wait_rendered(page, timeout=300_000)
    no_exception(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    geo = page.evaluate(GEOMETRY_JS, None)
    assert geo["chart_top"] < CHART_TOP_MAX, f"{mode}: the chart starts at {geo['chart_top']:.0f} px"
    _labels_fit(geo)
    shown = [lab["text"] for lab in geo["labels"]]
    assert all(name in shown for name in ROW_LABELS[mode]), (ROW_LABELS[mode], shown)
    assert "More" in " ".join(b["text"] for b in geo["buttons"])
    # the readout (Δt, ΔV) comes right under the chart
    readout = page.locator('[data-testid="stMain"]').get_by_text("Δt", exact=False).first
    assert readout.bounding_box()["y"] > geo["chart_top"]
    page.screenshot(path=str(shots / f"sweep_layout_{mode.lower()}_1024.png"))
    # the less used inputs are all in the popover, with labels on one line
    pop = _open_more(page)
    for name in MORE_INPUTS[mode]:
        expect(pop.get_by_text(name, exact=True)).to_be_visible()
    if mode == "Triggered":  # the start and ◀/▶ one screen
        expect(pop.get_by_role("button", name="◀ Sweep")).to_be_visible()
        expect(pop.get_by_role("button", name="Sweep ▶")).to_be_visible()
    _labels_fit(page.evaluate(GEOMETRY_JS, '[data-testid="stPopoverBody"]'))
    page.screenshot(path=str(shots / f"sweep_layout_{mode.lower()}_1024_more.png"))
    _close_more(page)
    # at 1440×1000 the same: one row of controls and the chart high on the page
    page.set_viewport_size({"width": 1440, "height": 1000})
    wait_rendered(page, timeout=300_000)
    geo = page.evaluate(GEOMETRY_JS, None)
    assert geo["chart_top"] < CHART_TOP_MAX
    _labels_fit(geo)
    page.screenshot(path=str(shots / f"sweep_layout_{mode.lower()}_1440.png"))


def test_docs_screenshot_of_the_sweep_with_cursors(page: Page, streamlit_url):
    """Regenerates docs/sweep_cursors.png (README): 10 ms/div, cursors at 30 and 75 ms, the readout under the chart."""
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.set_default_timeout(300_000)
    page.goto(streamlit_url + "/?view=Browse&sample=emgdb-myopathy&sweep.tb=10&sweep.sens=1000&sweep.t=1.5"
              "&sweep.c1=30&sweep.c2=75", timeout=180_000)
    expect(page.locator(".gtitle").first).to_contain_text("Sweep from 1.500 s · 10 ms/div · 1 mV/div",
                                                          timeout=300_000)
    readout = page.locator('[data-testid="stMain"]').get_by_text("Δt 45.00 ms", exact=False).first
    expect(readout).to_be_visible(timeout=300_000)
    wait_rendered(page, timeout=300_000)
    no_exception(page)
    box = readout.bounding_box()
    assert box["y"] + box["height"] <= 1000, "the readout under the chart is on the first screen at 1440×1000"
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "sweep_cursors.png"))
