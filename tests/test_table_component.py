"""The light sortable table (views/table_component.py): its payload, the Overview using it, the fallback."""

import json

import numpy as np
import pandas as pd

from apptest_utils import assert_no_exception, new_app, overview_table
from emgviz.plotting.summary import display_table
from emgviz.views import table_component


def test_payload_keeps_numbers_text_and_formats_and_sends_missing_values_as_null():
    df = pd.DataFrame({"channel": ["a", "b<i>"], "RMS (µV)": [1.25, np.nan], "ZC (count)": [3, 4],
                       "grade": ["good", None]})
    spec = json.loads(table_component.payload(df, {"RMS (µV)": "%.1f", "ZC (count)": "%d"}))
    assert spec["columns"] == ["channel", "RMS (µV)", "ZC (count)", "grade"]
    assert spec["rows"] == [["a", 1.25, 3, "good"], ["b<i>", None, 4, None]]  # text stays text (shown with textContent)
    assert spec["numeric"] == [False, True, True, False]
    assert spec["formats"] == [None, "%.1f", "%d", None]
    spec = json.loads(table_component.payload(pd.DataFrame({"x": [np.inf, -np.inf, 2.0]})))
    assert spec["rows"] == [[None], [None], [2]]


def test_the_overview_shows_the_display_table_in_the_component():
    at = new_app().run()
    assert_no_exception(at)
    assert not at.dataframe  # no data grid on the Overview: its chunks are never loaded
    found = [e for e in at.get("bidi_component") if e.key == "overview_table"]
    assert len(found) == 1
    shown = overview_table(at)
    assert list(shown["channel"]) == [f"channel{i}" for i in range(1, 9)]
    spec = json.loads(found[0].proto.bytes)
    formats = dict(zip(spec["columns"], spec["formats"]))
    assert formats["RMS (µV)"] == "%.1f" and formats["ZC (count)"] == "%d" and formats["channel"] is None
    # the values are display_table's, unrounded (the browser formats them)
    rms = shown["RMS (µV)"].to_numpy()
    assert np.all(np.isfinite(rms)) and np.all(rms > 1) and np.all(rms < 1e4)


def test_falls_back_to_st_dataframe(monkeypatch):
    monkeypatch.setenv("EMGVIZ_LIGHT_TABLE", "0")
    at = new_app().run()
    assert_no_exception(at)
    assert not [e for e in at.get("bidi_component") if e.key == "overview_table"]
    assert len(at.dataframe) == 1
    assert list(overview_table(at)["channel"]) == [f"channel{i}" for i in range(1, 9)]


def test_display_table_round_trips_through_the_payload():
    table = pd.DataFrame({"channel": ["m1", "m2"], "RMS (V)": [1e-4, 2e-4], "MDF (Hz)": [80.5, 90.25]})
    shown, formats = display_table(table)
    spec = json.loads(table_component.payload(shown, formats))
    back = pd.DataFrame(spec["rows"], columns=spec["columns"])
    pd.testing.assert_frame_equal(back, shown.reset_index(drop=True), check_dtype=False)
