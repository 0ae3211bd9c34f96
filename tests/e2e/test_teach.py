"""Teach in a real browser: the mounted canvas (no Plotly), a lecture link, presenter mode at projector size."""

from __future__ import annotations

import re

import pytest

from playwright.sync_api import Page, expect

from .conftest import CHROMIUM, CHROME_ARGS, wait_rendered

PROJECTOR = {"width": 1024, "height": 768}
CANVAS = "canvas.emgviz-spec"


def open_teach(page: Page, url: str, query: str = "") -> None:
    page.goto(url + "/?view=Teach" + query)
    expect(page.locator(CANVAS).first).to_have_attribute("data-drawn", re.compile(r"\d+"), timeout=300_000)
    wait_rendered(page, timeout=300_000)


def chart_titles(page: Page) -> list[str]:
    return page.locator(CANVAS).first.get_attribute("data-titles").split("\n")


def drawn(page: Page) -> int:
    return int(page.locator(CANVAS).first.get_attribute("data-drawn"))


def level_slider(page: Page):
    return page.locator('[data-testid="stSlider"]').filter(has_text="Contraction level").get_by_role("slider")


def test_teach_loads_no_plotly_and_a_nudge_repaints_the_same_mounted_canvas(browser, streamlit_url):
    page = browser.new_context(viewport=PROJECTOR).new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    open_teach(page, streamlit_url)
    assert chart_titles(page)[0] == "1. Raw" and page.locator(CANVAS).get_attribute("data-rows") == "6"
    assert not [u for u in requests if "plotly" in u.lower()]          # Plotly's 4.7 MB chunk never fetched
    expect(page.locator(".js-plotly-plot")).to_have_count(0)
    page.evaluate(f"() => {{ window.__teachCanvas = document.querySelector('{CANVAS}'); }}")
    before = drawn(page)
    level = level_slider(page)
    level.focus()
    page.keyboard.press("ArrowRight")                                  # 0.50 -> 0.55: a new simulation
    expect(level).to_have_attribute("aria-valuetext", "0.55", timeout=180_000)
    page.wait_for_function(f"n => +document.querySelector('{CANVAS}').dataset.drawn > n", arg=before,
                           timeout=180_000)
    wait_rendered(page, timeout=300_000)
    assert page.evaluate(f"() => document.querySelector('{CANVAS}') === window.__teachCanvas")  # not remounted
    assert not [u for u in requests if "plotly" in u.lower()]
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    page.context.close()


def test_dragging_across_the_traces_zooms_every_step_in_time_and_a_double_click_resets(browser, streamlit_url):
    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    open_teach(page, streamlit_url)
    canvas = page.locator(CANVAS)
    canvas.scroll_into_view_if_needed()
    full = [float(v) for v in canvas.get_attribute("data-x-range").split(",")]
    assert full[0] == 0 and 9.9 < full[1] <= 10
    box = canvas.bounding_box()
    plot_w = box["width"] - 72 - 30                                    # the lesson figure's margins
    x0, x1 = box["x"] + 72 + 0.2 * 0.565 * plot_w, box["x"] + 72 + 0.4 * 0.565 * plot_w
    y = box["y"] + 120
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y + 200, steps=6)
    page.mouse.up()
    zoomed = [float(v) for v in canvas.get_attribute("data-x-range").split(",")]
    assert zoomed[0] == pytest.approx(0.2 * full[1], abs=0.15)
    assert zoomed[1] == pytest.approx(0.4 * full[1], abs=0.15)
    page.mouse.move(x1, y)                                              # over step 1's trace
    readout = page.locator(".emgviz-spec-readout")
    expect(readout).to_have_text(re.compile(r"^Raw: \d\.\d{3} s · −?\d[\d.]*(e−?\d+)? mV$"))
    page.mouse.dblclick(x0, y)
    expect(canvas).to_have_attribute("data-x-range", ",".join(f"{v:g}" for v in full))
    page.context.close()


