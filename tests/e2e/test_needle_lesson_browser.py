"""The Needle EMG lesson in a real browser at projector size (1024×768), with its sound."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import wait_rendered


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    yield page
    context.close()


def _radio(page: Page, label: str, where=None) -> None:
    scope = where if where is not None else page
    scope.locator('[data-testid="stRadio"] label').filter(has_text=re.compile(rf"^{re.escape(label)}$")).first.click()


@pytest.mark.parametrize("preset, stage", [("Neurogenic", "2 · Rest"), ("Myopathic", "3 · Minimal contraction"),
                                           ("Normal", "4 · Stronger contraction")])
def test_needle_lesson_at_projector_size(projector: Page, streamlit_url, shots, preset, stage):
    page = projector
    page.set_default_timeout(180_000)       # the simulation takes seconds on a loaded 2-core machine
    page.goto(streamlit_url + "/?view=Teach")
    side = page.locator('[data-testid="stSidebar"]')
    expect(side.get_by_text("Needle EMG")).to_be_visible(timeout=180_000)
    _radio(page, "Needle EMG", side)
    expect(page.get_by_text("Needle EMG: a lesson in four steps")).to_be_visible(timeout=180_000)
    _radio(page, preset)
    _radio(page, stage)
    expect(page.get_by_text(stage.split(" · ")[1], exact=False).first).to_be_visible(timeout=180_000)
    expect(page.locator('[data-testid="stAudio"], audio').first).to_be_attached(timeout=180_000)
    wait_rendered(page, timeout=180_000)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    # the captions are at least 20 px
    # (React re-serialises the style attribute, so find the caption by its text)
    size = page.get_by_text("Listen (").first.evaluate("e => getComputedStyle(e).fontSize")
    assert float(size.rstrip("px")) >= 20
    audio = page.locator("audio").first
    assert audio.get_attribute("src")
    page.screenshot(path=str(shots / f"needle_lesson_{preset.lower()}_{stage[0]}_1024.png"))
