"""Summary figures: bars with poor channels set apart, heatmaps, badges, display units."""

import numpy as np
import pandas as pd
import pytest

from emgviz.plotting.summary import (display_table, display_unit, envelope_overview, feature_bars,
                                     feature_heatmap, quality_badges)
from emgviz.recording import Recording


def _table():
    return pd.DataFrame({"channel": ["biceps", "triceps", "deltoid", "broken"],
                         "RMS (V)": [100e-6, 120e-6, 80e-6, 5e-3],
                         "MDF (Hz)": [80.04, 70.0, 90.0, 3.0]})


def _quality():
    return pd.DataFrame({"channel": ["biceps", "triceps", "deltoid", "broken"],
                         "grade": ["good", "check", "good", "poor"],
                         "reason": ["", "50 Hz hum 12 dB", "", "clipping in 8% of samples"]})


def test_display_unit_turns_volts_into_microvolts_and_keeps_hz():
    assert display_unit("RMS (V)") == ("RMS (µV)", 1e6, "%.1f")
    assert display_unit("iEMG (V·s)")[:2] == ("iEMG (µV·s)", 1e6)
    assert display_unit("MDF (Hz)") == ("MDF (Hz)", 1.0, "%.1f")
    assert display_unit("RMS (%MVC)") == ("RMS (%MVC)", 1.0, "%.1f")
    assert display_unit("ZC rate")[1] == 1.0


def test_display_table_scales_but_stays_numeric_and_adds_quality():
    shown, formats = display_table(_table(), _quality())
    assert list(shown.columns) == ["channel", "quality", "RMS (µV)", "MDF (Hz)"]
    assert shown["RMS (µV)"].tolist() == pytest.approx([100, 120, 80, 5000])
    assert shown["quality"].tolist() == ["✓ good", "⚠ check", "✓ good", "✗ poor"]
    assert formats == {"RMS (µV)": "%.1f", "MDF (Hz)": "%.1f"}
    assert pd.api.types.is_float_dtype(shown["RMS (µV)"])


def test_quality_badges_carry_the_reason_for_the_hover():
    b = quality_badges(_quality()).set_index("channel")
    assert b.loc["broken", "emoji"] == "✗" and b.loc["broken", "badge_colour"] == "red"
    assert b.loc["broken", "reason"] == "clipping in 8% of samples"
    assert b.loc["triceps", "label"] == "⚠ check"
    assert b.loc["biceps", "reason"] == "no problem found"
    with pytest.raises(ValueError, match="grade"):
        quality_badges(pd.DataFrame({"channel": ["a"]}))


def test_feature_bars_grey_hatch_and_label_poor_channels_and_keep_them_out_of_the_median():
    fig = feature_bars(_table(), "RMS (V)", quality=_quality())
    bar = fig.data[0]
    assert list(bar.x) == ["biceps", "triceps", "deltoid", "broken"]
    assert np.asarray(bar.y) == pytest.approx([100, 120, 80, 5000])  # µV
    assert bar.marker.pattern.shape[3] == "/" and bar.marker.pattern.shape[0] == ""
    assert bar.marker.color[3] != bar.marker.color[0]
    assert bar.text[3] == "poor: clipping in 8% of samples"
    assert bar.text[0] == "100.0"
    line = [s for s in fig.layout.shapes if s.type == "line"][0]
    assert line.y0 == pytest.approx(100.0)  # median of 80, 100, 120 — not pulled up by 5000
    note = [a.text for a in fig.layout.annotations]
    assert any("1 poor excluded" in t for t in note)
    assert fig.layout.yaxis.title.text == "RMS (µV)"
    assert fig.layout.font.size >= 14


def test_feature_bars_without_quality_uses_every_channel():
    fig = feature_bars(_table(), "MDF (Hz)")
    line = [s for s in fig.layout.shapes if s.type == "line"][0]
    assert line.y0 == pytest.approx(np.median([80.04, 70, 90, 3]))
    assert fig.data[0].text[0] == "80.0"
    with pytest.raises(KeyError, match="MDF"):
        feature_bars(_table(), "nope")


def test_feature_heatmap_is_muscles_by_windows():
    rows = []
    for ch, base in [("biceps", 100e-6), ("triceps", 50e-6)]:
        for k in range(5):
            rows.append({"channel": ch, "t_start_s": k * 0.5, "t_end_s": k * 0.5 + 1.0,
                         "RMS (V)": base * (k + 1), "MDF (Hz)": 90.0 - 5 * k})
    w = pd.DataFrame(rows)
    fig = feature_heatmap(w, "RMS (V)")
    hm = fig.data[0]
    assert list(hm.y) == ["biceps", "triceps"]
    assert np.asarray(hm.x) == pytest.approx([0.5, 1.0, 1.5, 2.0, 2.5])  # window centres
    z = np.asarray(hm.z, dtype=float)
    assert z.shape == (2, 5)
    assert z[0] == pytest.approx([100, 200, 300, 400, 500])
    assert hm.colorbar.title.text == "RMS (µV)"
    assert "1 s windows" in fig.layout.title.text
    mdf = np.asarray(feature_heatmap(w, "MDF (Hz)").data[0].z, dtype=float)
    assert mdf[1] == pytest.approx([90, 85, 80, 75, 70])
    with pytest.raises(KeyError, match="ZC"):
        feature_heatmap(w, "ZC")


def test_envelope_overview_has_a_panel_per_channel_and_shades_bursts():
    fs = 1000.0
    env = Recording(np.abs(np.random.default_rng(0).normal(size=(2, 20_000))) * 1e-4, fs=fs,
                    ch_names=["a", "b"])
    bursts = pd.DataFrame({"channel": ["b"], "onset_s": [2.0], "offset_s": [3.0]})
    fig = envelope_overview(env, bursts=bursts, n_points=1000)
    assert len(fig.data) == 2
    assert all(len(tr.x) <= 1000 for tr in fig.data)
    assert max(np.asarray(fig.data[0].y)) == pytest.approx(env.data[0].max() * 1e6)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 1 and rects[0].x0 == 2.0 and rects[0].yref.startswith("y2")


# ---- quality badges ------------------------------------------------------------------------------
def test_quality_badges_are_computed_once_and_pass_through():
    from emgviz.plotting.summary import display_table, quality_badges

    q = pd.DataFrame({"channel": ["a", "b"], "grade": ["good", "poor"], "reason": ["", "flat line"]})
    badges = quality_badges(q)
    assert quality_badges(badges) is badges
    table = pd.DataFrame({"channel": ["a", "b"], "RMS (V)": [1e-4, 2e-4]})
    assert display_table(table, badges)[0].equals(display_table(table, q)[0])
