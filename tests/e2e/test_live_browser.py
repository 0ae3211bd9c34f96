"""The Live view in a real browser: a file streamed over loopback LSL advances the traces and records back equal."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

import emgviz

from .conftest import ROOT

NAMES = ["flexor", "extensor"]
T_LAST_JS = ("() => { const c = document.querySelector('canvas.emgviz-live');"
             " return c && c.dataset.tLast ? parseFloat(c.dataset.tLast) : null; }")


@pytest.fixture(scope="module")
def lsl_stream(tmp_path_factory):
    """`python -m emgviz stream SRC --name NAME --loop` (2 ch × 1000 Hz of distinct random values)."""
    rng = np.random.default_rng(2017)
    src = emgviz.Recording(rng.normal(0, 2e-4, (2, 4000)), fs=1000.0, ch_names=NAMES)
    path = tmp_path_factory.mktemp("live") / "src.npz"
    emgviz.write_file(src, path)
    name = f"e2e-live-{os.getpid()}"
    proc = subprocess.Popen([sys.executable, "-m", "emgviz", "stream", str(path), "--name", name, "--loop"],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("streaming"), proc.stderr.read()
    yield name, src
    proc.send_signal(signal.SIGINT)
    try:
        proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)  # the stream CLI prints its threads' stacks on SIGUSR1
        time.sleep(2)
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"`stream` did not stop within 60 s of Ctrl+C; stdout: {out[-500:]!r}; stacks: {err[-3000:]}")
    assert proc.returncode == 0


def _t_last(page: Page):
    return page.evaluate(T_LAST_JS)


def test_replayed_stream_advances_the_traces_and_records_back_equal(page: Page, streamlit_url, lsl_stream, shots,
                                                                     tmp_path):
    name, src = lsl_stream
    page.goto(streamlit_url + "/?view=Live")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Live EMG")).to_be_visible(timeout=60_000)
    main.locator('[data-testid="stRadio"] label').filter(has_text="LSL stream").click()
    main.get_by_role("button", name="Find streams").click()
    box = main.get_by_role("combobox", name="Stream")
    expect(box).to_be_visible(timeout=30_000)
    box.click()
    page.get_by_role("option", name=re.compile(re.escape(name))).click()
    main.get_by_role("button", name="Start").click()
    expect(main.get_by_text("Samples received")).to_be_visible(timeout=120_000)

    # the traces advance: the newest time stamp drawn keeps increasing, redraw after redraw
    page.wait_for_function(f"() => ({T_LAST_JS})() > 0", timeout=120_000)
    seen = []
    for _ in range(30):
        seen.append(_t_last(page))
        time.sleep(0.1)
    print("seen", seen)
    drawn = [t for t in seen if t is not None]
    assert len(set(drawn)) >= 3, f"the live traces did not advance: {seen}"
    assert all(b >= a for a, b in zip(drawn, drawn[1:]))
    expect(main.get_by_text("Samples lost")).to_be_visible()
    canvas = page.locator("canvas.emgviz-live")
    expect(canvas).to_have_count(1)                     # one canvas, kept across redraws
    handle = canvas.element_handle()
    time.sleep(1.0)
    assert page.evaluate("c => c.isConnected && c === document.querySelector('canvas.emgviz-live')", handle)
    box = canvas.bounding_box()
    assert box["width"] > 800 and box["height"] > 300
    # something was painted: the canvas holds dark trace pixels, not only the white background
    dark = page.evaluate("""c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                                  let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 100) n++; return n; }""", handle)
    assert dark > 1000
    page.screenshot(path=str(shots / "live_1440.png"))

    # record about 2 s in the browser, download it, read it back
    main.get_by_role("button", name=re.compile("Record")).click()
    expect(main.get_by_text(re.compile(r"Recording: [\d,]+ samples"))).to_be_visible(timeout=30_000)
    time.sleep(2.0)
    main.get_by_role("button", name=re.compile("Stop recording")).click()
    button = main.get_by_role("button", name=re.compile(r"Download .*\.npz"))
    expect(button).to_be_visible(timeout=30_000)
    expect(main.get_by_text(re.compile(r"Recorded \d+ samples .* lost 0\."))).to_be_visible()
    with page.expect_download() as dl:
        button.click()
    out = tmp_path / dl.value.suggested_filename
    dl.value.save_as(out)
    rec = emgviz.read_file(out)
    assert rec.ch_names == tuple(NAMES) and rec.fs == 1000.0 and rec.n_samples >= 1000
    s32 = src.data.astype(np.float32).astype(np.float64)
    starts = np.flatnonzero((s32 == rec.data[:, :1]).all(axis=0))
    assert len(starts) == 1
    np.testing.assert_array_equal(rec.data, s32[:, (starts[0] + np.arange(rec.n_samples)) % src.n_samples])
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)

    page.set_viewport_size({"width": 1024, "height": 768})
    time.sleep(1.0)
    page.screenshot(path=str(shots / "live_1024.png"))
    main.get_by_role("button", name="Stop", exact=True).click()
