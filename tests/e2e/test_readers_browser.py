"""Real exports in a real browser: the rate-group picker reaches both devices, reader notes show."""

from __future__ import annotations

import os
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import wait_rendered
from .test_browser import no_exception, sidebar

REAL = Path(os.environ.get("EMGVIZ_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")) / "real"


@pytest.fixture
def real() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"real-export folder {REAL} is absent (set EMGVIZ_SHARED_DATA)")
    return REAL


@pytest.mark.parametrize("size", [(1440, 1000), (1024, 768)])
def test_two_device_hdf5_both_devices_reachable(page: Page, streamlit_url, shots, real, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(streamlit_url + "/?source=Upload")  # straight to the uploader: no bundled sample processed first
    uploader = sidebar(page).locator('[data-testid="stFileUploader"] input[type="file"]')
    expect(uploader).to_have_count(1, timeout=180_000)  # a loaded machine: the first page can take a while
    uploader.set_input_files([str(real / "opensignals_emg_two_devices_1000hz_10hz.h5")])
    expect(page.get_by_text("Reader notes").first).to_be_visible(timeout=180_000)
    group = sidebar(page).get_by_role("combobox", name=re.compile("Rate group"))
    expect(group).to_be_visible(timeout=120_000)
    expect(sidebar(page).get_by_text("A7:F9 CH6").first).to_be_visible(timeout=120_000)
    wait_rendered(page, timeout=180_000)
    page.screenshot(path=str(shots / f"two_devices_1000hz_{size[0]}.png"))
    for attempt in range(3):  # a rerun still settling can close the list as it opens: open it again
        group.click(timeout=120_000)
        try:
            page.get_by_role("option", name=re.compile("^10 Hz")).click(timeout=30_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            wait_rendered(page, timeout=180_000)
    expect(sidebar(page).get_by_text("A8:82 CH5").first).to_be_visible(timeout=180_000)
    wait_rendered(page, timeout=180_000)
    no_exception(page)
    page.screenshot(path=str(shots / f"two_devices_10hz_{size[0]}.png"))
