"""Signal browser on a long recording: figure size and build time per page, overview, page change.

A synthetic 1-hour, 16-channel, 2 kHz recording (115 M samples, 0.92 GB float64) with bursts.
Run from the repo root: ``.venv/bin/python benchmarks/bench_browser.py``. Writes section
"browser" of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import machine, write_section  # noqa: E402

from emgviz.plotting.browser import auto_scales, overview_envelope, overview_figure, stacked_figure  # noqa: E402
from emgviz.recording import Recording  # noqa: E402

FS, N_CH, HOURS = 2000.0, 16, 1.0
PAGE_S = 10.0


def synthetic(seconds: float = 3600 * HOURS, n_ch: int = N_CH, fs: float = FS, seed: int = 0) -> Recording:
    """Gaussian EMG-like noise (20 µV rms) with a 2-s burst (×8) every 10 s, shifted per channel."""
    rng = np.random.default_rng(seed)
    n = int(seconds * fs)
    data = rng.standard_normal((n_ch, n))
    data *= 20e-6
    period, burst = int(10 * fs), int(2 * fs)
    for c in range(n_ch):
        view = data[c, : (n // period) * period].reshape(-1, period)
        off = (c * 997) % (period - burst)
        view[:, off:off + burst] *= 8
    return Recording._trusted(data, fs=fs, ch_names=tuple(f"m{c + 1:02d}" for c in range(n_ch)), unit="V",
                              source="synthetic 1 h")


def timed(fn, repeat: int = 5):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def naive_page(rec: Recording, t0: float, window: float, channels: int) -> go.Figure:
    i0, i1 = int(t0 * rec.fs), int((t0 + window) * rec.fs)
    t = rec.t0 + np.arange(i0, i1) / rec.fs
    return go.Figure([go.Scatter(x=t, y=rec.data[c, i0:i1] / 100e-6 + 4 * c, mode="lines")
                      for c in range(channels)])


HOST = textwrap.dedent('''
    import sys, types
    sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
    import streamlit as st
    from bench_browser import synthetic
    from emgviz.settings import Settings
    from emgviz.views import browser
    from emgviz.views.context import ViewContext

    @st.cache_resource
    def _rec():
        return synthetic()

    rec = _rec()
    # processing is cached by the app; a page change never recomputes it, so a stand-in is enough here
    processed = types.SimpleNamespace(raw=rec, filtered=rec, envelope=rec, warnings=())
    ctx = ViewContext(rec=rec, full=rec, processed=processed, settings=Settings(), name="synthetic",
                      digest="0" * 64, description=repr(rec), key="bench0000000")
    browser.render(ctx)
''')


def page_change_times(n: int = 6) -> tuple[float, float, list[float]]:
    from streamlit.testing.v1 import AppTest
    with tempfile.TemporaryDirectory() as tmp:
        host = Path(tmp) / "host.py"
        host.write_text(HOST.format(root=str(ROOT), bench=str(Path(__file__).resolve().parent)))
        at = AppTest.from_file(str(host), default_timeout=600)
        t = time.perf_counter()
        at.run()
        first = time.perf_counter() - t
        assert not at.exception, [e.value for e in at.exception]
        times = []
        for _ in range(n):
            t = time.perf_counter()
            at.button(key="browse_next").click().run()
            times.append(time.perf_counter() - t)
            assert not at.exception, [e.value for e in at.exception]
    return first, statistics.median(times), times


def main() -> None:
    t = time.perf_counter()
    rec = synthetic()
    t_make = time.perf_counter() - t
    t_scales, scales = timed(lambda: auto_scales(rec), repeat=1)
    start = 1800.0

    t_page, fig = timed(lambda: stacked_figure(rec, t_start_s=start, t_window_s=PAGE_S, scale=scales))
    t_page_json, page_json = timed(lambda: fig.to_json(), repeat=3)
    t_page_auto, _ = timed(lambda: stacked_figure(rec, t_start_s=start, t_window_s=PAGE_S), repeat=3)
    t_page_gl, fig_gl = timed(lambda: stacked_figure(rec, t_start_s=start, t_window_s=PAGE_S, scale=scales,
                                                     gl=True))
    n_pts = sum(len(tr.y) for tr in fig.data)

    t_env, env = timed(lambda: overview_envelope(rec, n_points=2000), repeat=1)
    t_ov, ov = timed(lambda: overview_figure(rec, t_start_s=start, t_window_s=PAGE_S, envelope=env))
    ov_json = ov.to_json()

    t_naive, naive = timed(lambda: naive_page(rec, start, PAGE_S, N_CH), repeat=3)
    t_naive_json, naive_json = timed(lambda: naive.to_json(), repeat=1)
    # the naive overview (every sample of the hour) is too heavy: 1 channel × 5 min, scaled ×12 ×16
    short = 300.0
    t_n1, n1 = timed(lambda: naive_page(rec, 0, short, 1), repeat=1)
    t_n1_json, n1_json = timed(lambda: n1.to_json(), repeat=1)
    scale_up = (3600 / short) * N_CH

    first, t_change, changes = page_change_times()

    mb = 1e6
    md = f"""
