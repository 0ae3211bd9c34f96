"""Fatigue over time: the plotted line is the fitted trend, the table gives %/min beside unit/s."""

import numpy as np
import pytest
from scipy import signal

from emgviz import Recording, fatigue_trend
from emgviz.plotting.fatigue import fatigue_over_time, fatigue_table
from emgviz.units import display_unit


@pytest.fixture(scope="module")
def result():
    # noise whose amplitude rises linearly: 100 µV -> 200 µV RMS over 20 s (RMS slope 5 µV/s)
    fs, n = 1000.0, 20_000
    rng = np.random.default_rng(3)
    t = np.arange(n) / fs
    b, a = signal.butter(4, [20, 450], btype="bandpass", fs=fs)
    x = signal.filtfilt(b, a, rng.normal(size=n))
    x = x / x.std() * (100e-6 + 5e-6 * t)
    return fatigue_trend(Recording(x[None, :], fs=fs, ch_names=["VL"]), window_s=1.0, step_s=1.0)


def test_table_reports_uv_per_s_and_percent_per_minute(result):
    table = fatigue_table(result, display=display_unit("V", 1e-4)).set_index("feature")
    rms = table.loc["RMS"]
    assert rms["unit"] == "µV/s" and rms["slope per s"] == pytest.approx(5.0, rel=0.15)
    # %/min relative to the fitted value at the first window (~102.5 µV): 5·60/102.5·100 ≈ 293 %/min
    assert rms["change (%/min)"] == pytest.approx(5 * 60 / 102.5 * 100, rel=0.15)
    assert rms["95 % CI low"] < rms["slope per s"] < rms["95 % CI high"]
    assert table.loc["MDF", "unit"] == "Hz/s"


def test_figure_draws_the_points_the_fit_and_the_ci(result):
    fig = fatigue_over_time(result, "RMS", display=display_unit("V", 1e-4))
    points, band, line = fig.data
    assert len(points.x) == 20
    slope = float(np.diff(line.y)[0] / np.diff(line.x)[0])
    assert slope == pytest.approx(result.table.set_index("feature").loc["RMS", "slope_per_s"] * 1e6, rel=1e-9)
    assert "%/min" in line.name and "µV/s" in line.name
    assert fig.layout.yaxis.title.text == "RMS (µV)"
    with pytest.raises(ValueError, match="no feature 'WL'"):
        fatigue_over_time(result, "WL")
