"""The clinical sweep of Browse in a real browser: needle sample, 10 ms/div, triggered sweeps, cursors."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import wait_rendered
from .test_browser import no_exception


def _main(page: Page):
    return page.locator('[data-testid="stMain"]')


def _pick(page: Page, label: str, option: str) -> None:
    _main(page).get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_clinical_sweep_triggered(page: Page, streamlit_url, shots):
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.set_default_timeout(300_000)
    page.goto(streamlit_url + "/?view=Browse&sample=emgdb-myopathy", timeout=180_000)
    main = _main(page)
    expect(main.get_by_text("Clinical sweep", exact=True)).to_be_visible(timeout=300_000)
    main.get_by_text("Clinical sweep", exact=True).click()
    expect(main.get_by_role("button", name="More")).to_be_visible(timeout=300_000)  # cursor times are in it
    _pick(page, "Time base", "20 ms/div")
    expect(page.locator(".gtitle").first).to_contain_text("20 ms/div", timeout=300_000)
    _pick(page, "Time base", "10 ms/div")
    expect(page.locator(".gtitle").first).to_contain_text("10 ms/div", timeout=300_000)
    wait_rendered(page, timeout=300_000)
    no_exception(page)
    # the cursor readout: one line under the chart (the per-channel table is folded away for one channel)
    expect(main.get_by_text(re.compile(r"C1 .* ms, .*Δt .* ms · ΔV")).first).to_be_visible()
    page.screenshot(path=str(shots / "sweep_free_run.png"))
    main.locator('[data-testid="stRadio"] label').filter(has_text=re.compile(r"^Triggered$")).click()
    expect(page.locator(".gtitle").first).to_contain_text("triggered sweeps", timeout=300_000)
    expect(page.locator(".gtitle").first).to_contain_text("10 ms/div")
    wait_rendered(page, timeout=300_000)
    no_exception(page)
    page.screenshot(path=str(shots / "sweep_triggered_1440.png"))
    page.set_viewport_size({"width": 1024, "height": 768})
    wait_rendered(page, timeout=300_000)
    page.screenshot(path=str(shots / "sweep_triggered_1024.png"))
    main.locator('[data-testid="stRadio"] label').filter(has_text=re.compile(r"^Raster$")).click()
    expect(page.locator(".gtitle").first).to_contain_text("consecutive sweeps", timeout=300_000)
    wait_rendered(page, timeout=300_000)
    no_exception(page)
    page.screenshot(path=str(shots / "sweep_raster_1024.png"))
