"""The app in a real browser (Playwright + Debian's Chromium) against `streamlit run app.py`."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from emgviz.samples import SAMPLE_DIR as SAMPLES

from .conftest import CHART_SVG, wait_rendered
VIEWS = ["Overview", "Browse", "Summary", "Compare", "Teach"]
#: The Overview's per-muscle table: the light HTML table (views/table_component.py) or its st.dataframe fallback
OVERVIEW_TABLE = 'table.emgviz-table, [data-testid="stDataFrame"]'


def open_app(page: Page, url: str, query: str = "") -> None:
    page.goto(url + query)
    expect(page.locator(CHART_SVG).first).to_be_visible(timeout=60_000)
    wait_rendered(page)


def sidebar(page: Page):
    return page.locator('[data-testid="stSidebar"]')


def choose_radio(page: Page, label: str) -> None:
    sidebar(page).locator('[data-testid="stRadio"] label').filter(has_text=re.compile(rf"^{label}$")).first.click()


def no_exception(page: Page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def upload(page: Page, *paths: Path) -> None:
    choose_radio(page, "Upload")
    uploader = sidebar(page).locator('[data-testid="stFileUploader"] input[type="file"]')
    expect(uploader).to_have_count(1, timeout=30_000)
    uploader.set_input_files([str(p) for p in paths])


def test_app_renders_on_the_bundled_sample(page: Page, streamlit_url, shots):
    open_app(page, streamlit_url)
    no_exception(page)
    expect(page.get_by_text("uci_gestures_1_raw_data_11-08_21.03.16.txt").first).to_be_visible()
    expect(page.locator(OVERVIEW_TABLE).first).to_be_visible()
    page.screenshot(path=str(shots / "overview.png"))


@pytest.mark.parametrize("view", VIEWS[1:])
def test_each_view_renders_its_chart(page: Page, streamlit_url, shots, view):
    if view == "Compare":  # a second session first: the bundled sample again
        page.goto(streamlit_url + "/?view=Compare")
        box = page.get_by_role("combobox", name="Add bundled samples")
        expect(box).to_be_visible(timeout=60_000)
        box.click()
        page.get_by_role("option", name=re.compile("Forearm")).click()
        page.keyboard.press("Escape")
    else:
        page.goto(streamlit_url + f"/?view={view}")
    # Teach draws its steps on a mounted canvas (no Plotly on that page); the other views with Plotly
    chart = 'canvas.emgviz-spec' if view == "Teach" else CHART_SVG
    expect(page.locator(chart).first).to_be_visible(timeout=60_000)
    wait_rendered(page)
    no_exception(page)
    page.screenshot(path=str(shots / f"view_{view.lower()}.png"))


def test_uploaded_real_file_opens(page: Page, streamlit_url, shots):
    open_app(page, streamlit_url)
    upload(page, SAMPLES / "ktk_emg_biceps_brachii.csv")
    expect(page.get_by_text("BicepsBrachiiR").first).to_be_visible(timeout=60_000)
    wait_rendered(page)
    no_exception(page)
    page.screenshot(path=str(shots / "after_upload.png"))


def test_wfdb_pair_upload_opens(page: Page, streamlit_url):
    open_app(page, streamlit_url)
    upload(page, SAMPLES / "emg_healthy.hea", SAMPLES / "emg_healthy.dat")
    expect(page.get_by_text("4000 Hz").first).to_be_visible(timeout=60_000)
    no_exception(page)


def test_filter_change_changes_the_figure(page: Page, streamlit_url):
    open_app(page, streamlit_url)
    caption = page.get_by_text(re.compile("band-pass 20–450 Hz")).first
    expect(caption).to_be_visible()
    table = page.locator(OVERVIEW_TABLE).first
    expect(table).to_contain_text("channel8", timeout=60_000)
    before = table.inner_text()
    high = page.get_by_label("High (Hz)")
    high.fill("150")
    high.press("Enter")
    expect(page.get_by_text(re.compile("band-pass 20–150 Hz")).first).to_be_visible(timeout=60_000)
    wait_rendered(page)
    expect(table).not_to_have_text(before, timeout=60_000)  # the feature values follow the new band
    assert "high_hz=150" in page.url
    no_exception(page)


def test_download_produces_the_feature_csv(page: Page, streamlit_url, tmp_path):
    open_app(page, streamlit_url, "/?view=Summary")
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text=re.compile("feature", re.I)).first
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download() as dl:
        button.locator("button").click()
    text = Path(dl.value.path()).read_text()
    assert "# emgviz" in text and "channel" in text and "channel8" in text


def test_bad_upload_shows_an_error_and_keeps_working(page: Page, streamlit_url, tmp_path, shots):
    open_app(page, streamlit_url)
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 16)
    upload(page, junk)
    expect(page.locator('[data-testid="stAlertContentError"]').filter(has_text="junk.csv").first) \
        .to_be_visible(timeout=60_000)
    no_exception(page)
    page.screenshot(path=str(shots / "bad_upload.png"))
    choose_radio(page, "Sample")
    expect(page.locator(OVERVIEW_TABLE).first).to_be_visible(timeout=60_000)
    no_exception(page)


def test_five_users_at_once_see_only_their_own_data(browser, streamlit_url, tmp_path):
    """Five browser contexts (separate sessions) load different files and settings at the same time."""
    plans = [
        ("uci", None, "channel8", "50"),
        ("ktk", SAMPLES / "ktk_emg_biceps_brachii.csv", "BicepsBrachiiR", "60"),
        ("wfdb", None, "EMG", "off"),
        ("bio", SAMPLES / "biosppy_emg_1.txt", "EMG", "50"),
        ("ktk60", SAMPLES / "ktk_emg_biceps_brachii.csv", "BicepsBrachiiR", "off"),
    ]
    contexts, pages = [], []
    for key, path, _, notch in plans:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        params = {"sample": {"uci": "uci-gestures", "wfdb": "emgdb-healthy"}.get(key, "uci-gestures")}
        if notch != "off":
            params["notch_hz"] = notch
        page.goto(streamlit_url + "/?" + urlencode(params))
        contexts.append(ctx)
        pages.append(page)
    for page, (key, path, _, _) in zip(pages, plans):
        expect(page.locator(CHART_SVG).first).to_be_visible(timeout=90_000)
        if path is not None:
            upload(page, path)
    for page, (key, path, channel, notch) in zip(pages, plans):
        expect(page.locator(OVERVIEW_TABLE).first).to_contain_text(channel, timeout=90_000)
        wait_rendered(page, timeout=90_000)
        table = page.locator(OVERVIEW_TABLE).first.inner_text()
        others = {"channel8", "BicepsBrachiiR"} - {channel}
        assert not any(o in table for o in others), (key, table[:200])
        caption = page.get_by_text(re.compile("band-pass 20–450 Hz")).first.inner_text()
        assert ("notch" in caption) == (notch != "off"), (key, caption)
        no_exception(page)
    for ctx in contexts:
        ctx.close()
