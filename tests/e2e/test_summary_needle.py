"""The Summary of a needle recording in a real browser: the per-muscle MUP table and its statement."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import wait_rendered
from .test_browser import no_exception


def test_summary_shows_the_mup_table_of_a_needle_sample(page: Page, streamlit_url, shots):
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.set_default_timeout(300_000)
    page.goto(streamlit_url + "/?view=Summary&sample=emgdb-neuropathy", timeout=180_000)
    main = page.locator('[data-testid="stMain"]')
    heading = main.get_by_text("Motor-unit potentials per muscle (needle EMG)")
    expect(heading).to_be_visible(timeout=300_000)
    expect(main.get_by_text("neurogenic pattern: 16 MUPs", exact=False).first).to_be_visible(timeout=300_000)
    expect(main.get_by_text("large MUPs: mean amplitude", exact=False)).to_be_visible(timeout=300_000)
    expect(main.get_by_role("button", name="MUP table per muscle (CSV)")).to_be_visible(timeout=300_000)
    wait_rendered(page, timeout=300_000)
    no_exception(page)
    heading.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "summary_needle_mups_1440.png"))
    page.set_viewport_size({"width": 1024, "height": 768})
    wait_rendered(page, timeout=300_000)
    heading.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "summary_needle_mups_1024.png"))
