"""The Overview's feature table: an HTML table (no data grid on the first screen) with its CSV download."""

import io

import pandas as pd
import pytest

from apptest_utils import assert_no_exception, media, new_app  # noqa: F401


@pytest.fixture
def at(media):  # noqa: F811  (media first: it captures the app's media store)
    a = new_app().run()
    assert_no_exception(a)
    return a


def test_the_table_is_html_formatted_and_its_csv_holds_the_same_numbers(at, media):  # noqa: F811
    assert not at.dataframe                                   # no data grid on the Overview
    shown = at.table[0].value
    assert list(shown["channel"]) == [f"channel{i}" for i in range(1, 9)]
    # the display formats are applied in the page: RMS in µV to 0.1, as the data grid showed it
    from streamlit import dataframe_util

    text = dataframe_util.convert_arrow_bytes_to_pandas_df(at.table[0].proto.arrow_data.styler.display_values)
    assert list(text["RMS (µV)"]) == [f"{v:.1f}" for v in shown["RMS (µV)"]]
    button = at.download_button(key="overview_table_csv")
    assert button.proto.label == "Download this table (CSV)"
    csv = pd.read_csv(io.StringIO(media(button.proto.url).content.decode()))
    assert list(csv.columns) == list(shown.columns)
    pd.testing.assert_frame_equal(csv.drop(columns="channel"), shown.drop(columns="channel").astype(float),
                                  check_exact=False, rtol=1e-12)
    assert list(csv["channel"]) == list(shown["channel"])
