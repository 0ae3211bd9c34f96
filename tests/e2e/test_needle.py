"""The Needle view in a real browser: the three needle examples side by side (screenshot for the README)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import wait_rendered
from .test_browser import choose_radio, no_exception

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_needle_examples_side_by_side(page: Page, streamlit_url, shots):
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(streamlit_url + "/?view=Needle")
    # a surface recording (the default sample) gets a clear message, not a traceback
    expect(page.get_by_text("MUP analysis needs fs ≥ 4000 Hz")).to_be_visible(timeout=120_000)
    choose_radio(page, "Needle examples")
    expect(page.get_by_text("Needle EMG: motor-unit potentials (MUPs)")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("MUP 1:").first).to_be_visible(timeout=300_000)
    wait_rendered(page, timeout=300_000)
    no_exception(page)
    page.screenshot(path=str(shots / "needle_templates.png"))
    page.get_by_role("tab", name="MUP table vs reference").click()
    expect(page.get_by_text("myopathic pattern").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("neurogenic pattern").first).to_be_visible()
    page.screenshot(path=str(shots / "needle_table.png"), full_page=True)
    page.get_by_role("tab", name="Side by side").click()
    expect(page.get_by_text("locked for all rows")).to_be_visible(timeout=60_000)
    wait_rendered(page)
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "needle_side_by_side.png"))
    page.set_viewport_size({"width": 1024, "height": 768})
    wait_rendered(page)
    page.screenshot(path=str(shots / "needle_side_by_side_1024.png"))
    no_exception(page)
