"""Facts about emgviz.pipeline: gains through preprocess, warnings, raw untouched, steps."""

import numpy as np
import pytest

from emgviz.filters import effective_band
from emgviz import pipeline
from emgviz.pipeline import Processed, preprocess, steps
from emgviz.recording import Recording
from emgviz.settings import Settings

FS = 2000.0


def amp_mid(x, fs=FS, trim_s=2.0):
    k = int(trim_s * fs)
    return np.sqrt(2 * np.mean(x[..., k:-k] ** 2, axis=-1))


def test_tone_passes_while_drift_and_offset_are_removed_by_the_defaults(sine):
    data = np.stack([sine(100, FS, 8.0, amp=1e-3, phase=0.7), sine(2, FS, 8.0, amp=1e-3, phase=0.7) + 0.5])
    rec = Recording(data, fs=FS, ch_names=["tone", "drift"])
    out = preprocess(rec, Settings())
    a = amp_mid(out.filtered.data)
    assert a[0] == pytest.approx(1e-3, rel=0.02)
    assert 20 * np.log10(a[1] / 1e-3) <= -40
    assert out.warnings == ()


def test_hum_is_removed_by_the_50_hz_notch_and_an_80_hz_tone_kept(sine):
    rec = Recording(np.stack([sine(50, FS, 8.0, amp=1e-3, phase=0.7), sine(80, FS, 8.0, amp=1e-3, phase=0.7)]), fs=FS, ch_names=["hum", "tone"])
    a_off = amp_mid(preprocess(rec, Settings()).filtered.data)
    a = amp_mid(preprocess(rec, Settings(notch_hz=50)).filtered.data)
    assert a_off[0] == pytest.approx(1e-3, rel=0.02)       # the band-pass alone keeps the hum
    assert 20 * np.log10(a[0] / 1e-3) <= -40
    assert a[1] == pytest.approx(1e-3, rel=0.02)


def test_raw_recording_is_unchanged_and_still_read_only():
    data = np.random.default_rng(0).normal(size=(3, 4000)) + 1.0
    rec = Recording(data, fs=FS, ch_names=["a", "b", "c"])
    before = rec.data.copy()
    out = preprocess(rec, Settings(notch_hz=60, envelope="lowpass"))
    steps(rec, Settings(notch_hz=60))
    assert out.raw is rec
    np.testing.assert_array_equal(rec.data, before)
    assert not rec.data.flags.writeable
    assert not out.filtered.data.flags.writeable and not out.envelope.data.flags.writeable
    with pytest.raises(ValueError):
        rec.data[0, 0] = 1.0


def test_band_edge_above_nyquist_is_clipped_with_a_warning_at_fs_500():
    rec = Recording(np.random.default_rng(1).normal(size=(2, 2000)), fs=500.0, ch_names=["a", "b"])
    out = preprocess(rec, Settings())
    assert out.settings.high_hz == 237.5 and out.settings.low_hz == 20.0
    # the wording is checked in test_filters.py; here: the pipeline passes that one warning on
    assert out.warnings == tuple(effective_band(Settings(), 500.0)[2]) and len(out.warnings) == 1
    assert np.isfinite(out.filtered.data).all()


def test_band_pass_and_notch_skipped_with_warnings_when_fs_is_too_low():
    rec = Recording(np.random.default_rng(1).normal(size=(1, 900)), fs=90.0, ch_names=["a"])
    out = preprocess(rec, Settings(low_hz=44, high_hz=100, notch_hz=50))
    assert out.settings.bandpass is False and out.settings.notch_hz is None
    assert any("band-pass skipped" in w for w in out.warnings)
    assert any("notch skipped" in w for w in out.warnings)
    # DC removal only
    np.testing.assert_allclose(out.filtered.data, rec.data - rec.data.mean(), atol=1e-12)


