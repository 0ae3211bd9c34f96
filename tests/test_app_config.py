"""The app's Streamlit configuration (``.streamlit/config.toml``): what the app relies on."""

from __future__ import annotations

import tomllib
from pathlib import Path

from emgviz.views import plotly_component

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_server_listens_on_loopback_only():
    assert CONFIG["server"]["address"] == "127.0.0.1"


def test_no_full_garbage_collection_after_every_run():
    # Streamlit's default gc.collect(2) after each script run took 0.3 s (up to 1.3 s under load) of a
    # 0.48 s Browse page on the bundled sample, holding the GIL while the page's last messages waited
    # (profiled in the real server, benchmarks/RESULTS.md app_browser_s4*): Python's own generational
    # collector still runs; reference counting frees the large arrays.
    assert CONFIG["runner"]["postScriptGC"] is False


def test_static_serving_serves_the_vendored_plotly_bundle():
    assert CONFIG["server"]["enableStaticServing"] is True
    bundle = ROOT / "static" / plotly_component.PLOTLY_JS.name
    assert bundle.is_file() and bundle.stat().st_size > 1_000_000
    assert b"v4.1.1" in bundle.read_bytes()[:400]
