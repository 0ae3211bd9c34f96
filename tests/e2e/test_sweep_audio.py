"""The sound of the needle signal in a real browser: the sweep's audio element holds a playable WAV whose
duration, read by the browser itself, is the span on screen."""

from __future__ import annotations

import re
import struct

from playwright.sync_api import Page, expect

from .conftest import wait_rendered
from .test_browser import no_exception

AUDIO_JS = """() => { const a = document.querySelector('[data-testid="stMain"] audio');
  return a && a.readyState >= 1 && isFinite(a.duration)
    ? {src: a.currentSrc || a.src, duration: a.duration, error: a.error && a.error.code} : null; }"""


def test_the_sweep_plays_a_wav_of_the_span_on_screen(page: Page, streamlit_url):
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.set_default_timeout(300_000)
    # the myopathy needle record at 10 ms/div from 1.5 s: one 100 ms sweep on screen
    page.goto(streamlit_url + "/?view=Browse&sample=emgdb-myopathy&sweep.tb=10&sweep.sens=1000&sweep.t=1.5",
              timeout=180_000)
    main = page.locator('[data-testid="stMain"]')
    expect(page.locator(".gtitle").first).to_contain_text("Sweep from 1.500 s · 10 ms/div", timeout=300_000)
    wait_rendered(page, timeout=300_000)
    main.get_by_text("Sound of the span on screen").click()
    main.get_by_text("Prepare sound").click()
    caption = main.get_by_text(re.compile(r"real time, peak-normalised"))
    expect(caption).to_be_visible(timeout=120_000)
    no_exception(page)
    # the caption states the span played: the sweep, lengthened to half a second (shorter is not audible)
    t0, t1 = map(float, re.search(r"(\d+\.\d+)–(\d+\.\d+) s", caption.inner_text()).groups())
    assert (t0, t1) == (1.5, 2.0)
    got = page.wait_for_function(AUDIO_JS, timeout=120_000).json_value()
    assert got["error"] is None                                        # the browser decoded it
    assert abs(got["duration"] - (t1 - t0)) < 2e-3, got               # the browser's own reading of its length
    # the source the element plays is a PCM WAV of that many samples
    body = page.request.get(got["src"] if got["src"].startswith("http") else streamlit_url + got["src"]).body()
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    fmt, channels, rate = struct.unpack("<HHI", body[20:28])
    bits = struct.unpack("<H", body[34:36])[0]
    assert (fmt, channels, bits) == (1, 1, 16)
    data = body.index(b"data")
    n_bytes = struct.unpack("<I", body[data + 4:data + 8])[0]
    assert abs(n_bytes / 2 / rate - (t1 - t0)) < 1.0 / rate + 1e-9
    # and it plays: the clock moves when play() is called (muted, so autoplay rules allow it)
    played = page.evaluate("""async () => { const a = document.querySelector('[data-testid="stMain"] audio');
        a.muted = true; a.currentTime = 0; await a.play(); await new Promise(r => setTimeout(r, 300));
        const t = a.currentTime; a.pause(); return t; }""")
    assert played > 0
