"""Session comparison: matching by muscle, changes, Hedges' g, symmetry."""

import io

import numpy as np
import pandas as pd
import pytest

from emgviz.compare import (Session, compare_features, compare_spectra, comparison_csv, hedges_g,
                            match_channels, pair_left_right, session_symmetry, symmetry_index, symmetry_table)
from emgviz.recording import Recording
from emgviz.settings import Settings
from emgviz import compare, pipeline
from emgviz.compare import compare_fatigue
from emgviz.pipeline import preprocess


def _rec(names, *, fs=2000.0, duration_s=10.0, amp=1.0, freq_hz=100.0, noise=0.02, seed=0, **kw):
    """Sines of ``freq_hz`` (amplitude in V, per channel) plus a little white noise and a slow AM."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * fs)) / fs
    amps = np.broadcast_to(np.asarray(amp, float), (len(names),))
    mod = 1.0 + 0.2 * np.sin(2 * np.pi * 0.37 * t)  # windows differ, so the window SD is above 0
    data = np.stack([a * 1e-3 * (mod * np.sin(2 * np.pi * freq_hz * t) + noise * rng.standard_normal(t.size))
                     for a in amps])
    return Recording(data, fs=fs, ch_names=names, **kw)


# ---- matching --------------------------------------------------------------------------
def test_match_exact_then_case_space_punctuation_insensitive():
    a = _rec(["Biceps_L", "Triceps", "TA"], duration_s=0.1)
    b = _rec(["biceps l", "TA", "trigger"], duration_s=0.1)
    m = match_channels([Session("pre", a), Session("post", b)])
    assert list(m["muscle"]) == ["Biceps_L", "Triceps", "TA", "trigger"]
    assert list(m["post"]) == ["biceps l", None, "TA", "trigger"]
    assert list(m["matched"]) == [True, False, True, False]
    assert m.attrs["unmatched"] == {"pre": ["Triceps"], "post": ["trigger"]}


def test_exact_match_wins_over_a_loose_one():
    a = _rec(["ta", "TA"], duration_s=0.1)
    b = _rec(["TA", "ta"], duration_s=0.1)
    m = match_channels([Session("a", a), Session("b", b)])
    assert m[["a", "b"]].values.tolist() == [["ta", "ta"], ["TA", "TA"]]


def test_mapping_renames_to_a_common_name():
    a = _rec(["biceps", "triceps"], duration_s=0.1)
    b = _rec(["EMG1", "EMG2"], duration_s=0.1)
    m = match_channels([Session("pre", a), Session("post", b)],
                       mapping={"post": {"EMG1": "Biceps", "EMG2": "triceps"}})
    assert m[["muscle", "pre", "post"]].values.tolist() == [["biceps", "biceps", "EMG1"],
                                                           ["triceps", "triceps", "EMG2"]]
    assert m["matched"].all()
    with pytest.raises(ValueError, match="EMG9"):
        match_channels([Session("pre", a), Session("post", b)], mapping={"post": {"EMG9": "biceps"}})
    with pytest.raises(ValueError, match="unique"):
        match_channels([Session("x", a), Session("x", b)])


# ---- effect size -----------------------------------------------------------------------
def test_hedges_g_matches_the_hand_computed_value():
    # means 3 and 5, SDs 1.5811 both, n 5 + 5: d = 1.264911, J = 1 - 3/31, g = 1.142500,
    # Var = 10/25 + g²/20 = 0.465266, CI = g ± 1.96·0.682104
    g, lo, hi = hedges_g([1, 2, 3, 4, 5], [3, 4, 5, 6, 7])
    assert g == pytest.approx(1.142500, abs=1e-5)
    assert lo == pytest.approx(1.142500 - 1.96 * 0.682104, abs=1e-4)
    assert hi == pytest.approx(1.142500 + 1.96 * 0.682104, abs=1e-4)
    assert np.isnan(hedges_g([1.0], [2.0, 3.0])[0])


# ---- compare_features ------------------------------------------------------------------
def test_doubled_amplitude_is_plus_100_percent_rms_at_different_sampling_rates():
    pre = _rec(["biceps", "triceps"], fs=2000.0, amp=[1.0, 1.0], seed=1)
    post = _rec(["Biceps", "triceps"], fs=1000.0, amp=[2.0, 1.0], seed=2)
    table = compare_features([Session("pre", pre), Session("post", post)], Settings())
    rms = table[(table["feature"] == "RMS (V)") & (table["session"] == "post")].set_index("muscle")
    assert rms.loc["biceps", "change_pct"] == pytest.approx(100.0, abs=1.0)
    assert rms.loc["triceps", "change_pct"] == pytest.approx(0.0, abs=1.0)
    assert rms.loc["biceps", "g_ci_low"] > 0  # a doubling is a sure increase
    assert rms.loc["triceps", "g_ci_low"] < 0 < rms.loc["triceps", "g_ci_high"]
    ref = table[table["session"] == "pre"]
    assert (ref["change"] == 0).all() and ref["hedges_g"].isna().all()
    assert set(table["reference"]) == {"pre"}


def test_a_spectral_shift_lowers_mdf_by_the_known_amount():
    pre = _rec(["VL"], freq_hz=120.0, seed=3)
    post = _rec(["VL"], freq_hz=90.0, seed=4)
    table = compare_features([Session("day 1", pre), Session("day 30", post)], Settings())
    mdf = table[(table["feature"] == "MDF (Hz)") & (table["session"] == "day 30")].iloc[0]
    assert mdf["change"] == pytest.approx(-30.0, abs=2.0)
    assert mdf["g_ci_high"] < 0


def test_identical_sessions_give_zero_change_and_a_ci_around_zero():
    rec = _rec(["biceps", "triceps"], seed=5)
    table = compare_features([Session("a", rec), Session("b", rec)], Settings())
    b = table[table["session"] == "b"]
    assert np.allclose(b["change"], 0.0)
    assert np.allclose(b["change_pct"].dropna(), 0.0)
    g = b.dropna(subset=["hedges_g"])
    assert len(g) >= 10
    assert np.allclose(g["hedges_g"], 0.0)
    assert (g["g_ci_low"] < 0).all() and (g["g_ci_high"] > 0).all()


def test_reference_by_label_and_overlap_correction_widens_the_ci():
    pre = _rec(["m"], amp=1.0, seed=6)
    post = _rec(["m"], amp=1.1, seed=7)
    s = [Session("pre", pre), Session("post", post)]
    by_label = compare_features(s, Settings(), reference="post")
    assert set(by_label["reference"]) == {"post"}
    assert by_label.query("session == 'pre' and feature == 'RMS (V)'")["change_pct"].iloc[0] < 0
    half = compare_features(s, Settings(), window_s=1.0, step_s=0.5).query("feature == 'RMS (V)' and session == 'post'")
    full = compare_features(s, Settings(), window_s=1.0, step_s=0.25).query("feature == 'RMS (V)' and session == 'post'")
    width = lambda r: float(r["g_ci_high"].iloc[0] - r["g_ci_low"].iloc[0])
    assert full["n_windows"].iloc[0] > half["n_windows"].iloc[0]
    assert width(full) == pytest.approx(width(half), rel=0.15)  # 4× overlap is not 2× the evidence


def test_no_common_muscle_is_a_clear_error():
    with pytest.raises(ValueError, match="no muscle is in every session"):
        compare_features([Session("a", _rec(["x"], duration_s=2)), Session("b", _rec(["y"], duration_s=2))])


def test_spectra_peak_at_the_sine_frequency_and_csv_states_settings():
    pre = _rec(["VL"], freq_hz=120.0, duration_s=3)
    post = _rec(["vl"], freq_hz=90.0, fs=1000.0, duration_s=3)
    spectra = compare_spectra([Session("pre", pre), Session("post", post)], Settings())
    f, p = spectra["VL"]["post"]
    assert abs(f[np.argmax(p)] - 90.0) <= 4.0
    table = compare_features([Session("pre", pre), Session("post", post)], Settings(notch_hz=50))
    text = comparison_csv(table, Settings(notch_hz=50), sessions=["pre", "post"], window_s=1.0, step_s=0.5)
    assert text.startswith("# emgviz")
    assert "notch 50 Hz" in text and "Hedges" in text
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert len(back) == len(table) and "hedges_g" in back.columns


# ---- symmetry --------------------------------------------------------------------------
def test_symmetry_index_formula():
    assert symmetry_index(1.0, 1.5) == pytest.approx(40.0)
    assert symmetry_index(2.0, 2.0) == 0.0
    assert np.isnan(symmetry_index(0.0, 0.0))
    np.testing.assert_allclose(symmetry_index([1.0, 3.0], [3.0, 1.0]), [100.0, -100.0])


def test_left_right_pairs_by_name_and_mapping():
    pairs = pair_left_right(["VL_L", "VL_R", "Left TA", "Right TA", "L gastroc", "R gastroc", "Lumbar", "EMG1"])
    assert pairs.values.tolist() == [["VL", "VL_L", "VL_R"], ["TA", "Left TA", "Right TA"],
                                     ["gastroc", "L gastroc", "R gastroc"]]
    pairs = pair_left_right(["EMG1", "EMG2"], mapping={"biceps": ("EMG1", "EMG2")})
    assert pairs.values.tolist() == [["biceps", "EMG1", "EMG2"]]


def test_symmetry_table_and_between_sessions():
    feats = pd.DataFrame({"channel": ["VL_L", "VL_R", "trigger"], "RMS (V)": [1.0, 1.5, 9.0]})
    si = symmetry_table(feats)
    assert si[["muscle", "feature"]].values.tolist() == [["VL", "RMS (V)"]]
    assert si["symmetry_index_pct"].iloc[0] == pytest.approx(40.0)
    comp = pd.DataFrame({"muscle": ["VL", "VL"], "feature": ["RMS (V)"] * 2, "session": ["left", "right"],
                         "value": [2.0, 1.0]})
    out = session_symmetry(comp, left="left", right="right")
    assert out["symmetry_index_pct"].iloc[0] == pytest.approx(-200 / 3)


# ---- cached filtered recordings ------------------------------------------------------------------
def test_session_keeps_positional_label_and_recording(emg_rec):
    rec = emg_rec()
    s = Session("pre", rec)
    assert (s.label, s.recording, s.filtered) == ("pre", rec, None)


def test_session_rejects_a_filtered_recording_that_does_not_fit(emg_rec):
    rec = emg_rec()
    with pytest.raises(ValueError, match="lacks channels"):
        Session("pre", rec, rec.pick(["biceps"]))
    with pytest.raises(ValueError, match="Hz"):
        Session("pre", rec, emg_rec(fs=2000.0))
    with pytest.raises(ValueError, match="filtered must be"):
        Session("pre", rec, rec.data)


def test_compare_uses_the_cached_filtered_recording_instead_of_preprocessing(emg_rec, monkeypatch):
    settings = Settings(notch_hz=50)
    pre, post = emg_rec(seed=1), emg_rec(names=("Biceps", "triceps"), seed=2)
    plain = [Session("pre", pre), Session("post", post)]
    expect_f = compare_features(plain, settings)
    expect_s = compare_spectra(plain, settings)
    expect_t = compare_fatigue(plain, settings)
    cached = [Session("pre", pre, preprocess(pre, settings).filtered),
              Session("post", post, preprocess(post, settings).filtered)]

    def fail(*args, **kwargs):
        raise AssertionError("preprocess must not run for a session with a filtered recording")

    monkeypatch.setattr(pipeline, "preprocess", fail)
    pd.testing.assert_frame_equal(compare_features(cached, settings), expect_f)
    got_s = compare_spectra(cached, settings)
    assert got_s.keys() == expect_s.keys()
    for muscle in expect_s:
        for lab, (f, p) in expect_s[muscle].items():
            np.testing.assert_array_equal(got_s[muscle][lab][0], f)
            np.testing.assert_array_equal(got_s[muscle][lab][1], p)
    pd.testing.assert_frame_equal(compare_fatigue(cached, settings), expect_t)


def test_filtered_sessions_yield_matched_channels_and_warnings(emg_rec):
    a = emg_rec(fs=500.0)
    b = emg_rec(names=("triceps", "biceps"), fs=1000.0)
    sessions, _, matched = compare._matched([Session("a", a), Session("b", b)], None)
    got = list(compare._filtered_sessions(sessions, matched, Settings()))
    assert [g[1] for g in got] == [["biceps", "triceps"], ["biceps", "triceps"]]
    assert [g[2].ch_names for g in got] == [("biceps", "triceps"), ("biceps", "triceps")]
    assert any("clipped" in w for w in got[0][3]) and got[1][3] == []
    np.testing.assert_array_equal(got[1][2].data, preprocess(b.pick(["biceps", "triceps"]), Settings()).filtered.data)


def test_compare_fatigue_reports_pipeline_warnings(emg_rec):
    table = compare_fatigue([Session("a", emg_rec(fs=500.0)), Session("b", emg_rec())], Settings())
    assert table.attrs["warnings"] and table.attrs["warnings"][0].startswith("a: high_hz")


def test_compare_features_checks_windows_with_check_positive(emg_rec):
    s = [Session("a", emg_rec())]
    with pytest.raises(ValueError, match="step_s must be above 0"):
        compare_features(s, step_s=0)
    with pytest.raises(ValueError, match="window_s must be a number"):
        compare_features(s, window_s="long")
