"""The mounted Plotly component under a URL path prefix (``server.baseUrlPath``): the vendored bundle is
fetched under the prefix (resolved in the page against Streamlit's own script URL) and the charts draw."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import start_server, stop_server, wait_rendered
from .test_browser import no_exception


@pytest.fixture(scope="module")
def prefixed_url(tmp_path_factory):
    proc, url, log = start_server(tmp_path_factory.mktemp("st_prefix") / "server.log",
                                  {"STREAMLIT_SERVER_BASE_URL_PATH": "emg/app1"}, base_path="/emg/app1")
    yield url + "/emg/app1/"
    stop_server(proc, log)


def test_charts_draw_under_a_base_url_path(page: Page, prefixed_url):
    bundles = []
    page.on("request", lambda r: bundles.append(r.url) if "plotly-cartesian" in r.url else None)
    page.goto(prefixed_url)
    expect(page.locator("div.emgviz-plotly .main-svg").first).to_be_visible(timeout=60_000)
    wait_rendered(page)
    assert page.locator("div.emgviz-plotly").count() == 2  # the traces and the bars, both drawn (wait_rendered)
    assert bundles and all("/emg/app1/app/static/plotly-cartesian-" in u for u in bundles), bundles
    assert len(bundles) == 1  # the preload and both charts share one <script>
    expect(page.locator(".emgviz-plotly-error").first).to_have_text("")
    page.goto(prefixed_url + "?view=Browse")
    expect(page.locator("div.emgviz-plotly .main-svg").first).to_be_visible(timeout=60_000)
    wait_rendered(page)
    no_exception(page)
