"""The Live view in a real browser: the needle simulator shows triggered sweeps superimposed, updating live."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

SWEEPS_JS = """() => {
  const c = document.querySelector('canvas.emgviz-live[data-sweeps]');
  return c ? {sweeps: +c.dataset.sweeps, found: +c.dataset.found, width: c.getBoundingClientRect().width,
              height: c.getBoundingClientRect().height} : null;
}"""
DARK_JS = """() => { const c = document.querySelector('canvas.emgviz-live[data-sweeps]');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 100 && d[i + 1] < 100) n++; return n; }"""


def test_needle_simulator_shows_live_triggered_sweeps(page: Page, streamlit_url, shots):
    page.goto(streamlit_url + "/?view=Live")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Live EMG")).to_be_visible(timeout=60_000)
    main.locator('[data-testid="stRadio"] label').filter(has_text="Simulator").click()
    model = main.get_by_role("combobox", name="Model")
    expect(model).to_be_visible(timeout=30_000)
    model.click()
    page.get_by_role("option", name="needle: normal").click()
    main.get_by_role("button", name="Start").click()
    expect(main.get_by_text("Triggered sweeps", exact=True)).to_be_visible(timeout=120_000)
    # the overlay appears with sweeps, and new triggers keep arriving
    first = page.wait_for_function(f"() => {{ const s = ({SWEEPS_JS})(); return s && s.sweeps >= 2 ? s : null; }}",
                                   timeout=120_000).json_value()
    assert first["width"] > 800 and first["height"] >= 400
    assert page.evaluate(DARK_JS) > 1000                              # the sweeps and the title painted
    canvas = page.locator("canvas.emgviz-live[data-sweeps]").element_handle()
    page.wait_for_function(f"() => {{ const s = ({SWEEPS_JS})(); return s && s.found > {first['found']}; }}",
                           timeout=120_000)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert page.evaluate("c => c.isConnected", canvas)               # the same canvas, repainted
    scroll = "() => document.querySelector('canvas.emgviz-live[data-sweeps]').scrollIntoView()"
    page.evaluate(scroll)
    time.sleep(0.5)
    page.screenshot(path=str(shots / "live_sweeps_1440.png"))
    page.set_viewport_size({"width": 1024, "height": 768})
    time.sleep(1.5)
    # the title is drawn whole on the narrower canvas: painted at the new width, in a legible font that fits
    fit = page.wait_for_function("""() => { const c = document.querySelector('canvas.emgviz-live[data-sweeps]');
        const w = c.getBoundingClientRect().width, painted = c.width / (window.devicePixelRatio || 1);
        return c.dataset.titleWidth && w < 800 && Math.abs(painted - Math.max(300, Math.floor(w))) < 1
          ? {w, tw: +c.dataset.titleWidth, px: +c.dataset.titleFont} : null; }""", timeout=120_000).json_value()
    assert fit["tw"] <= fit["w"] - 8 and fit["px"] >= 12, fit
    # on the projector's 1024×768 the sweeps start above the fold: their controls are one row and the
    # sweeps come before the traces, the traces' settings and the counts
    top = page.evaluate("""() => { const c = document.querySelector('canvas.emgviz-live[data-sweeps]');
        for (let e = c.parentElement; e; e = e.parentElement) e.scrollTop = 0;   // back to the top of the page
        window.scrollTo(0, 0); return c.getBoundingClientRect().top; }""")
    time.sleep(0.5)
    traces_top = page.evaluate("() => document.querySelector('canvas.emgviz-live:not([data-sweeps])')"
                               ".getBoundingClientRect().top")
    page.screenshot(path=str(shots / "live_sweeps_1024_top.png"))
    assert top < 768 - 200, f"the sweeps start at {top:.0f} px, below the fold of a 1024×768 screen"
    assert traces_top > top                                           # sweeps first, then the traces
    page.evaluate(scroll)
    page.screenshot(path=str(shots / "live_sweeps_1024.png"))
    main.get_by_role("button", name="Stop", exact=True).click()
