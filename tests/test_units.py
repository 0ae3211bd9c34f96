"""The one display-unit rule: the app's table and the CLI's table of the same file agree."""

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from apptest_utils import assert_no_exception, new_app, overview_table
from emgviz.export import read_provenance
from emgviz.units import (MV_THRESHOLD_V, amplitude_magnitude, column_display, display_unit,
                          recording_display_unit, to_display_units)


def test_volts_are_shown_in_uv_below_one_millivolt_and_mv_at_or_above():
    assert display_unit("V", MV_THRESHOLD_V * 0.999).shown == "µV"
    assert display_unit("V", MV_THRESHOLD_V).shown == "mV"
    assert display_unit("V", None).shown == "µV"  # no magnitude: surface-EMG size


def test_raw_counts_stay_au_whatever_is_asked():
    for choice in ("auto", "mV", "µV", "V"):
        u = display_unit("a.u.", 512.0, choice=choice)
        assert (u.shown, u.factor) == ("a.u.", 1.0)
    assert column_display("RMS (a.u.)", display_unit("a.u.")) == ("RMS (a.u.)", 1.0)


def test_unknown_unit_choice_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="auto, V, mV"):
        display_unit("V", 1e-4, choice="kV")


def test_derived_units_scale_by_the_power_of_the_amplitude():
    u = display_unit("V", 5e-3)  # mV
    assert column_display("VAR (V²)", u) == ("VAR (mV²)", pytest.approx(1e6))
    assert column_display("iEMG (V·s)", u) == ("iEMG (mV·s)", 1e3)
    assert column_display("MDF (Hz)", u) == ("MDF (Hz)", 1.0)
    assert column_display("duration (s)", u) == ("duration (s)", 1.0)


def test_magnitude_is_the_largest_channel_rms_about_the_mean():
    t = np.arange(20_000) / 1000
    x = np.vstack([1.0 + 2e-3 * np.sin(2 * np.pi * 50 * t), 1e-4 * np.sin(2 * np.pi * 80 * t)])
    assert amplitude_magnitude(x) == pytest.approx(2e-3 / np.sqrt(2), rel=1e-3)  # DC of 1 V ignored


def test_table_values_scale_and_rename_without_touching_the_input():
    t = pd.DataFrame({"channel": ["a"], "RMS (V)": [2e-4], "ZC (count)": [7]})
    shown = to_display_units(t, display_unit("V", 2e-4))
    assert list(shown.columns) == ["channel", "RMS (µV)", "ZC (count)"]
    assert shown["RMS (µV)"][0] == pytest.approx(200.0) and t["RMS (V)"][0] == 2e-4


def _cli_table(path):
    r = subprocess.run([sys.executable, "-m", "emgviz", "features", str(path)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return pd.read_csv(io.StringIO(r.stdout), comment="#"), read_provenance(r.stdout)


@pytest.mark.parametrize("key, unit", [("uci-gestures", "µV"), ("biosppy", "a.u."), ("emgdb-healthy", "µV")])
def test_the_app_and_the_cli_give_the_same_table_in_the_same_unit(key, unit, sample_dir):
    from emgviz.samples import sample_path

    at = new_app()
    at.query_params["sample"] = key
    at.run()
    assert_no_exception(at)
    app = overview_table(at)  # the Overview table as shown
    cli, prov = _cli_table(sample_path(key))
    assert list(app.columns) == list(cli.columns)
    assert f"RMS ({unit})" in cli.columns and prov["units"].startswith(unit)
    assert list(app["channel"]) == list(cli["channel"].astype(str))
    for col in cli.columns[1:]:
        np.testing.assert_allclose(app[col].to_numpy(float), cli[col].to_numpy(float), rtol=1e-9, err_msg=col)


def test_cli_unit_option_rescales_by_exactly_the_prefix(sample_dir):
    from emgviz.samples import sample_path

    path = sample_path("emgdb-healthy")
    auto, _ = _cli_table(path)
    r = subprocess.run([sys.executable, "-m", "emgviz", "features", str(path), "--unit", "mV"],
                       capture_output=True, text=True, timeout=300)
    mv = pd.read_csv(io.StringIO(r.stdout), comment="#")
    np.testing.assert_allclose(mv["RMS (mV)"], auto["RMS (µV)"] / 1e3, rtol=1e-12)
    np.testing.assert_allclose(mv["VAR (mV²)"], auto["VAR (µV²)"] / 1e6, rtol=1e-12)
    from emgviz.io import read_file

    assert recording_display_unit(read_file(path)).shown == "µV"
