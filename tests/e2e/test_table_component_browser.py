"""The Overview's light sortable table (views/table_component.py) in a real browser: the numbers as the
data grid showed them, a click on a header sorts (ascending, descending, the file's order), the sort
survives a filter change, and the page never loads the data grid's chunks."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import wait_rendered
from .test_browser import no_exception

TABLE = "table.emgviz-table"


def _column(page: Page, i: int) -> list[str]:
    return page.locator(f"{TABLE} tbody tr td:nth-child({i + 1})").all_inner_texts()


def _header(page: Page, name: str):
    return page.locator(f"{TABLE} thead th").filter(has_text=re.compile(rf"^{re.escape(name)}( [↑↓])?$"))


def test_the_table_sorts_by_a_click_and_loads_no_grid(page: Page, streamlit_url, shots):
    chunks = []
    page.on("request", lambda r: chunks.append(r.url.rsplit("/", 1)[-1]))
    page.goto(streamlit_url)
    expect(page.locator(f"{TABLE} tbody tr")).to_have_count(8, timeout=60_000)
    wait_rendered(page)
    heads = page.locator(f"{TABLE} thead th").all_inner_texts()
    assert heads[:3] == ["channel", "RMS (µV)", "MAV (µV)"]
    rms_col = heads.index("RMS (µV)")
    assert _column(page, 0) == [f"channel{i}" for i in range(1, 9)]  # the file's order
    rms = _column(page, rms_col)
    assert all(re.fullmatch(r"\d+\.\d", v) for v in rms), rms  # "%.1f", as the grid showed it
    zc = _column(page, heads.index("ZC (count)"))
    assert all(re.fullmatch(r"\d+", v) for v in zc), zc  # "%d"
    values = [float(v) for v in rms]

    _header(page, "RMS (µV)").locator("button").click()
    expect(_header(page, "RMS (µV)")).to_have_attribute("aria-sort", "ascending")
    assert [float(v) for v in _column(page, rms_col)] == sorted(values)
    _header(page, "RMS (µV)").locator("button").click()
    expect(_header(page, "RMS (µV)")).to_have_attribute("aria-sort", "descending")
    assert [float(v) for v in _column(page, rms_col)] == sorted(values, reverse=True)
    shown = dict(zip(_column(page, 0), _column(page, rms_col)))
    assert shown == dict(zip([f"channel{i}" for i in range(1, 9)], rms))  # rows move whole
    page.screenshot(path=str(shots / "overview_table_sorted.png"))

    # a filter change: new values, the chosen sort kept
    high = page.get_by_label("High (Hz)")
    high.fill("150")
    high.press("Enter")
    expect(page.get_by_text(re.compile("band-pass 20–150 Hz")).first).to_be_visible(timeout=60_000)
    expect(page.locator(TABLE)).not_to_contain_text(rms[0], timeout=60_000)
    wait_rendered(page)
    expect(_header(page, "RMS (µV)")).to_have_attribute("aria-sort", "descending")
    after = [float(v) for v in _column(page, rms_col)]
    assert after == sorted(after, reverse=True) and after != sorted(values, reverse=True)

    _header(page, "RMS (µV)").locator("button").click()  # third click: the file's order again
    expect(_header(page, "RMS (µV)")).not_to_have_attribute("aria-sort", re.compile("."))
    assert _column(page, 0) == [f"channel{i}" for i in range(1, 9)]
    _header(page, "channel").locator("button").focus()  # the keyboard sorts too
    page.keyboard.press("Enter")
    expect(_header(page, "channel")).to_have_attribute("aria-sort", "ascending")

    no_exception(page)
    loaded = " ".join(chunks)
    assert "DataFrame." not in loaded and "arrowFormatUtils" not in loaded, loaded