def test_arbitrary_units_metadata_and_envelope_of_a_sine(sine):
    rec = Recording(sine(100, FS, 8.0, amp=300.0, phase=0.7)[None, :] + 2000.0, fs=FS, ch_names=["raw_counts"], unit="a.u.", t0=3.0)
    out = preprocess(rec, Settings())
    assert isinstance(out, Processed)
    assert out.filtered.unit == "a.u." and out.envelope.unit == "a.u." and out.filtered.t0 == 3.0
    k = int(FS)  # 1 s in from the edges (filter settling)
    np.testing.assert_allclose(out.envelope.data[0, k:-k], 300 / np.sqrt(2), rtol=0.02)
    np.testing.assert_array_equal(out.rectified.data, np.abs(out.filtered.data))
    low = preprocess(rec, Settings(envelope="lowpass", lowpass_hz=6))
    np.testing.assert_allclose(low.envelope.data[0, k:-k], 2 * 300 / np.pi, rtol=0.02)


def test_one_channel_alone_equals_the_same_channel_among_eight():
    data = np.random.default_rng(5).normal(size=(8, 5000))
    rec8 = Recording(data, fs=FS, ch_names=[f"m{i}" for i in range(8)])
    rec1 = rec8.pick(["m3"])
    s = Settings(notch_hz=50)
    out8, out1 = preprocess(rec8, s), preprocess(rec1, s)
    np.testing.assert_array_equal(out8.filtered.data[3], out1.filtered.data[0])
    np.testing.assert_array_equal(out8.envelope.data[3], out1.envelope.data[0])


def test_short_recording_does_not_crash_and_says_why_edges_ring():
    rec = Recording(np.arange(10.0)[None, :], fs=FS, ch_names=["a"])
    out = preprocess(rec, Settings(notch_hz=50))
    assert out.filtered.n_samples == 10 and np.isfinite(out.filtered.data).all()
    assert any("only 10 samples" in w for w in out.warnings)


def test_steps_are_labelled_in_order_and_end_where_preprocess_ends():
    rec = Recording(np.random.default_rng(2).normal(size=(2, 4000)), fs=FS, ch_names=["a", "b"])
    s = Settings(notch_hz=50)
    stages = steps(rec, s)
    assert [label for label, _ in stages] == ["raw", "DC removed", "band-pass 20–450 Hz", "notch 50 Hz",
                                              "rectified", "envelope RMS 100 ms"]
    out = preprocess(rec, s)
    np.testing.assert_allclose(stages[3][1].data, out.filtered.data, rtol=0, atol=1e-12)
    np.testing.assert_allclose(stages[4][1].data, out.rectified.data, rtol=0, atol=1e-12)
    np.testing.assert_allclose(stages[5][1].data, out.envelope.data, rtol=0, atol=1e-12)
    labels = [label for label, _ in steps(rec, Settings(remove_dc=False, envelope="lowpass"))]
    assert labels == ["raw", "band-pass 20–450 Hz", "rectified", "envelope low-pass 6 Hz"]
    low_fs = Recording(rec.data, fs=500.0, ch_names=["a", "b"])
    assert steps(low_fs, Settings())[2][0] == "band-pass 20–237.5 Hz"


def test_preprocess_rejects_wrong_argument_types():
    rec = Recording(np.zeros((1, 100)), fs=FS, ch_names=["a"])
    with pytest.raises(TypeError, match="Settings"):
        preprocess(rec, {"notch_hz": 50})
    with pytest.raises(TypeError, match="Recording"):
        preprocess(np.zeros((1, 100)), Settings())


