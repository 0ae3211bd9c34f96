"""Sweep cursors placed by clicking the chart in a real browser, the Δt/ΔV readout, the sweep in the URL."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import wait_rendered
from .test_browser import no_exception


def _cursor(page: Page, i: int, unit: str = "ms") -> float:
    """Cursor ``i``'s input, read in the "More" popover (opened, then closed so clicks reach the chart)."""
    box = page.get_by_label(f"Cursor {i} ({unit})")
    page.locator('[data-testid="stMain"]').get_by_role("button", name="More").click()
    expect(box).to_be_visible(timeout=60_000)
    value = float(box.input_value())
    page.keyboard.press("Escape")
    expect(box).to_be_hidden(timeout=60_000)
    return value


def _cursor_near(page: Page, i: int, ms: float, tol: float = 2.0, timeout_s: float = 120.0, unit: str = "ms") -> float:
    """Cursor ``i``'s input once it reads within ``tol`` ms of ``ms`` (the rerun may land a moment later)."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        value = _cursor(page, i, unit)
        if abs(value - ms) <= tol or time.monotonic() > deadline:
            assert abs(value - ms) <= tol, f"cursor {i} reads {value} ms, expected {ms} ± {tol}"
            return value
        page.wait_for_timeout(500)


def _click_at(page: Page, frac_x: float) -> None:
    """Click the first sweep subplot at a fraction of its width, half-way up (the baseline)."""
    drag = page.locator(".js-plotly-plot .nsewdrag").first
    box = drag.bounding_box()
    page.mouse.move(box["x"] + frac_x * box["width"], box["y"] + 0.5 * box["height"])
    page.wait_for_timeout(300)  # let Plotly's hover settle on the point under the mouse
    page.mouse.click(box["x"] + frac_x * box["width"], box["y"] + 0.5 * box["height"])


def _readout_dt_matches(main, c1: float, c2: float) -> None:
    """The readout states Δt and ΔV, and its Δt is c2 − c1 within one 0.25 ms sample."""
    readout = main.get_by_text(re.compile(r"Δt [0-9.]+ ms · ΔV -?[0-9.]+ µV"))
    expect(readout).to_be_visible()
    dt = float(re.search(r"Δt ([0-9.]+) ms", readout.inner_text()).group(1))
    assert abs(dt - (c2 - c1)) <= 0.25, (dt, c1, c2)


def test_click_places_cursors_and_the_link_reopens_the_sweep(page: Page, streamlit_url, shots):
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.set_default_timeout(300_000)
    # a link with sweep.* parameters opens Browse with the clinical sweep on, at 10 ms/div, 1 mV/div
    page.goto(streamlit_url + "/?view=Browse&sample=emgdb-myopathy&sweep.tb=10&sweep.sens=1000&sweep.t=1.5",
              timeout=180_000)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("button", name="More")).to_be_visible(timeout=300_000)
    title = page.locator(".gtitle").first
    expect(title).to_contain_text("Sweep from 1.500 s · 10 ms/div · 1 mV/div", timeout=300_000)
    wait_rendered(page, timeout=300_000)
    no_exception(page)

    _click_at(page, 0.3)  # first click: cursor 1 near 30 ms of the 100 ms sweep
    expect(main.get_by_text(re.compile(r"next: cursor 2"))).to_be_visible(timeout=120_000)
    _cursor_near(page, 1, 30.0)
    wait_rendered(page, timeout=300_000)
    _click_at(page, 0.75)  # second click: cursor 2 near 75 ms
    expect(main.get_by_text(re.compile(r"next: cursor 1"))).to_be_visible(timeout=120_000)
    c2 = _cursor_near(page, 2, 75.0)
    c1 = _cursor_near(page, 1, 30.0)
    # the readout states Δt (= c2 − c1, on the 0.25 ms sample grid) and ΔV
    _readout_dt_matches(main, c1, c2)
    # the cursor lines are drawn where the inputs say
    expect(page.locator(".annotation-text").filter(has_text="C2")).to_have_count(1)
    # the URL keeps the sweep: time base, sensitivity, start and both cursors
    expect(page).to_have_url(re.compile(r"sweep\.c2=7\d"), timeout=60_000)
    assert "sweep.tb=10" in page.url and "sweep.sens=1000" in page.url and "sweep.t=1.5" in page.url
    wait_rendered(page, timeout=300_000)
    no_exception(page)
    page.screenshot(path=str(shots / "sweep_click_cursors_1440.png"))

    _click_at(page, 0.5)  # third click moves cursor 1 again
    expect(main.get_by_text(re.compile(r"next: cursor 2"))).to_be_visible(timeout=120_000)
    _cursor_near(page, 1, 50.0)
    page.set_viewport_size({"width": 1024, "height": 768})
    wait_rendered(page, timeout=300_000)
    page.screenshot(path=str(shots / "sweep_click_cursors_1024.png"))


def test_click_places_cursors_on_triggered_sweeps(page: Page, streamlit_url, shots):
    """Triggered mode: the x axis is ms from the trigger (−20 ms delay to +80 ms); clicks set the cursors there."""
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.set_default_timeout(300_000)
    page.goto(streamlit_url + "/?view=Browse&sample=emgdb-neuropathy&sweep.tb=10&sweep.sens=500&sweep.t=2"
              "&sweep.mode=Triggered&sweep.level=-1000", timeout=180_000)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("button", name="More")).to_be_visible(timeout=300_000)
    expect(page.locator(".gtitle").first).to_contain_text("triggered sweeps · trigger -1000 µV (falling)",
                                                          timeout=300_000)
    wait_rendered(page, timeout=300_000)
    no_exception(page)
    _click_at(page, 0.3)  # 30 % of the −20…80 ms axis = +10 ms from the trigger
    expect(main.get_by_text(re.compile(r"next: cursor 2"))).to_be_visible(timeout=120_000)
    c1 = _cursor_near(page, 1, 10.0, unit="ms from trigger")
    wait_rendered(page, timeout=300_000)
    _click_at(page, 0.75)  # +55 ms
    expect(main.get_by_text(re.compile(r"next: cursor 1"))).to_be_visible(timeout=120_000)
    c2 = _cursor_near(page, 2, 55.0, unit="ms from trigger")
    _readout_dt_matches(main, c1, c2)
    expect(page.locator(".annotation-text").filter(has_text="C2")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"sweep\.c2=5\d"), timeout=60_000)
    wait_rendered(page, timeout=300_000)
    no_exception(page)
    page.screenshot(path=str(shots / "sweep_triggered_cursors_1440.png"))
