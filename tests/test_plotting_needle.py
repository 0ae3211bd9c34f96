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
