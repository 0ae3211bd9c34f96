"""Clinical sweep figures and helpers: clip marks, hover values, raster rows, trigger detection."""

import numpy as np
import pytest

from emgviz.io import read_file
from emgviz.plotting.sweep import (CLIP_DIVISIONS, SENSITIVITIES_UV, TIME_BASES_MS, clip_trace, cursor_readout,
                                   default_sensitivity, find_triggers, raster_figure, raster_rows, sweep_figure,
                                   to_microvolts, triggered_figure, triggered_sweeps)
from emgviz.samples import sample_path


@pytest.fixture(scope="module")
def myopathy_uv():
    rec = read_file(sample_path("emgdb-myopathy"))
    x, unit = to_microvolts(rec.data[0], rec.unit)
    assert unit == "µV"
    return x, rec.fs


def test_clinical_steps():
    assert TIME_BASES_MS == (5, 10, 20, 50, 100, 200)
    assert SENSITIVITIES_UV == (20, 50, 100, 200, 500, 1000, 2000, 5000)


def test_to_microvolts_does_not_modify_input():
    x = np.array([1e-3, -2e-6])
    y, unit = to_microvolts(x, "V")
    np.testing.assert_allclose(y, [1000.0, -2.0])
    assert unit == "µV" and x[0] == 1e-3
    assert to_microvolts(x, "a.u.")[1] == "a.u."


def test_default_sensitivity_fits_peak():
    x = np.r_[np.zeros(10_000), 750.0]  # 750 µV peak, but quantile 0.999 of mostly zeros
    assert default_sensitivity(np.full(100, 750.0)) == 200.0  # 750 ≤ 4 × 200
    assert default_sensitivity(np.full(100, 801.0)) == 500.0
    assert default_sensitivity(x) == 20.0
    assert default_sensitivity(np.full(10, 1e6)) == 5000.0


def test_clip_marks_at_the_right_samples():
    y = np.array([0.0, 50.0, 250.0, -300.0, 199.0, 200.0])
    yc, mask = clip_trace(y, 200.0)
    assert mask.tolist() == [False, False, True, True, False, False]
    assert yc.tolist() == [0.0, 50.0, 200.0, -200.0, 199.0, 200.0]
    with pytest.raises(ValueError, match="limit must be > 0"):
        clip_trace(y, 0)


def test_sweep_figure_clip_marks_and_hover_are_unclipped_microvolts(myopathy_uv):
    x, fs = myopathy_uv
    ms_per_div, uv = 10.0, 50.0
    n = int(10 * ms_per_div * fs / 1000)
    start = int(np.argmax(np.abs(x)))- n // 2  # a sweep around the largest spike
    seg = x[start:start + n]
    fig = sweep_figure(seg[None, :], fs, ch_names=["EMG"], t_start_s=start / fs, ms_per_div=ms_per_div,
                       uv_per_div=uv)
    line, marks = fig.data[0], fig.data[1]
    # hover: the unclipped data in µV, time in ms
    np.testing.assert_array_equal(np.asarray(line.customdata), seg)
    assert "ms" in line.hovertemplate and "µV" in line.hovertemplate and "customdata" in line.hovertemplate
    np.testing.assert_allclose(np.asarray(line.x), np.arange(n) * 1000 / fs)
    assert np.abs(np.asarray(line.y)).max() <= CLIP_DIVISIONS * uv
    # clip marks exactly at the samples beyond ±4 div, drawn at the edge, hover = true value
    beyond = np.flatnonzero(np.abs(seg) > CLIP_DIVISIONS * uv)
    assert beyond.size > 0
    np.testing.assert_allclose(np.asarray(marks.x), beyond * 1000 / fs)
    np.testing.assert_allclose(np.abs(np.asarray(marks.y)), CLIP_DIVISIONS * uv)
    np.testing.assert_array_equal(np.asarray(marks.customdata), seg[beyond])
    assert f"{beyond.size} samples clipped" in fig.layout.title.text
    assert tuple(fig.layout.xaxis.range) == (0.0, 100.0) and fig.layout.xaxis.dtick == 10.0


def test_sweep_figure_no_marks_when_nothing_clipped_and_channel_limit():
    fs = 4000.0
    seg = np.sin(np.arange(800) / 10) * 100
    fig = sweep_figure(np.vstack([seg, seg]), fs, ch_names=["a", "b"], t_start_s=0, ms_per_div=20, uv_per_div=50,
                       cursors_ms=(10, 30))
    assert len(fig.data) == 2 and "clipped" not in fig.layout.title.text
    assert sorted(s.x0 for s in fig.layout.shapes) == [10, 10, 30, 30]  # both cursors on both rows
    with pytest.raises(ValueError, match="1 to 3 channels"):
        sweep_figure(np.zeros((4, 10)), fs, ch_names=list("abcd"), t_start_s=0, ms_per_div=5, uv_per_div=20)


