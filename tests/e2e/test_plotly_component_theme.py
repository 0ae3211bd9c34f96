"""The mounted Plotly component and the light table follow Streamlit's dark theme (a server started with
``theme.base = dark``): the page's background behind the plot, light ink for the traces and labels that are
drawn dark on the light page; the light theme stays as it was (white, dark traces)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import start_server, stop_server, wait_rendered
from .test_browser import no_exception

COLOURS_JS = """() => [...document.querySelectorAll('div.emgviz-plotly')].map(gd => ({
  paper: gd._fullLayout.paper_bgcolor, plot: gd._fullLayout.plot_bgcolor,
  line: (gd._fullData.find(t => t.line && t.line.color) || {line: {}}).line.color,
  tick: gd._fullLayout.xaxis.tickfont.color,
  page: getComputedStyle(gd.parentElement).getPropertyValue('--st-background-color').trim(),
  table: getComputedStyle(document.querySelector('table.emgviz-table')).color}))"""


def _lum(colour: str) -> float:
    colour = {"white": "#ffffff", "black": "#000000"}.get(colour.strip(), colour.strip())
    if colour.startswith("#") and len(colour) == 4:
        colour = "#" + "".join(x * 2 for x in colour[1:])
    if colour.startswith("#"):
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (float(x) for x in colour[colour.index("(") + 1:].rstrip(")").split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.fixture(scope="module")
def dark_url(tmp_path_factory):
    proc, url, log = start_server(tmp_path_factory.mktemp("st_dark") / "server.log", {"STREAMLIT_THEME_BASE": "dark"})
    yield url
    stop_server(proc, log)


def _colours(page: Page, url: str) -> list[dict]:
    page.goto(url)
    expect(page.locator("div.emgviz-plotly .main-svg").first).to_be_visible(timeout=60_000)
    wait_rendered(page)
    no_exception(page)
    return page.evaluate(COLOURS_JS)


def test_dark_theme_charts_and_table(page: Page, dark_url, shots):
    charts = _colours(page, dark_url)
    assert len(charts) == 2
    for c in charts:
        assert _lum(c["page"]) < 0.2  # Streamlit's dark background
        assert _lum(c["paper"]) < 0.2 and _lum(c["plot"]) < 0.2, c
        assert _lum(c["tick"]) > 0.45, c
    assert _lum(charts[0]["line"]) > 0.6, charts[0]  # the traces, dark on white, are light on the dark page
    assert _lum(charts[0]["table"]) > 0.6  # the table's text follows the theme
    page.screenshot(path=str(shots / "overview_dark.png"))


def test_light_theme_is_unchanged(page: Page, streamlit_url):
    charts = _colours(page, streamlit_url)
    for c in charts:
        assert _lum(c["paper"]) > 0.95 and _lum(c["plot"]) > 0.95, c
    assert _lum(charts[0]["line"]) < 0.3  # the figure's own dark ink, untouched
    assert _lum(charts[0]["table"]) < 0.4
