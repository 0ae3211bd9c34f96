"""The mounted Plotly component in a real browser: drawn in place (never remounted), the light bundle
instead of Streamlit's Plotly chunk, hover, drag-zoom, double-click reset, zoom kept over a rerun,
and Browse's overview strip still jumping to the clicked time."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import wait_rendered
from .test_browser import choose_radio, no_exception

CHART = "div.emgviz-plotly"

STATE_JS = """(i) => {
  const gd = document.querySelectorAll('div.emgviz-plotly')[i];
  if (!gd || !gd._fullLayout) return null;
  const tr = gd._fullData.find(t => t.y && t.y.length > 100) || gd._fullData[0];  // decoded (bdata → typed array)
  const y = tr.y || [];
  return {mark: gd.__e2eMark || null, drawn: +gd.dataset.drawn, range: gd._fullLayout.xaxis.range.slice(),
          y: Array.from(y).slice(0, 400), n: gd.data.length,
          shape: (gd.layout.shapes || [])[0] ? gd.layout.shapes[0].x0         // a Plotly shape, or
                 : +(gd.parentElement.querySelector('.emgviz-plotly-overlay > div') || {dataset: {}}).dataset.x0 || null};
}"""


def _open(page: Page, url: str, query: str = "") -> None:
    page.goto(url + query)
    expect(page.locator(CHART + " .main-svg").first).to_be_visible(timeout=60_000)
    wait_rendered(page)


def _state(page: Page, i: int = 0) -> dict:
    return page.evaluate(STATE_JS, i)


def _drag_zoom(page: Page, i: int, x0: float, x1: float) -> None:
    box = page.locator(CHART).nth(i).locator(".nsewdrag").first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * x0, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * x1, y + 2, steps=6)
    page.mouse.up()
    page.wait_for_timeout(400)


def test_overview_chart_is_redrawn_in_place_on_a_filter_change(page: Page, streamlit_url):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    _open(page, streamlit_url)
    page.evaluate("() => { document.querySelector('div.emgviz-plotly').__e2eMark = 'kept'; }")
    before = _state(page)
    high = page.get_by_label("High (Hz)")
    high.fill("150")
    high.press("Enter")
    expect(page.get_by_text(re.compile("band-pass 20–150 Hz")).first).to_be_visible(timeout=60_000)
    wait_rendered(page)
    page.wait_for_function("(d) => +document.querySelector('div.emgviz-plotly').dataset.drawn > d",
                           arg=before["drawn"], timeout=30_000)
    after = _state(page)
    assert after["mark"] == "kept"  # the same DOM node: Plotly.react on it, no remount
    assert after["drawn"] > before["drawn"]
    assert after["y"] != before["y"]  # the new band's samples
    no_exception(page)
    # the light bundle, once; never Streamlit's 4.7 MB Plotly chunk (Overview, then Browse)
    choose_radio(page, "Browse")
    expect(page.locator(CHART + " .main-svg").first).to_be_visible(timeout=60_000)
    wait_rendered(page)
    names = [u.rsplit("/", 1)[-1] for u in requests]
    assert not [n for n in names if n.startswith("PlotlyChart")], names
    assert names.count("plotly-cartesian-4.1.1.min.js") == 1, names


def test_hover_zoom_double_click_and_zoom_kept_over_a_rerun(page: Page, streamlit_url):
    _open(page, streamlit_url)
    full = _state(page)["range"]
    box = page.locator(CHART).first.locator(".nsewdrag").first.bounding_box()
    for k in range(8):  # onto channel1's trace (the top eighth): a hover label with its time
        page.mouse.move(box["x"] + box["width"] * (0.5 + 0.01 * k), box["y"] + box["height"] / 16)
    expect(page.locator(CHART).first.locator(".hoverlayer .hovertext").first).to_contain_text(" s", timeout=10_000)
    bar = page.locator(CHART).first.locator(".modebar")  # Plotly's mode bar on hover, as st.plotly_chart's
    expect(bar.locator('.modebar-btn[data-title="Fullscreen"]')).to_have_count(1)
    expect(bar.locator('.modebar-btn[data-title="Zoom in"]')).to_have_count(1)
    expect(bar.locator(".plotlyjsicon")).to_have_count(0)  # no Plotly logo
    _drag_zoom(page, 0, 0.3, 0.5)
    zoomed = _state(page)["range"]
    assert zoomed[1] - zoomed[0] < 0.5 * (full[1] - full[0])
    # a rerun that hands the same axes (the envelope overlay off: new traces, same time window) keeps the zoom
    drawn, n = _state(page)["drawn"], _state(page)["n"]
    page.get_by_text("Envelope overlay").click()
    page.wait_for_function("(d) => +document.querySelector('div.emgviz-plotly').dataset.drawn > d",
                           arg=drawn, timeout=60_000)
    wait_rendered(page)
    after = _state(page)
    assert after["range"] == zoomed
    assert after["n"] < n  # the envelopes are gone
    box = page.locator(CHART).first.locator(".nsewdrag").first.bounding_box()
    page.mouse.dblclick(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.wait_for_timeout(500)
    assert _state(page)["range"] == full
    no_exception(page)


def test_browse_overview_click_jumps_to_that_time(page: Page, streamlit_url):
    _open(page, streamlit_url, "/?view=Browse")
    assert _state(page, 0)["range"][0] < 1  # the first page
    strip = page.locator(CHART).nth(1)
    strip.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = strip.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    page.wait_for_function("() => document.querySelectorAll('div.emgviz-plotly')[0]._fullLayout.xaxis.range[0] > 20",
                           timeout=30_000)
    wait_rendered(page)
    main, overview = _state(page, 0), _state(page, 1)
    strip_range = overview["range"]
    clicked = strip_range[0] + 0.6 * (strip_range[1] - strip_range[0])
    page_s = main["range"][1] - main["range"][0]
    assert abs(main["range"][0] + page_s / 2 - clicked) < 1.0, (main["range"], clicked)  # centred on the click
    assert overview["shape"] == main["range"][0]  # the strip's page box follows
    no_exception(page)


def test_full_screen_button_fills_the_screen_and_comes_back(page: Page, streamlit_url):
    _open(page, streamlit_url)
    chart = page.locator(CHART).first
    height = page.evaluate("() => document.querySelector('div.emgviz-plotly')._fullLayout.height")
    chart.hover()
    chart.locator('.modebar-btn[data-title="Fullscreen"]').click()
    page.wait_for_function("""() => document.fullscreenElement
        && document.querySelector('div.emgviz-plotly')._fullLayout.height === window.innerHeight""", timeout=10_000)
    page.evaluate("() => document.exitFullscreen()")
    page.wait_for_function("(h) => !document.fullscreenElement "
                           "&& document.querySelector('div.emgviz-plotly')._fullLayout.height === h",
                           arg=height, timeout=10_000)
    no_exception(page)
