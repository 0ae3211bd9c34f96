"""Needle figures: the interference-pattern axes are labelled with whole numbers a clinician reads directly."""

import pandas as pd

from emgviz.plotting.needle import interference_figure


def test_interference_axes_label_whole_numbers_not_plotly_minor_digits():
    ip = pd.DataFrame({"Turns/s": [150.0, 420.0], "Mean amplitude (µV)": [250.0, 1000.0]})
    fig = interference_figure({"Healthy": ip})
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.type == "log"
        labels = dict(zip(axis.tickvals, axis.ticktext))
        assert labels[200] == "200" and labels[500] == "500" and labels[1000] == "1,000"
    assert fig.layout.yaxis.title.text == "Mean amplitude between turns (µV)"
    assert list(fig.data[0].x) == [150.0, 420.0]  # the data themselves are untouched


def _axes(fig, kind):
    """The figure's x or y axes in row order (xaxis, xaxis2, …) as plain dicts."""
    lay = fig.to_dict()["layout"]
    keys = sorted((k for k in lay if k.startswith(kind + "axis")), key=lambda k: int(k[5:] or 1))
    return [lay[k] for k in keys]


def test_side_by_side_panels_each_carry_time_and_amplitude_ticks_at_the_divisions():
    import numpy as np

    from emgviz.plotting.needle import side_by_side_figure

    fs = {"Healthy": 4000.0, "Neuropathy": 10000.0}
    t = {n: np.arange(int(3 * f)) / f for n, f in fs.items()}
    traces = {"Healthy": 300.0 * np.sin(2 * np.pi * 50 * t["Healthy"]),
              "Neuropathy": 2500.0 * np.sin(2 * np.pi * 50 * t["Neuropathy"])}  # beyond ±4 div: clipped
    fig = side_by_side_figure(traces, fs, start_s=1.0, sweep_ms_per_div=20, gain_uv_per_div=200)
    xs, ys = _axes(fig, "x"), _axes(fig, "y")
    assert len(xs) == len(ys) == 2
    for x in xs:  # every panel, not only the bottom one, shows its time ticks: one per 20 ms division
        assert x["showticklabels"] is True
        assert x["tickvals"] == [0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]
        assert x["ticktext"][:3] == ["0", "20", "40"] and x["ticktext"][-1] == "200"
        assert x["range"] == [0, 200]
    for y in ys:  # amplitude ticks one per 200 µV division over ±4 div, every second one labelled
        assert y["showticklabels"] is True
        assert y["tickvals"] == [-800, -600, -400, -200, 0, 200, 400, 600, 800]
        assert [s for s in y["ticktext"] if s] == ["-800", "-400", "0", "400", "800"]
        assert y["range"] == [-800, 800]
        assert y["title"]["text"] == "µV · 200 µV/div"
    assert xs[-1]["title"]["text"] == "ms · 20 ms/div"
    assert "20 ms/div · 200 µV/div" in fig.layout.title.text and "from 1.000 s" in fig.layout.title.text
    # the trace is the 200 ms window from 1 s, on the tick scale (ms from the sweep's start)
    healthy = fig.data[0]
    assert healthy.x[0] == 0 and abs(healthy.x[-1] - (800 - 1) / 4000 * 1000) < 1e-9
    np.testing.assert_allclose(healthy.y, traces["Healthy"][4000:4800])
    # the neuropathy row is clipped at the ±800 µV edge and its clipped samples are marked
    clipped = [d for d in fig.data if d.name == "clipped"]
    assert len(clipped) == 1 and np.abs(clipped[0].y).max() == 800


def test_side_by_side_ticks_follow_the_sweep_and_gain():
    import numpy as np

    from emgviz.plotting.needle import side_by_side_figure

    x = np.zeros(40000)
    fig = side_by_side_figure({"A": x}, {"A": 20000.0}, start_s=0.0, sweep_ms_per_div=5, gain_uv_per_div=1000)
    (xa,), (ya,) = _axes(fig, "x"), _axes(fig, "y")
    assert xa["tickvals"] == [5 * k for k in range(11)] and xa["title"]["text"] == "ms · 5 ms/div"
    assert [s for s in ya["ticktext"] if s] == ["-4,000", "-2,000", "0", "2,000", "4,000"]
    assert ya["title"]["text"] == "µV · 1000 µV/div"
