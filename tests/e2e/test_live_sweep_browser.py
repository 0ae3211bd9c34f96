"""The Live view in a real browser: the needle simulator shows triggered sweeps superimposed, updating live."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

SWEEPS_JS = """() => {
  for (const g of document.querySelectorAll('.js-plotly-plot')) {
    const m = g.layout && g.layout.meta;
    if (m && m.sweeps !== undefined) {
      const t = (g.layout.title && g.layout.title.text) || '';
      const found = /of (\\d+) triggers/.exec(t);
      return {sweeps: m.sweeps, found: found ? +found[1] : null, title: t, shapes: g.layout.shapes.length,
              x: g.layout.xaxis.range};
    }
  }
  return null;
}"""


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
    expect(main.get_by_text("Triggered sweeps (needle)")).to_be_visible(timeout=120_000)
    # the overlay appears with sweeps, and new triggers keep arriving
    # (the chart element is rebuilt on every redraw: read it in the same call that finds it ready)
    first = page.wait_for_function(f"() => {{ const s = ({SWEEPS_JS})(); return s && s.sweeps >= 2 ? s : null; }}",
                                   timeout=120_000).json_value()
    assert first["shapes"] == 2 and first["x"] == [-20, 80]          # level and delay line; 10 ms/div
    assert "(falling)" in first["title"] and "ms/div" in first["title"]
    page.wait_for_function(f"() => {{ const s = ({SWEEPS_JS})(); return s && s.found > {first['found']}; }}",
                           timeout=120_000)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    scroll = "() => { const g = [...document.querySelectorAll('.js-plotly-plot')].pop(); if (g) g.scrollIntoView(); }"
    page.evaluate(scroll)  # (by script: the chart element is replaced on every redraw)
    time.sleep(0.5)
    page.screenshot(path=str(shots / "live_sweeps_1440.png"))
    page.set_viewport_size({"width": 1024, "height": 768})
    time.sleep(1.5)
    page.evaluate(scroll)
    page.screenshot(path=str(shots / "live_sweeps_1024.png"))
    main.get_by_role("button", name="Stop", exact=True).click()
