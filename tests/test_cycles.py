"""Cycle averaging recovers a known cycle shape whatever each cycle's duration."""

import numpy as np
import pandas as pd
import pytest

from emgviz.cycles import cycle_average, cycle_bounds, event_times, onset_times
from emgviz.recording import Recording


def raised_cosine(p):
    """The test shape over one cycle, p in [0, 1]: 0 at the ends, 1 at mid-cycle."""
    return 0.5 * (1 - np.cos(2 * np.pi * p))


def _cycles_of(durations_s, *, fs=1000.0, t0=0.0, amplitude=(1.0,)):
    starts = t0 + np.r_[0.0, np.cumsum(durations_s)]
    t = t0 + np.arange(int(round((starts[-1] - t0) * fs)) + 1) / fs
    k = np.clip(np.searchsorted(starts, t, side="right") - 1, 0, len(durations_s) - 1)
    p = (t - starts[k]) / np.asarray(durations_s)[k]
    data = np.stack([a * raised_cosine(p) for a in amplitude])
    rec = Recording(data, fs=fs, ch_names=[f"m{i}" for i in range(len(amplitude))], t0=t0)
    return rec, starts


def test_raised_cosine_of_varying_duration_is_recovered_with_zero_sd():
    durations = [0.8, 1.1, 0.95, 1.3, 1.0, 0.7]
    rec, starts = _cycles_of(durations, t0=12.5, amplitude=(1.0, 3.0))
    mean, sd, cycles = cycle_average(rec, starts, n_points=101)
    truth = raised_cosine(np.linspace(0, 1, 101))
    assert cycles.shape == (2, len(durations), 101)
    assert list(mean.columns) == ["m0", "m1"]
    assert mean.index[0] == 0.0 and mean.index[-1] == 100.0 and mean.index[50] == 50.0
    assert np.max(np.abs(mean["m0"].to_numpy() - truth)) < 2e-3
    assert np.max(np.abs(mean["m1"].to_numpy() - 3 * truth)) < 6e-3
    assert sd.to_numpy().max() < 5e-3  # identical shapes: the ensemble SD is ~0


def test_sd_is_the_spread_of_the_cycle_amplitudes():
    # 4 cycles of amplitude 1, 3, 1, 3: mean 2·shape; sample SD (ddof=1) √(4/3)·shape
    durations = [1.0, 1.0, 1.0, 1.0]
    rec, starts = _cycles_of(durations)
    amp = np.where((rec.times // 1.0) % 2 == 0, 1.0, 3.0)
    rec2 = rec.with_data(rec.data * amp)
    mean, sd, _ = cycle_average(rec2, starts)
    assert mean["m0"].loc[50.0] == pytest.approx(2.0, abs=1e-3)
    assert sd["m0"].loc[50.0] == pytest.approx(np.sqrt(4 / 3), abs=1e-3)


def test_duration_limits_drop_a_missed_event_cycle():
    rec, starts = _cycles_of([1.0, 1.0, 1.0, 1.0])
    kept = np.delete(starts, 2)  # a missed event makes a 2 s cycle
    _, _, cycles = cycle_average(rec, kept, max_duration_s=1.5)
    assert cycles.shape[1] == 2


def test_cycles_outside_the_recording_are_dropped_and_none_left_is_an_error():
    assert cycle_bounds([0.0, 1.0, 2.0, 9.0], t_start_s=0.0, t_end_s=3.0).tolist() == [[0.0, 1.0], [1.0, 2.0]]
    rec, _ = _cycles_of([1.0, 1.0])
    with pytest.raises(ValueError, match="no complete cycle"):
        cycle_average(rec, [0.5])


def test_event_sources():
    ev = pd.DataFrame({"time_s": [3.0, 1.0, 2.0], "duration_s": 0.0, "label": ["HS", "HS", "TO"]})
    assert event_times(ev, label="HS").tolist() == [1.0, 3.0]
    assert event_times(ev).tolist() == [1.0, 2.0, 3.0]
    bursts = pd.DataFrame({"channel": ["a", "b", "a"], "onset_s": [2.0, 1.5, 0.5], "offset_s": [2.4, 1.9, 0.9]})
    assert onset_times(bursts, channel="a").tolist() == [0.5, 2.0]
