"""No file- or link-provided text becomes a link, an image or a request to another host (real browser).

The link carries markup in ``view=`` and ``sample=``; the uploaded CSV carries it in every channel
name (:data:`badfiles.MARKUP_PAYLOADS`). Overview, Browse and Summary are opened; then no ``<a>``
(HTML or SVG, Plotly included) points at the payloads' host, no ``<img>`` loads from it, and every
request the page made went to 127.0.0.1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote, urlparse

from playwright.sync_api import Page, expect

from .conftest import CHART_SVG, wait_rendered
from .test_browser import choose_radio, no_exception, upload

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from badfiles import markup_csv  # noqa: E402

LINKS_JS = """() => [...document.querySelectorAll('a, img, image')].map(e =>
  e.getAttribute('href') || e.getAttribute('xlink:href') || e.getAttribute('src') || '')"""


def _external(urls, base):
    host = urlparse(base).hostname
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname != host]


def test_markup_from_links_and_files_stays_text(page: Page, streamlit_url, tmp_path, shots):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    query = ("/?view=" + quote("[Log in](https://evil.example/login)")
             + "&sample=" + quote("![b](http://evil.example/x.png)") + "&rms_window_ms=1e6")
    page.goto(streamlit_url + query)
    expect(page.get_by_text("ignored view=", exact=False)).to_be_visible(timeout=180_000)
    expect(page.get_by_text("rms_window_ms must be from 1 to 5000 ms", exact=False)).to_be_visible()
    wait_rendered(page, 180_000)
    csv = tmp_path / "markup [x](https___evil.example).csv"
    csv.write_bytes(markup_csv())
    upload(page, csv)
    expect(page.locator(CHART_SVG).first).to_be_visible(timeout=180_000)
    wait_rendered(page, 180_000)
    page.screenshot(path=str(shots / "markup_overview.png"))
    seen = page.evaluate(LINKS_JS)
    for view in ("Browse", "Summary"):
        choose_radio(page, view)
        expect(page.locator(CHART_SVG).first).to_be_visible(timeout=180_000)
        wait_rendered(page, 180_000)
        no_exception(page)
        seen += page.evaluate(LINKS_JS)
    page.screenshot(path=str(shots / "markup_summary.png"))
    assert not [u for u in seen if "evil" in u and not u.startswith("#")], seen  # "#..." = heading anchors
    assert page.get_by_text("evil.example", exact=False).count() > 0  # the text is there, as text
    assert not _external(requests, streamlit_url), _external(requests, streamlit_url)
