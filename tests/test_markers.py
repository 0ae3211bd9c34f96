"""Markers: add/delete return new sorted tables; CSV round-trips; bad CSV is explained."""

import pandas as pd
import pytest

from emgviz.markers import add_marker, delete_marker, empty_markers, markers_from_csv, markers_to_csv


def test_add_keeps_time_order_and_does_not_mutate():
    m1 = add_marker(None, 10.0, "late")
    m2 = add_marker(m1, 2.5, "early")
    assert len(m1) == 1
    assert m2["time_s"].tolist() == [2.5, 10.0]
    assert m2["note"].tolist() == ["early", "late"]
    assert list(m2.columns) == ["time_s", "note"]


def test_delete_by_position():
    m = add_marker(add_marker(add_marker(None, 1, "a"), 2, "b"), 3, "c")
    out = delete_marker(m, 1)
    assert out["note"].tolist() == ["a", "c"]
    assert len(m) == 3
    with pytest.raises(IndexError, match="3 markers"):
        delete_marker(m, 3)


def test_bad_marker_time():
    with pytest.raises(ValueError, match="number of seconds"):
        add_marker(None, "soon")
    with pytest.raises(ValueError, match="finite"):
        add_marker(None, float("nan"))


def test_csv_round_trip_with_awkward_notes():
    m = empty_markers()
    for t, note in [(0.001, "onset, left"), (3600.123456, 'quote "x"'), (12.0, ""), (-1.5, "before t0 µV")]:
        m = add_marker(m, t, note)
    text = markers_to_csv(m)
    assert text.splitlines()[0] == "time_s,note"
    back = markers_from_csv(text)
    pd.testing.assert_frame_equal(back, m)
    assert markers_from_csv(text.encode("utf-8")).equals(back)


def test_empty_csv_and_header_only():
    assert len(markers_from_csv("")) == 0
    assert len(markers_from_csv(markers_to_csv(empty_markers()))) == 0


def test_note_column_is_optional_and_extra_columns_ignored():
    m = markers_from_csv("time_s,colour\n5,red\n1.5,blue\n")
    assert m["time_s"].tolist() == [1.5, 5.0]
    assert m["note"].tolist() == ["", ""]


def test_missing_time_column_is_explained():
    with pytest.raises(ValueError, match="time_s"):
        markers_from_csv("time,note\n1,a\n")


def test_non_numeric_time_names_the_row():
    with pytest.raises(ValueError, match="row 2 holds 'abc'"):
        markers_from_csv("time_s,note\n1,a\nabc,b\n")
