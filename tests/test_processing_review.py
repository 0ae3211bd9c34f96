"""Review fixes in the processing modules: shared helpers give the same numbers as before."""

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import signal

from emgviz import compare, onset_rest, onsets, pipeline
from emgviz._checks import check_order, time_index
from emgviz.compare import Session, compare_fatigue, compare_features, compare_spectra
from emgviz.envelopes import linear_envelope
from emgviz.features import windowed_features
from emgviz.filters import bandpass, clip_band, design_bandpass
from emgviz.onsets import detect_bursts, tkeo_conditioned
from emgviz.pipeline import preprocess, steps
from emgviz.quality import signal_quality
from emgviz.recording import Recording
from emgviz.settings import Settings
from emgviz.simulate import simulate
from emgviz.spectral import welch_psd


def _rec(names=("biceps", "triceps"), fs=1000.0, duration_s=6.0, seed=0, t0=0.0):
    rng = np.random.default_rng(seed)
    n = int(fs * duration_s)
    x = rng.normal(size=(len(names), n))
    x[:, n // 3:2 * n // 3] *= 6.0
    return Recording(x, fs=fs, ch_names=list(names), t0=t0)


# ---- compare: cached filtered recordings ----------------------------------------------------
def test_session_keeps_positional_label_and_recording():
    rec = _rec()
    s = Session("pre", rec)
    assert (s.label, s.recording, s.filtered) == ("pre", rec, None)


def test_session_rejects_a_filtered_recording_that_does_not_fit():
    rec = _rec()
    with pytest.raises(ValueError, match="lacks channels"):
        Session("pre", rec, rec.pick(["biceps"]))
    with pytest.raises(ValueError, match="Hz"):
        Session("pre", rec, _rec(fs=2000.0))
    with pytest.raises(ValueError, match="filtered must be"):
        Session("pre", rec, rec.data)


def test_compare_uses_the_cached_filtered_recording_instead_of_preprocessing(monkeypatch):
    settings = Settings(notch_hz=50)
    pre, post = _rec(seed=1), _rec(names=("Biceps", "triceps"), seed=2)
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


def test_filtered_sessions_yield_matched_channels_and_warnings():
    a = _rec(fs=500.0)
    b = _rec(names=("triceps", "biceps"), fs=1000.0)
    sessions, _, matched = compare._matched([Session("a", a), Session("b", b)], None)
    got = list(compare._filtered_sessions(sessions, matched, Settings()))
    assert [g[1] for g in got] == [["biceps", "triceps"], ["biceps", "triceps"]]
    assert [g[2].ch_names for g in got] == [("biceps", "triceps"), ("biceps", "triceps")]
    assert any("clipped" in w for w in got[0][3]) and got[1][3] == []
    np.testing.assert_array_equal(got[1][2].data, preprocess(b.pick(["biceps", "triceps"]), Settings()).filtered.data)


def test_compare_fatigue_reports_pipeline_warnings():
    table = compare_fatigue([Session("a", _rec(fs=500.0)), Session("b", _rec())], Settings())
    assert table.attrs["warnings"] and table.attrs["warnings"][0].startswith("a: high_hz")


def test_compare_features_checks_windows_with_check_positive():
    s = [Session("a", _rec())]
    with pytest.raises(ValueError, match="step_s must be above 0"):
        compare_features(s, step_s=0)
    with pytest.raises(ValueError, match="window_s must be a number"):
        compare_features(s, window_s="long")


# ---- pipeline ------------------------------------------------------------------------------
def test_preprocess_without_envelope_gives_the_same_filtered_signal():
    rec = _rec()
    full = preprocess(rec, Settings(notch_hz=50))
    lean = preprocess(rec, Settings(notch_hz=50), envelope=False)
    assert lean.envelope is None
    np.testing.assert_array_equal(lean.filtered.data, full.filtered.data)
    assert lean.settings == full.settings and lean.warnings == full.warnings


@pytest.mark.parametrize("settings", [Settings(), Settings(notch_hz=50), Settings(bandpass=False),
                                      Settings(remove_dc=False, bandpass=False),
                                      Settings(bandpass=False, notch_hz=60, envelope="lowpass")])
def test_steps_end_with_the_preprocess_output(settings):
    rec = _rec()
    out = preprocess(rec, settings)
    st = dict(steps(rec, settings))
    env_label = [k for k in st if k.startswith("envelope")][0]
    scale = np.abs(rec.data).max()
    np.testing.assert_allclose(st["rectified"].data, np.abs(out.filtered.data), rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(st[env_label].data, out.envelope.data, rtol=0, atol=1e-12 * scale)
    if settings.bandpass and not settings.notch_hz:  # the band-pass stage is the filtered signal itself
        bp = [k for k in st if k.startswith("band-pass")][0]
        np.testing.assert_array_equal(st["rectified"].data, np.abs(st[bp].data))
    assert st["raw"] is rec


# ---- Welch: one implementation -------------------------------------------------------------
@pytest.mark.parametrize("overlap", [0.0, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("detrend", ["constant", "linear", False])
@pytest.mark.parametrize("shape", [(1500,), (3, 1001), (2, 2, 400), (7,)])
def test_welch_psd_equals_scipy(overlap, detrend, shape):
    x = np.random.default_rng(3).normal(size=shape)
    fs = 1000.0
    nper = min(250, shape[-1])
    f0, p0 = signal.welch(x, fs=fs, window="hann", nperseg=nper, noverlap=min(int(overlap * nper), nper - 1),
                          detrend=detrend, scaling="density", axis=-1)
    f1, p1 = welch_psd(x, fs, overlap=overlap, detrend=detrend)
    np.testing.assert_array_equal(f1, f0)
    assert p1.shape == p0.shape
    np.testing.assert_allclose(p1, p0, rtol=1e-12, atol=0)


def test_welch_psd_long_signal_is_batched_and_exact():
    x = np.random.default_rng(4).normal(size=(2, 300_000))
    f0, p0 = signal.welch(x, fs=2000.0, window="hann", nperseg=500, noverlap=250, axis=-1)
    np.testing.assert_allclose(welch_psd(x, 2000.0)[1], p0, rtol=1e-12, atol=0)


def test_welch_psd_rejects_an_unknown_detrend():
    with pytest.raises(ValueError, match="detrend"):
        welch_psd(np.ones(100), 100.0, detrend="quadratic")


def test_windowed_features_not_aligned_equal_welch_of_each_window():
    rec = _rec(names=("a",), fs=1000.0, duration_s=4.0)
    table = windowed_features(rec, window_s=0.7, step_s=0.33)
    win, step = 700, 330
    for k, row in table.iterrows():
        f, p = welch_psd(rec.data[0, k * step:k * step + win], rec.fs, segment_s=0.25)
        from emgviz.spectral import mean_frequency
        assert abs(row["MNF (Hz)"] - float(mean_frequency(f, p))) <= 1e-12 * row["MNF (Hz)"]


# ---- time → sample index ---------------------------------------------------------------------
def test_index_of_matches_the_crop_rule_and_names_bad_times():
    rec = _rec(fs=1000.0, t0=2.0)
    assert rec.index_of(2.0) == 0 and rec.index_of(2.0005) == 1 and rec.index_of(2.001) == 1
    assert rec.index_of(1.0) == -1000
    assert time_index(0.3, 10.0) == 3  # 0.3 * 10 = 3.0000000000000004 is still sample 3
    with pytest.raises(ValueError, match="number of seconds"):
        rec.index_of("soon")
    with pytest.raises(ValueError, match="finite"):
        rec.index_of(float("nan"))
    assert rec.crop(3.0, 4.0).n_samples == 1000


def test_quality_bad_rest_is_a_value_error():
    with pytest.raises(ValueError, match=r"rest must be \(t0_s, t1_s\)"):
        signal_quality(_rec(), rest=5)
    with pytest.raises(ValueError, match="rest must be"):
        signal_quality(_rec(), rest=("a", "b"))


# ---- onsets ----------------------------------------------------------------------------------
def test_detect_bursts_finds_the_rest_window_once_per_channel(monkeypatch):
    rec = _rec()
    expect = detect_bursts(rec, method=onsets.DETECTION_METHODS)
    calls = []
    real = onsets.quietest_window

    def counting(x, fs, **kw):
        calls.append(1)
        return real(x, fs, **kw)

    monkeypatch.setattr(onset_rest, "quietest_window", counting)
    got = detect_bursts(rec, method=onsets.DETECTION_METHODS)
    assert len(calls) == rec.n_channels
    pd.testing.assert_frame_equal(got, expect)


def test_detect_bursts_with_rest_equals_the_detectors_on_arrays():
    rec = _rec(t0=10.0)
    table = detect_bursts(rec, method="threshold", rest=(10.1, 11.5))
    pairs = onsets.threshold_onsets(rec.data[0], rec.fs, rest=(0.1, 1.5))
    got = table[table["channel"] == "biceps"]
    np.testing.assert_allclose(got["onset_s"], [10.0 + a / rec.fs for a, _ in pairs])


def test_tkeo_band_uses_the_pipeline_clip():
    x = np.random.default_rng(5).normal(size=3000)
    low, high, warn = clip_band(30.0, 300.0, 500.0)
    assert (low, high) == (30.0, 237.5) and warn
    expect = tkeo_conditioned(x, 500.0, band_hz=(30.0, 237.5))
    np.testing.assert_array_equal(tkeo_conditioned(x, 500.0), expect)
    np.testing.assert_array_equal(bandpass(x, 2000.0, 30, 300), bandpass(x, 2000.0, *clip_band(30, 300, 2000.0)[:2]))


# ---- one filter-order check ------------------------------------------------------------------
@pytest.mark.parametrize("bad", [0, 11, 2.5, True, "4", float("nan")])
def test_filter_order_is_checked_the_same_everywhere(bad):
    msg = "order must be a whole number from 1 to 10"
    for call in (lambda: check_order(bad), lambda: design_bandpass(1000.0, 20, 450, order=bad),
                 lambda: linear_envelope(np.ones(100), 1000.0, cutoff_hz=6, order=bad),
                 lambda: Settings(order=bad)):
        with pytest.raises(ValueError, match=msg):
            call()
    assert check_order(4.0) == 4 and check_order(np.int64(3)) == 3


def test_notch_text_has_one_parser():
    assert Settings(notch_hz=" 60 Hz ").notch_hz == 60.0
    assert Settings(notch_hz="none").notch_hz is None
    got, problems = Settings.from_query({"notch_hz": "50 Hz"})
    assert got.notch_hz == 50.0 and problems == []
    got, problems = Settings.from_query({"notch_hz": "mains"})
    assert got.notch_hz is None and "notch_hz" in problems[0]


# ---- Recording.with_data ---------------------------------------------------------------------
def test_with_data_keeps_the_parent_fields_and_still_checks_the_samples():
    rec = Recording(np.zeros((2, 10)), fs=100.0, ch_names=["a", "b"], events=[(0.05, "go")], meta={"k": 1})
    child = rec.with_data(np.ones((2, 10)))
    assert child.meta is rec.meta and child.ch_names is rec.ch_names  # immutable: shared
    assert child.events is not rec.events and child.events.equals(rec.events)  # a DataFrame: copied
    assert not child.data.flags.writeable
    bad = np.ones((2, 10))
    bad[1, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        rec.with_data(bad)
    with pytest.raises(ValueError, match="channel rows"):
        rec.with_data(np.ones((3, 10)))
    with pytest.raises(ValueError, match="unique"):
        rec.with_data(np.ones((2, 10)), ch_names=("a", "a"))
    with pytest.raises(ValueError, match="kind"):
        rec.with_data(np.ones((2, 10)), ch_kinds=("emg", "brain"))
    cropped = rec.crop(0.0, 0.04)
    assert len(cropped.events) == 0 and len(rec.events) == 1


# ---- simulate ---------------------------------------------------------------------------------
def test_simulation_pickles_without_its_own_recording_code():
    sim = simulate(duration_s=2, n_channels=2, artefacts={"mains": 50}, fatigue=0.2, seed=7)
    back = pickle.loads(pickle.dumps(sim))
    np.testing.assert_array_equal(back.recording.data, sim.recording.data)
    np.testing.assert_array_equal(back.truth.clean.data, sim.truth.clean.data)
    np.testing.assert_array_equal(back.truth.envelope.data, sim.truth.envelope.data)
    pd.testing.assert_frame_equal(back.truth.bursts, sim.truth.bursts)
    pd.testing.assert_frame_equal(back.recording.events, sim.recording.events)
    assert back.params == sim.params and back.recording.meta["simulation"] == sim.params
    assert back.truth.artefacts["mains"]["hz"] == 50
    with pytest.raises(TypeError):
        back.truth.artefacts["mains"]["hz"] = 60  # still read-only