def test_the_plotly_toggle_in_the_link_draws_with_plotly(browser, streamlit_url):
    page = browser.new_context(viewport=PROJECTOR).new_page()
    page.goto(streamlit_url + "/?view=Teach&teach_plotly=1")
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible(timeout=300_000)
    wait_rendered(page, timeout=300_000)
    expect(page.locator(CANVAS)).to_have_count(0)
    titles = page.locator('[data-testid="stPlotlyChart"] .annotation-text').all_text_contents()
    assert "1. Raw" in titles and "4. Notch 50 Hz" in titles, titles
    page.context.close()


def test_a_lecture_link_reopens_the_same_lesson_in_a_new_browser(page: Page, streamlit_url, playwright):
    open_teach(page, streamlit_url)
    level = level_slider(page)
    level.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")                               # 0.50 -> 0.65
    expect(level).to_have_attribute("aria-valuetext", "0.65", timeout=180_000)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Mains hum").click()
    page.get_by_role("option", name="60 Hz").click()
    expect(page.locator(CANVAS)).to_have_attribute("data-titles", re.compile("4. Notch 60 Hz"), timeout=180_000)
    wait_rendered(page, timeout=300_000)
    expect(page).to_have_url(re.compile(r"teach_level=0\.65"), timeout=30_000)
    link = page.url
    assert "teach_mains=60" in link and "view=Teach" in link

    other = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)  # a second browser
    try:
        fresh = other.new_context(viewport=PROJECTOR).new_page()
        fresh.goto(link)
        expect(fresh.locator(CANVAS)).to_have_attribute("data-drawn", re.compile(r"\d+"), timeout=300_000)
        wait_rendered(fresh, timeout=300_000)
        again = level_slider(fresh)
        expect(again).to_have_attribute("aria-valuetext", "0.65")
        # the selectbox shows its value in an input, not as text: the 60 Hz notch step says it instead
        expect(fresh.locator(CANVAS)).to_have_attribute("data-titles", re.compile("4. Notch 60 Hz"))
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
    canvas = page.locator(CANVAS)
    expect(canvas).to_have_attribute("data-titles", "Raw\n4. Notch 50 Hz", timeout=180_000)
    wait_rendered(page, timeout=300_000)
    page.screenshot(path=str(shots / "teach_presenter_1024x768.png"))
    chart = canvas.bounding_box()
    assert chart["width"] >= 950 and chart["height"] >= 450          # the figure fills the screen
    caption = page.locator(".teach-step-caption")
    box = caption.bounding_box()
    assert box["y"] + box["height"] <= PROJECTOR["height"]              # no scrolling to read it
    sizes = page.evaluate("""() => [...document.querySelectorAll('.teach-step-caption, .teach-step-title')]
        .filter(e => e.textContent.trim()).map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert sizes and min(sizes) >= 20, sorted(sizes)[:5]
    assert int(canvas.get_attribute("data-min-font-px")) >= 20        # every text drawn on the canvas
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert page.locator(".js-plotly-plot").count() == 0
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_text("Step 3 of 6: Band-pass 20–450 Hz")).to_be_visible(timeout=180_000)
    expect(page).to_have_url(re.compile(r"teach_step=3"), timeout=30_000)
    page.context.close()


def test_sound_and_more_settings_appear_only_when_asked_for(browser, streamlit_url):
    """A cold open makes no sound players and no popover settings; each is one click away and works."""
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    open_teach(page, streamlit_url, "&teach_duration_s=6")
    assert page.locator("audio").count() == 0
    assert page.get_by_role("button", name="Artefacts", exact=True).count() == 0
    page.get_by_text("Prepare sound").click()
    page.locator("audio").nth(1).wait_for(state="attached", timeout=120_000)
    durations = page.evaluate("""Promise.all([...document.querySelectorAll('audio')].map(a => a.readyState >= 1
        ? a.duration : new Promise(r => a.addEventListener('loadedmetadata', () => r(a.duration)))))""")
    assert durations == [pytest.approx(6, abs=0.01)] * 2        # raw and filtered: the link's 6 s
    page.get_by_text("More settings: muscle, artefacts, filters").click()
    page.get_by_role("button", name="Muscle", exact=True).click()
    expect(page.get_by_text("Duration (s)")).to_be_visible(timeout=120_000)
    assert page.locator("audio").count() == 2                    # the sound stays prepared
    page.close()
