"""AppTest of the Summary view on the "summary" view host (tests/apptest_utils.py): renders, downloads equal the table, %MVC switches units."""

import io
from pathlib import Path

import pandas as pd
import pytest

from apptest_utils import (SUMMARY_SETTINGS_KW, assert_no_exception, media, plotly_spec, trace_array,  # noqa: F401
                           view_app, view_context)
from emgviz.settings import Settings

SETTINGS = Settings(**SUMMARY_SETTINGS_KW)


@pytest.fixture
def at(media):
    a = view_app("summary", "summary").run()
    assert_no_exception(a)
    assert not a.error, [e.value for e in a.error]
    return a


def _expected_table():
    from emgviz.features import feature_table

    return feature_table(view_context("summary").processed.filtered)


def test_renders_table_bars_heatmap_and_badges(at):
    shown = at.dataframe[0].value
    assert list(shown["channel"]) == ["biceps", "triceps", "<script>x</script>"]
    assert "RMS (µV)" in shown.columns and "MDF (Hz)" in shown.columns and "quality" in shown.columns
    expected = _expected_table()
    assert shown["RMS (µV)"].to_numpy() == pytest.approx(expected["RMS (V)"].to_numpy() * 1e6)
    bars = plotly_spec(at, "summary_bars")
    assert trace_array(bars["data"][0]["y"]) == pytest.approx(expected["RMS (V)"].to_numpy() * 1e6)
    heat = plotly_spec(at, "summary_heatmap")
    assert heat["data"][0]["type"] == "heatmap" and heat["data"][0]["y"][0] == "biceps"
    badges = [m for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == 3
    assert all(m.value.split("-badge[")[0] in (":green", ":orange", ":red") for m in badges)
    assert all(m.help for m in badges)  # the reason, on hover
    assert "\\<script\\>" in badges[2].value  # the file's name is escaped, not rendered


def test_feature_selectbox_and_heatmap_controls_change_the_charts(at):
    at.selectbox(key="summary_feature").select("MDF (Hz)").run()
    assert_no_exception(at)
    assert plotly_spec(at, "summary_bars")["layout"]["yaxis"]["title"]["text"] == "MDF (Hz)"
    at.radio(key="summary_heatmap_feature").set_value("MDF (fatigue)")
    at.number_input(key="summary_window_s").set_value(0.5).run()
    assert_no_exception(at)
    heat = plotly_spec(at, "summary_heatmap")
    assert heat["data"][0]["colorbar"]["title"]["text"] == "MDF (Hz)"
    x = trace_array(heat["data"][0]["x"])
    assert x[0] == pytest.approx(0.25) and len(x) == 23  # 0.5 s windows every 0.25 s over 6 s


def test_feature_csv_download_reads_back_equal_to_the_table(at, media):
    f = media(at.get_by_key("summary_dl_features").proto.url)
    assert f.mimetype.startswith("text/csv") and f.filename.endswith("_features.csv")
    text = f.content.decode("utf-8")
    from emgviz.export import read_provenance
    from emgviz.units import display_unit, to_display_units

    prov = read_provenance(text)
    assert prov["input"]["sha256"] == view_context("summary").digest
    assert prov["settings"] == SETTINGS.describe() and prov["units"] == "µV (stored V × 1e+06)"
    back = pd.read_csv(io.StringIO(text), comment="#")
    expected = to_display_units(_expected_table(), display_unit("V"))  # exported as shown: µV
    pd.testing.assert_frame_equal(back, expected, check_exact=False, rtol=1e-12)


def test_bursts_csv_download_has_the_bursts(at, media):
    f = media(at.get_by_key("summary_dl_bursts").proto.url)
    back = pd.read_csv(io.StringIO(f.content.decode("utf-8")), comment="#")
    assert {"channel", "onset_s", "offset_s", "peak (µV)"} <= set(back.columns)
    biceps = back[back["channel"] == "biceps"]
    assert len(biceps) >= 2  # bursts at 1–2, 3–4 (and 5–6) s
    assert biceps["onset_s"].min() == pytest.approx(1.0, abs=0.15)
    from emgviz.export import read_provenance

    assert read_provenance(f.content.decode("utf-8"))["burst detection"]["min_duration_ms"] == 300.0


def test_burst_parameters_in_the_app_change_the_bursts(at, media):
    before = len(at.dataframe[-1].value)
    at.number_input(key="summary_burst_min_ms").set_value(5000.0).run()  # longer than any burst here
    assert_no_exception(at)
    text = media(at.get_by_key("summary_dl_bursts").proto.url).content.decode("utf-8")
    after = pd.read_csv(io.StringIO(text), comment="#")
    assert before > 0 and len(after) == 0 and '"min_duration_ms": 5000.0' in text


def test_mvc_segment_switches_the_table_to_percent_mvc(at, media):
    at.radio(key="summary_mvc_mode").set_value("segment of this recording").run()
    at.number_input(key="summary_mvc_start_s").set_value(3.0)
    at.number_input(key="summary_mvc_end_s").set_value(4.0).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    shown = at.dataframe[0].value
    assert "RMS (%MVC)" in shown.columns and "RMS (µV)" not in shown.columns
    assert "MDF (Hz)" in shown.columns  # frequencies do not scale
    # a 6 s recording with bursts in half of it is well below its own burst's level
    assert (shown["RMS (%MVC)"] < 100).all() and (shown["RMS (%MVC)"] > 10).all()
    text = media(at.get_by_key("summary_dl_features").proto.url).content.decode("utf-8")
    assert "# %MVC reference: segment 3–4 s" in text
    assert "RMS (%MVC)" in pd.read_csv(io.StringIO(text), comment="#").columns


def test_bad_mvc_segment_and_bad_mvc_upload_show_errors(at):
    at.radio(key="summary_mvc_mode").set_value("segment of this recording").run()
    at.number_input(key="summary_mvc_start_s").set_value(4.0)
    at.number_input(key="summary_mvc_end_s").set_value(2.0).run()
    assert_no_exception(at)
    assert at.error and "MVC segment" in at.error[0].value
    assert "RMS (µV)" in at.dataframe[0].value.columns  # falls back to volts
    at.radio(key="summary_mvc_mode").set_value("separate MVC recording").run()
    at.file_uploader(key="summary_mvc_upload").set_value(("mvc.csv", b"not, a\nrecording", "text/csv")).run()
    assert_no_exception(at)
    assert at.error and "mvc.csv" in at.error[0].value


def test_report_and_html_downloads_are_built_only_on_click(at):
    for key in ("summary_dl_report", "summary_dl_bars_html", "summary_dl_heatmap_html"):
        button = at.get_by_key(key).proto
        assert button.deferred_file_id and not button.url, key  # no bytes until clicked
        assert not button.disabled, key
    assert at.get_by_key("summary_dl_features").proto.url  # the small CSV is eager (contrast)


PNG_KEYS = ("summary_dl_bars_png", "summary_dl_heatmap_png")


def test_png_downloads_without_chromium_are_disabled_and_say_how_to_install_it(monkeypatch, media):  # noqa: F811
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    a = view_app("summary", "summary").run()
    assert_no_exception(a)
    for key in PNG_KEYS:
        button = a.get_by_key(key).proto
        assert button.disabled and "apt-get install -y chromium" in button.help, key


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")
def test_png_downloads_with_chromium_are_enabled_and_built_only_on_click(monkeypatch, media):  # noqa: F811
    monkeypatch.setenv("BROWSER_PATH", "/usr/bin/chromium")
    a = view_app("summary", "summary").run()
    assert_no_exception(a)
    for key in PNG_KEYS:
        button = a.get_by_key(key).proto
        assert not button.disabled and not button.help, key
        assert button.deferred_file_id and not button.url, key


def test_fatigue_over_time_section_has_chart_table_and_csv(at, media):
    from emgviz.export import read_provenance

    spec = plotly_spec(at, "summary_fatigue_chart")
    assert spec["layout"]["yaxis"]["title"]["text"] == "MDF (Hz)"
    assert any("%/min" in (t.get("name") or "") for t in spec["data"])
    text = media(at.get_by_key("summary_dl_fatigue").proto.url).content.decode("utf-8")
    slopes = pd.read_csv(io.StringIO(text), comment="#")
    assert {"slope per s", "change (%/min)", "95 % CI low"} <= set(slopes.columns)
    assert set(slopes["feature"]) == {"MDF", "MNF", "RMS"} and "µV/s" in set(slopes["unit"])
    assert read_provenance(text)["fatigue windows"] == "1 s, not overlapping"
