"""A normal session warns about nothing: every view of the real app, and Compare with two sessions."""

import warnings

import pytest

from apptest_utils import assert_no_exception, new_app
from emgviz.views import VIEWS


@pytest.mark.parametrize("view", [v for v in VIEWS if v != "Teach"])
def test_views_render_without_warnings(view):
    at = new_app()
    at.query_params["view"] = view
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        at.run()
        if view == "Compare":
            at.multiselect(key="compare_samples").set_value(["biosppy"]).run()
            at.button(key="compare_match_order").click().run()
            for tab in ("Features", "Symmetry", "Fatigue"):
                at.session_state["compare_tabs"] = tab
                at.run()
    assert_no_exception(at)
    ours = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught
            if "DataFrame.attrs" in str(w.message) or "/emgviz/" in w.filename.replace("\\", "/")]
    assert ours == []
