"""AppTest of the real app: the Needle examples source, the needle preset proposal, the Needle view."""

import pandas as pd

from apptest_utils import assert_no_exception, media, new_app, plotly_spec  # noqa: F401


def test_needle_examples_three_side_by_side(media):  # noqa: F811
    at = new_app(timeout=600)
    at.query_params["view"] = "Needle"
    at.run()
    assert_no_exception(at)
    at.radio(key="source").set_value("Needle examples").run()
    assert_no_exception(at)
    # the file says "concentric needle": the preset is proposed, and one click applies it
    assert any("needle recording" in i.value for i in at.sidebar.info)
    at.sidebar.button(key="use_needle_preset").click().run()
    assert at.number_input(key="set_low_hz").value == 10.0
    assert at.number_input(key="set_high_hz").value == 10000.0
    assert any("clipped to 1900 Hz" in w.value for w in at.warning)
    # the Needle view was opened with the three records
    assert at.multiselect(key="needle_recordings_examples").value == [
        "Needle example: healthy", "Needle example: myopathy", "Needle example: neuropathy"]
    grid = plotly_spec(at, "needle_grid_emgdb-myopathy")
    assert len([t for t in grid["data"] if t.get("name", "").startswith("MUP")]) >= 5
    mups = [d.value for d in at.dataframe if "Amplitude (µV)" in d.value.columns]
    tables = dict(zip(("emgdb-healthy", "emgdb-myopathy", "emgdb-neuropathy"), mups))
    assert tables["emgdb-neuropathy"]["Amplitude (µV)"].median() > 2.5 * tables["emgdb-healthy"]["Amplitude (µV)"].median()
    statements = " ".join(s.value for s in at.warning) + " ".join(s.value for s in at.success)
    assert "myopathic pattern" in statements and "neurogenic pattern" in statements
    assert "Age: 57" in " ".join(c.value for c in at.caption)
    # rejecting a MUP removes it from the table
    n = len(tables["emgdb-healthy"])
    at.multiselect(key="needle_reject_emgdb-healthy").set_value([1]).run()
    mups = [d.value for d in at.dataframe if "Amplitude (µV)" in d.value.columns]
    assert len(mups[0]) == n - 1 and 1 not in set(mups[0]["MUP"])
    side = plotly_spec(at, "needle_side")
    assert "10 ms/div · 200 µV/div" in side["layout"]["title"]["text"]
    ip = [d.value for d in at.dataframe if "% outside the cloud" in d.value.columns][0]
    assert isinstance(ip, pd.DataFrame) and list(ip["recording"]) == ["Healthy", "Myopathy", "Neuropathy"]