## Signal browser (`benchmarks/bench_browser.py`)

{machine()}. Synthetic recording: {HOURS:g} h, {N_CH} channels, {FS:g} Hz ({rec.data.size / 1e6:.0f} M samples,
{rec.data.nbytes / 1e9:.2f} GB float64; built in {t_make:.1f} s). Page = {PAGE_S:g} s, all {N_CH} channels,
width 1400 px (≤ 2800 points per trace, min–max). Times are medians.

| what | build (s) | JSON (MB) | points | goal |
|---|---|---|---|---|
| page, `stacked_figure` (cached scales), SVG `Scatter` | {t_page:.3f} | {len(page_json) / mb:.2f} | {n_pts:,} | ≤ 0.2 s, ≤ 1.5 MB |
| page, same with `Scattergl` | {t_page_gl:.3f} | {len(fig_gl.to_json()) / mb:.2f} | {n_pts:,} | |
| page, automatic scales computed inside | {t_page_auto:.3f} | | | |
| page `fig.to_json()` | {t_page_json:.3f} | | | |
| overview, `overview_figure` from the cached envelope | {t_ov:.3f} | {len(ov_json) / mb:.2f} | {2 * N_CH * len(env[0]):,} | ≤ 0.2 s |
| overview envelope (once per file, cached) | {t_env:.2f} | | | |
| automatic scales (once per file, cached) | {t_scales:.2f} | | | |
| naive page: every sample, {N_CH} ch × {PAGE_S:g} s | {t_naive:.3f} (+ {t_naive_json:.2f} to_json) | {len(naive_json) / mb:.2f} | {int(PAGE_S * FS * N_CH):,} | |
| naive overview: 1 ch × {short:g} s measured | {t_n1:.3f} (+ {t_n1_json:.2f} to_json) | {len(n1_json) / mb:.1f} | {int(short * FS):,} | |
| naive overview scaled to {N_CH} ch × 1 h (×{scale_up:g}, linear) | ~{(t_n1 + t_n1_json) * scale_up:.0f} | ~{len(n1_json) * scale_up / mb:,.0f} | {rec.data.size:,} | |

Page change in the Browse view (AppTest on a host script, recording cached): first run {first:.1f} s
(builds the recording, scales and overview envelope), then **{t_change:.3f} s** per "Next" click
(median of {len(changes)}: {", ".join(f"{c:.3f}" for c in changes)}; goal ≤ 0.5 s). AppTest time
excludes the browser drawing the figure.

Ratio page figure vs naive: {len(naive_json) / len(page_json):.0f}× smaller JSON.
SVG `Scatter` is the default: at ≤ 2 points per pixel it sends the same bytes as `Scattergl` and builds as fast,
and SVG needs no WebGL context (browsers cap them; exports and headless browsers draw it reliably).
"""
    print(md)
    write_section("browser", md)


if __name__ == "__main__":
    main()