# ---- typed steps and the Settings-aware design in the pipeline (#12) ----------------------------
def test_steps_are_typed_with_the_numbers_they_used():
    rec = Recording(np.random.default_rng(3).normal(size=(1, 4000)), fs=500.0, ch_names=["a"])
    st = steps(rec, Settings(notch_hz=50, notch_harmonics=3, envelope="lowpass", lowpass_hz=5))
    assert [s.kind for s in st] == ["raw", "dc", "bandpass", "notch", "rectified", "envelope"]
    by_kind = {s.kind: s for s in st}
    assert dict(by_kind["bandpass"].params) == {"low_hz": 20.0, "high_hz": 237.5, "order": 4}
    assert by_kind["notch"].params["freqs_hz"] == (50.0, 100.0, 150.0) and by_kind["notch"].params["q"] == 30.0
    assert dict(by_kind["envelope"].params) == {"method": "lowpass", "param": "lowpass_hz", "value": 5.0,
                                                "unit": "Hz"}
    label, r = st[2]  # still unpacks as the former (label, recording) pair
    assert (label, r) == (st[2].label, st[2].recording) == (st[2][0], st[2][1])
    with pytest.raises(ValueError, match="kind must be one of"):
        type(st[0])("hilbert", "x", rec)


def test_teach_figures_read_step_kind_and_params_not_the_label():
    from dataclasses import replace
    from emgviz.plotting.teach import step_figures
    rec = Recording(np.random.default_rng(4).normal(size=(1, 3000)), fs=1000.0, ch_names=["a"])
    s = Settings(notch_hz=50, notch_harmonics=2)
    st = steps(rec, s)
    relabelled = [replace(x, label=f"stage {i}") for i, x in enumerate(st)]
    a = step_figures(st, fs=rec.fs, settings=s)
    b = step_figures(relabelled, fs=rec.fs, settings=s)
    assert [f[3] for f in a] == [f[3] for f in b]  # captions from kind and params
    assert "Band-pass 20–450 Hz" in a[2][3] and "Notch at 50, 100 Hz" in a[3][3]
    assert len(b[2][2].data) == 2 and b[2][2].data[1].name == "band-pass gain"


def test_settings_aware_design_lives_in_the_pipeline_and_old_imports_still_work():
    from emgviz import filters, pipeline
    for name in ("effective_band", "effective_notch", "pipeline_sos", "frequency_response"):
        assert getattr(filters, name) is getattr(pipeline, name)
    from emgviz.filters import frequency_response  # noqa: F401  (the former import path)
    with pytest.raises(AttributeError):
        filters.no_such_name


# ---- filter-only runs and steps ------------------------------------------------------------------
def test_preprocess_without_envelope_gives_the_same_filtered_signal(emg_rec):
    rec = emg_rec()
    full = preprocess(rec, Settings(notch_hz=50))
    lean = preprocess(rec, Settings(notch_hz=50), envelope=False)
    assert lean.envelope is None
    np.testing.assert_array_equal(lean.filtered.data, full.filtered.data)
    assert lean.settings == full.settings and lean.warnings == full.warnings


@pytest.mark.parametrize("settings", [Settings(), Settings(notch_hz=50), Settings(bandpass=False),
                                      Settings(remove_dc=False, bandpass=False),
                                      Settings(bandpass=False, notch_hz=60, envelope="lowpass")])
def test_steps_end_with_the_preprocess_output(emg_rec, settings):
    rec = emg_rec()
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


def test_threads_give_the_same_outputs_as_one_thread(monkeypatch):
    rec = Recording(np.random.default_rng(8).normal(size=(5, 3000)), fs=1000.0, ch_names=list("abcde"))
    s = Settings(notch_hz=50, envelope="lowpass")
    monkeypatch.setattr(pipeline, "_BLOCK_SAMPLES", 3000)  # one channel per block: 5 blocks
    monkeypatch.setenv("EMGVIZ_THREADS", "1")
    one = preprocess(rec, s)
    monkeypatch.setenv("EMGVIZ_THREADS", "2")
    assert pipeline._workers(5, 15000) == 2
    two = preprocess(rec, s)
    np.testing.assert_array_equal(two.filtered.data, one.filtered.data)
    np.testing.assert_array_equal(two.envelope.data, one.envelope.data)
    monkeypatch.delenv("EMGVIZ_THREADS")
    assert pipeline._workers(5, 100) == 1  # small work: one thread whatever the load
