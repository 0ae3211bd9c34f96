"""Teach in a real browser: a lecture link reopens the same lesson, presenter mode at projector size."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import CHROMIUM, CHROME_ARGS, wait_rendered

PROJECTOR = {"width": 1024, "height": 768}


def open_teach(page: Page, url: str, query: str = "") -> None:
    page.goto(url + "/?view=Teach" + query)
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible(timeout=300_000)
    wait_rendered(page, timeout=300_000)


def chart_titles(page: Page) -> list[str]:
    return page.locator('[data-testid="stPlotlyChart"] .annotation-text').all_inner_texts()


def test_a_lecture_link_reopens_the_same_lesson_in_a_new_browser(page: Page, streamlit_url, playwright):
    open_teach(page, streamlit_url)
    level = page.locator('[data-testid="stSlider"]').filter(has_text="Contraction level").get_by_role("slider")
    level.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")                               # 0.50 -> 0.65
    expect(level).to_have_attribute("aria-valuetext", "0.65", timeout=180_000)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Mains hum").click()
    page.get_by_role("option", name="60 Hz").click()
    expect(page.locator('[data-testid="stPlotlyChart"]').get_by_text("4. Notch 60 Hz")).to_be_visible(timeout=180_000)
    wait_rendered(page, timeout=300_000)
    expect(page).to_have_url(re.compile(r"teach_level=0\.65"), timeout=30_000)
    link = page.url
    assert "teach_mains=60" in link and "view=Teach" in link

    other = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)  # a second browser
    try:
        fresh = other.new_context(viewport=PROJECTOR).new_page()
        fresh.goto(link)
        expect(fresh.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible(timeout=300_000)
        wait_rendered(fresh, timeout=300_000)
        again = fresh.locator('[data-testid="stSlider"]').filter(has_text="Contraction level").get_by_role("slider")
        expect(again).to_have_attribute("aria-valuetext", "0.65")
        # the selectbox shows its value in an input, not as text: the 60 Hz notch step says it instead
        expect(fresh.locator('[data-testid="stPlotlyChart"]').get_by_text("4. Notch 60 Hz")).to_be_visible()
        assert chart_titles(fresh) == chart_titles(page)
        expect(fresh.locator('[data-testid="stException"]')).to_have_count(0)
    finally:
        other.close()


def test_presenter_mode_fills_a_projector_screen_and_answers_the_arrow_keys(browser, streamlit_url, shots):
    page = browser.new_context(viewport=PROJECTOR).new_page()
    open_teach(page, streamlit_url, "&teach_presenter=1")
    expect(page.get_by_text("Step 1 of 6: Raw")).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_text("Step 2 of 6: DC removed")).to_be_visible(timeout=180_000)
    page.keyboard.press("ArrowRight")
    expect(page.get_by_text("Step 3 of 6: Band-pass 20–450 Hz")).to_be_visible(timeout=180_000)
    page.keyboard.press("ArrowRight")
    expect(page.get_by_text("Step 4 of 6: Notch 50 Hz")).to_be_visible(timeout=180_000)
    wait_rendered(page, timeout=300_000)
    page.screenshot(path=str(shots / "teach_presenter_1024x768.png"))
    chart = page.locator('[data-testid="stPlotlyChart"]').first.bounding_box()
    assert chart["width"] >= 950 and chart["height"] >= 450          # the figure fills the screen
    caption = page.locator(".teach-step-caption")
    box = caption.bounding_box()
    assert box["y"] + box["height"] <= PROJECTOR["height"]              # no scrolling to read it
    sizes = page.evaluate("""() => [...document.querySelectorAll(
        '.teach-step-caption, .teach-step-title, [data-testid=stPlotlyChart] text')]
        .filter(e => e.textContent.trim()).map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert sizes and min(sizes) >= 20, sorted(sizes)[:5]
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_text("Step 3 of 6: Band-pass 20–450 Hz")).to_be_visible(timeout=180_000)
    expect(page).to_have_url(re.compile(r"teach_step=3"), timeout=30_000)
    page.context.close()