def test_raster_rows_are_consecutive_sweeps():
    x = np.arange(100)
    rows, starts = raster_rows(x, start=7, sweep_samples=10, n_sweeps=20)
    assert rows.shape == (9, 10)  # only complete sweeps
    assert starts.tolist() == [7 + 10 * i for i in range(9)]
    np.testing.assert_array_equal(rows.ravel(), np.arange(7, 97))


def test_raster_figure_rows_and_labels(myopathy_uv):
    x, fs = myopathy_uv
    fig = raster_figure(x, fs, t0_s=0.0, start=4000, ms_per_div=10, uv_per_div=200, n_sweeps=5)
    lines = [d for d in fig.data if "lines" in d.mode]
    assert len(lines) == 5
    for i, d in enumerate(lines):  # row i = samples 4000 + 400 i … (unclipped in the hover)
        np.testing.assert_array_equal(np.asarray(d.customdata), x[4000 + 400 * i: 4400 + 400 * i])
    assert list(fig.layout.yaxis.ticktext) == [f"#{i + 1} {1 + 0.1 * i:.3f} s" for i in range(5)]


def _spike_train(fs, times_s, amp, n, rng):
    x = rng.normal(0, 5.0, n)
    k = np.arange(-8, 9)
    shape = np.sin(np.pi * k / 8) * -amp * np.exp(-(k / 5.0) ** 2)  # biphasic, negative first, ~4 ms
    for t in times_s:
        i = int(round(t * fs))
        x[i + k] += shape
    return x


def test_find_triggers_finds_every_spike_once():
    fs, rng = 4000.0, np.random.default_rng(3)
    times = np.sort(rng.uniform(0.05, 9.9, 60))
    times = times[np.r_[True, np.diff(times) > 0.02]]
    x = _spike_train(fs, times, 300.0, int(10 * fs), rng)
    for level in (-100.0, 100.0):
        trig = find_triggers(x, fs, level, dead_time_ms=10)
        assert trig.size == times.size  # every spike once, none extra
        assert np.all(np.abs(trig / fs - times) < 0.003)
        if level < 0:
            assert np.all(x[trig] <= level) and np.all(x[trig - 1] > level)
        else:
            assert np.all(x[trig] >= level) and np.all(x[trig - 1] < level)
    # no dead time: a noisy crossing may retrigger, never fewer
    assert find_triggers(x, fs, -100.0, dead_time_ms=0).size >= times.size


def test_find_triggers_dead_time_and_errors():
    fs = 1000.0
    x = np.zeros(100)
    x[[10, 13, 30]] = 5.0
    assert find_triggers(x, fs, 1.0, dead_time_ms=5).tolist() == [10, 30]
    assert find_triggers(x, fs, 1.0, dead_time_ms=0).tolist() == [10, 13, 30]
    with pytest.raises(ValueError, match="non-zero"):
        find_triggers(x, fs, 0.0, dead_time_ms=5)
    with pytest.raises(ValueError, match="1-D"):
        find_triggers(np.zeros((2, 3)), fs, 1.0, dead_time_ms=5)


def test_triggered_sweeps_and_figure():
    fs, rng = 4000.0, np.random.default_rng(5)
    times = np.array([0.01, 0.5, 1.0, 1.5, 1.98])
    x = _spike_train(fs, times, 300.0, int(2 * fs), rng)
    trig = find_triggers(x, fs, -100.0, dead_time_ms=10)
    rows, kept = triggered_sweeps(x, trig, pre_samples=80, sweep_samples=400)
    assert kept.size == 3  # the first (no pre-trigger room) and last (no room after) are dropped
    for r, t in zip(rows, kept):
        np.testing.assert_array_equal(r, x[t - 80: t + 320])
        assert r[80] <= -100  # the trigger sample sits at the delay line
    fig = triggered_figure(rows, fs, trigger_times_s=kept / fs, pre_ms=20, ms_per_div=10, uv_per_div=100,
                           level=-100.0)
    assert [d.opacity for d in fig.data if "lines" in d.mode] == [0.25, 0.25, 1.0]
    assert tuple(fig.layout.xaxis.range) == (-20.0, 80.0)
    assert "3 triggered sweeps" in fig.layout.title.text and "falling" in fig.layout.title.text
    fig_r = triggered_figure(rows, fs, trigger_times_s=kept / fs, pre_ms=20, ms_per_div=10, uv_per_div=100,
                             level=-100.0, display="raster")
    assert len(fig_r.layout.yaxis.ticktext) == 3


def test_cursor_readout():
    fs = 1000.0
    y = np.arange(100, dtype=float) * 2  # 2 µV per ms
    r = cursor_readout(y, fs, 10.2, 40.0)
    assert r["t1_ms"] == 10.0 and r["v1"] == 20.0 and r["v2"] == 80.0
    assert r["dt_ms"] == 30.0 and r["dv"] == 60.0
    r = cursor_readout(y, fs, -5, 500, t0_ms=-20)  # clamped to the sweep
    assert r["t1_ms"] == -5.0 and r["v1"] == 30.0 and r["t2_ms"] == 79.0
