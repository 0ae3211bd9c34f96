"""The Summary's computations made faster for long recordings (#21) give the numbers they gave before.

Each faster path is checked against the code it replaced (kept here as the reference): equal exactly
where the arithmetic is the same, within 1e-9 relative where the order of the arithmetic changed.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from emgviz import quality
from emgviz.burst_params import BURST_DEFAULTS
from emgviz.fatigue import every_other_window, fatigue_trend
from emgviz.features import windowed_features
from emgviz.onsets import detect_bursts
from emgviz.pipeline import preprocess
from emgviz.plotting.summary import envelope_overview
from emgviz.recording import Recording
from emgviz.settings import Settings

FS = 1000.0


# ---- the replaced code, as it was (reference) -------------------------------------------------------
def _old_stuck_fraction(x, at_least=None):
    _, counts = np.unique(x, return_counts=True)
    return float(counts.max() / x.size)


def _old_clipped_fraction(x, adc_range):
    if adc_range is not None:
        lo, hi = adc_range
        return float(np.mean((x <= lo) | (x >= hi)))
    lo, hi = x.min(), x.max()
    if lo == hi:
        return 1.0
    at_rail = (x == lo) | (x == hi)
    same_as_prev = np.r_[False, x[1:] == x[:-1]]
    run_start = np.flatnonzero(~same_as_prev)
    run_len = np.diff(np.r_[run_start, x.size])
    long_rail = at_rail[run_start] & (run_len >= quality.CLIP_RUN)
    return float(run_len[long_rail].sum() / x.size)


def _bursty(seconds=40.0, n_ch=4, seed=0) -> Recording:
    """Noise with a burst (×8) of 2 s every 10 s, shifted per channel, plus the problems quality looks for."""
    rng = np.random.default_rng(seed)
    n = int(seconds * FS)
    data = rng.standard_normal((n_ch, n)) * 20e-6
    for c in range(n_ch):
        for start in range(int((1 + 2 * c) * FS), n - int(2 * FS), int(10 * FS)):
            data[c, start:start + int(2 * FS)] *= 8
    data[0, 1000:1010] = data[0].max()  # a clipped run at each rail
    data[0, 5000:5004] = data[0].min()
    data[1, 7000:7002] = data[1].max()  # a rail run too short to count
    data[2] = np.round(data[2] * 1e5) / 1e5  # coarse quantisation: many equal samples
    return Recording(data, fs=FS, ch_names=[f"m{c + 1}" for c in range(n_ch)], unit="V")


# ---- quality ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [7, 8, 1001, 1000])
@pytest.mark.parametrize("share", [0.5, 0.5001, 0.75, 1.0])
def test_stuck_fraction_is_exact_when_half_or_more_share_a_value(n, share):
    rng = np.random.default_rng(n)
    x = rng.normal(size=n)
    k = int(np.ceil(share * n))
    x[rng.permutation(n)[:k]] = 3.25  # k samples stuck at one value, wherever they are
    want = _old_stuck_fraction(x)
    assert want >= 0.5
    assert quality._stuck_fraction(x, 0.5) == want


def test_stuck_fraction_exact_at_exactly_half_at_either_end_of_the_sorted_order():
    for stuck in (-10.0, 10.0):  # the stuck value sorts first or last: the block ends at the middle
        x = np.r_[np.full(500, stuck), np.linspace(-1, 1, 500)]
        assert quality._stuck_fraction(x, 0.5) == _old_stuck_fraction(x) == 0.5


def test_stuck_fraction_below_half_stays_below_half_and_grades_the_same():
    rng = np.random.default_rng(1)
    x = rng.normal(size=10_000)
    x[::3] = 0.0  # a third stuck: not flat
    assert _old_stuck_fraction(x) == pytest.approx(1 / 3, abs=1e-3)
    assert quality._stuck_fraction(x, 0.5) < 0.5
    assert quality._stuck_fraction(x, 0.3) == _old_stuck_fraction(x)  # below 0.5 asked: the exact count


@pytest.mark.parametrize("seed", range(6))
def test_clipped_fraction_equals_the_whole_channel_scan(seed):
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=5000), 1)
    lo, hi = x.min(), x.max()
    # runs at both rails, touching each other, at both ends, and too short to count
    x[:4] = lo
    x[-3:] = hi
    x[100:103], x[103:110] = lo, hi
    x[200:202] = hi
    x[rng.integers(0, 5000, 50)] = lo
    assert quality._clipped_fraction(x, None) == _old_clipped_fraction(x, None)
    assert quality._clipped_fraction(x, (-1.0, 1.0)) == _old_clipped_fraction(x, (-1.0, 1.0))
    flat = np.full(10, 2.0)
    assert quality._clipped_fraction(flat, None) == _old_clipped_fraction(flat, None) == 1.0


def test_signal_quality_equals_the_replaced_code_on_one_and_two_threads(monkeypatch):
    rec = _bursty()
    fast = {}
    for threads in ("1", "2"):
        monkeypatch.setenv("EMGVIZ_THREADS", threads)
        fast[threads] = quality.signal_quality(rec, mains_hz=50.0)
    monkeypatch.setenv("EMGVIZ_THREADS", "1")
    monkeypatch.setattr(quality, "_stuck_fraction", _old_stuck_fraction)
    monkeypatch.setattr(quality, "_clipped_fraction", _old_clipped_fraction)
    old = quality.signal_quality(rec, mains_hz=50.0)
    assert old["clipping_fraction"].iloc[0] == pytest.approx(14 / rec.n_samples)  # the test sees clipping
    pd.testing.assert_frame_equal(fast["1"], old, check_exact=True)
    pd.testing.assert_frame_equal(fast["2"], old, check_exact=True)


def test_signal_quality_flags_a_stuck_channel_as_before():
    rng = np.random.default_rng(3)
    data = rng.normal(size=(3, 4000))
    data[1, :2000] = 0.7  # exactly half stuck
    rec = Recording(data, fs=FS, ch_names=["a", "b", "c"])
    got = quality.signal_quality(rec)
    assert got["flat"].tolist() == [False, True, False]
    assert "50 % of samples share one value" in got["reason"].iloc[1]


# ---- bursts, windowed features, fatigue ---------------------------------------------------------------
def test_bursts_and_windowed_features_the_same_on_one_and_two_threads(monkeypatch):
    filtered = preprocess(_bursty(), Settings(), envelope=False).filtered
    got = {}
    for threads in ("1", "2"):
        monkeypatch.setenv("EMGVIZ_THREADS", threads)
        got[threads] = (detect_bursts(filtered, **BURST_DEFAULTS.detector_options()),
                        windowed_features(filtered, window_s=1.0, step_s=0.5))
    assert len(got["1"][0]) >= 12  # 3–4 bursts per channel found
    assert got["1"][0]["channel"].tolist() == sorted(got["1"][0]["channel"].tolist())  # channel order kept
    pd.testing.assert_frame_equal(got["1"][0], got["2"][0], check_exact=True)
    pd.testing.assert_frame_equal(got["1"][1], got["2"][1], check_exact=True)


def test_fatigue_from_every_other_heatmap_window_equals_its_own_windows():
    filtered = preprocess(_bursty(seconds=61.3), Settings(), envelope=False).filtered
    for window_s in (1.0, 2.5):
        heat = windowed_features(filtered, window_s=window_s, step_s=window_s / 2)
        own = windowed_features(filtered, window_s=window_s, step_s=window_s)
        thinned = every_other_window(heat, FS, window_s, window_s / 2)
        pd.testing.assert_frame_equal(thinned, own, rtol=1e-9, atol=0)
        a = fatigue_trend(filtered, window_s=window_s, step_s=window_s)
        b = fatigue_trend(filtered, window_s=window_s, step_s=window_s, windowed=thinned)
        pd.testing.assert_frame_equal(a.table, b.table, rtol=1e-9, atol=0)
        pd.testing.assert_frame_equal(a.windows, b.windows, rtol=1e-9, atol=0)


def test_every_other_window_refuses_steps_that_do_not_line_up():
    heat = pd.DataFrame({"channel": ["a"] * 4, "t_start_s": [0.0, 1.0, 2.0, 3.0]})
    assert every_other_window(heat, 1000.0, 0.0014, 0.0007) is None  # steps of 1 and 1 sample: not every other
    assert every_other_window(heat, 1000.0, 2.0, 1.0)["t_start_s"].tolist() == [0.0, 2.0]


# ---- the envelopes figure --------------------------------------------------------------------------------
def test_envelope_figure_equals_the_validated_figure():
    out = preprocess(_bursty(), Settings())
    bursts = detect_bursts(out.filtered, **BURST_DEFAULTS.detector_options())
    fig = envelope_overview(out.filtered, bursts=bursts, channel=out.envelope_channel)
    # the same figure with every shape validated by plotly, as update_layout(shapes=...) did before
    validated = go.Figure(fig)
    validated.layout.shapes = ()
    validated.update_layout(shapes=[dict(type="rect", xref=s["xref"], yref=s["yref"], x0=s["x0"], x1=s["x1"],
                                         y0=0, y1=1, fillcolor="#ff7f0e", opacity=0.18, line_width=0,
                                         layer="below")
                                    for s in fig.to_plotly_json()["layout"]["shapes"]])
    assert json.loads(fig.to_json()) == json.loads(validated.to_json())
    assert len(fig.layout.shapes) == len(bursts)
    first = bursts[bursts["channel"] == "m2"].iloc[0]
    mine = [s for s in fig.layout.shapes if s.xref == "x2"]
    assert (mine[0].x0, mine[0].x1, mine[0].line.width) == (first["onset_s"], first["offset_s"], 0)


def test_summary_fatigue_with_the_heatmaps_windows_equals_its_own():
    from emgviz.views import summary

    filtered = preprocess(_bursty(seconds=30.0), Settings(), envelope=False).filtered
    heat = windowed_features(filtered, window_s=1.0, step_s=0.5)
    summary._fatigue.clear()
    own = summary._fatigue("own", "{}", 1.0, filtered)
    reused = summary._fatigue("reused", "{}", 1.0, filtered, heat)
    pd.testing.assert_frame_equal(own.table, reused.table, rtol=1e-9, atol=0)
    pd.testing.assert_frame_equal(own.windows, reused.windows, rtol=1e-9, atol=0)
    assert (own.table["n_windows"] == 30).all()  # 1 s windows, not overlapping, over 30 s
