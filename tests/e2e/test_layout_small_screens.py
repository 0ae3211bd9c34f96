"""Every view readable at projector size (1024×768) and on a laptop (1440×1000): no label cut short.

Screenshots land in shots/ (looked at by eye); the test fails when a button, widget label, tab or
badge shows less than its text (an ellipsis or clipped text: scrollWidth > clientWidth).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import wait_rendered

VIEWS = ["Overview", "Browse", "Summary", "Compare", "Teach", "Live"]
#: Text each view must show (its own controls drawn, not only the page header).
SHOWS = {"Teach": "Contraction level", "Live": "Live EMG"}
SIZES = [(1024, 768), (1440, 1000)]

CUT_JS = """() => [...document.querySelectorAll(
    '[data-testid=stMain] button p, [data-testid=stMain] [data-testid=stWidgetLabel] p, ' +
    '[data-testid=stSidebar] button p, [data-testid=stMain] [data-testid=stTab] p, ' +
    '[data-testid=stMain] [data-testid=stBadge] *')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.textContent.trim()).filter(t => t)"""


@pytest.mark.parametrize("width, height", SIZES)
@pytest.mark.parametrize("view", VIEWS)
def test_every_view_shows_whole_labels(browser, streamlit_url, shots, view, width, height):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{streamlit_url}/?view={view}")
    expect(page.locator('[data-testid="stMain"] h4, [data-testid="stMain"] h3').first).to_be_visible(
        timeout=300_000)
    wait_rendered(page, timeout=300_000)
    if view in SHOWS:
        expect(page.locator('[data-testid="stMain"]').get_by_text(SHOWS[view]).first).to_be_visible()
    if view == "Teach":  # the steps are drawn on Teach's canvas (no Plotly chart), wide enough to read
        canvas = page.locator("canvas.emgviz-spec")
        expect(canvas).to_be_visible()
        assert canvas.bounding_box()["width"] >= 0.6 * width - 300
    page.screenshot(path=str(shots / f"view_{view.lower()}_{width}x{height}.png"))
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert page.evaluate(CUT_JS) == []
    page.context.close()
