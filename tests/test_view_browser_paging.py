"""Browse pages the channels of a wide file (16 per screen), and no figure passes the points cap.

A CSV of 4,096 columns (issue #14: it sent a 158 MB chart to the browser) is uploaded into the real
app.py; Browse draws one page of 16 channels with a page control, and the next page the next 16.
"""

import json

import numpy as np
import pytest

from apptest_utils import assert_no_exception, media, new_app, plotly_spec, trace_array  # noqa: F401

N_WIDE = 4096


def _wide_csv(n_channels: int, n_rows: int = 400) -> tuple[list[str], bytes]:
    rng = np.random.default_rng(14)
    names = [f"m{i:04d}" for i in range(n_channels)]
    rows = np.round(rng.normal(0, 100, (n_rows, n_channels))).astype(int)  # µV, short cells
    text = ("# Sampling Rate (Hz):= 1000.00\n" + ",".join(names) + "\n"
            + "\n".join(",".join(map(str, r)) for r in rows))
    return names, text.encode()


def _points(spec) -> int:
    return sum(len(trace_array(t["y"])) for t in spec["data"] if "y" in t)


@pytest.fixture(scope="module")
def wide():
    return _wide_csv(N_WIDE)


def test_browse_of_a_wide_file_shows_one_page_of_channels_and_a_page_control(wide, media):  # noqa: F811
    from emgviz.plotting.browser import MAX_FIGURE_POINTS
    from emgviz.views.paging import CHANNELS_PER_PAGE

    names, content = wide
    at = new_app(timeout=600).run()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader(key="upload").set_value(("wide.csv", content, "text/csv")).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    at.radio(key="view").set_value("Browse").run()
    assert_no_exception(at)

    control = at.number_input(key="browse_channel_page")
    assert control.max == N_WIDE // CHANNELS_PER_PAGE and control.value == 1
    assert f"of {N_WIDE // CHANNELS_PER_PAGE}" in control.label

    def drawn():
        spec = plotly_spec(at, "browse_chart")
        return spec, spec["layout"]["yaxis"]["ticktext"]

    spec, ticks = drawn()
    assert ticks == names[:CHANNELS_PER_PAGE]
    assert at.multiselect(key="browse_channels").options == names[:CHANNELS_PER_PAGE]
    assert _points(spec) <= MAX_FIGURE_POINTS
    overview = plotly_spec(at, "browse_overview")
    assert {t["name"] for t in overview["data"]} == set(names[:CHANNELS_PER_PAGE])
    # every chart of the page stays small (the 4,096-column file once sent 158 MB)
    for chart in ("browse_chart", "browse_overview"):
        assert len(json.dumps(plotly_spec(at, chart))) < 2_000_000

    control.set_value(2).run()
    assert_no_exception(at)
    spec, ticks = drawn()
    assert ticks == names[CHANNELS_PER_PAGE:2 * CHANNELS_PER_PAGE]
    assert at.multiselect(key="browse_channels").value == names[CHANNELS_PER_PAGE:2 * CHANNELS_PER_PAGE]

    # a channel dropped from the page stays dropped while paging in time
    at.multiselect(key="browse_channels").set_value(names[CHANNELS_PER_PAGE:CHANNELS_PER_PAGE + 3]).run()
    at.button(key="browse_next").click().run()
    assert_no_exception(at)
    assert drawn()[1] == names[CHANNELS_PER_PAGE:CHANNELS_PER_PAGE + 3]
