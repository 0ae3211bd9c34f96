"""Teaching figures: one time trace + spectrum per step, filter responses, captions, lecture style."""

import numpy as np
import pytest

from emgviz.pipeline import steps
from emgviz.plotting.teach import LECTURE_FONT_PX, OKABE_ITO, step_figures, step_kind
from emgviz.settings import Settings
from emgviz.simulate import simulate

SETTINGS = Settings(notch_hz=50)


@pytest.fixture(scope="module")
def sim():
    return simulate(duration_s=6, n_channels=2, seed=2,
                    artefacts={"mains": {"hz": 50, "amplitude": 100e-6}, "dc": 3e-3, "wander": 5e-4})


@pytest.fixture
def figs(sim):
    """Fresh figures per test: plotly figures are mutable, so no test sees another's changes."""
    return step_figures(steps(sim.recording, SETTINGS), fs=sim.recording.fs, settings=SETTINGS)


def test_one_entry_per_step_with_labels_and_captions(sim, figs):
    assert [label for label, *_ in figs] == ["Raw", "DC removed", "Band-pass 20–450 Hz", "Notch 50 Hz",
                                             "Rectified", "Envelope RMS 100 ms"]
    for label, time_fig, spec_fig, caption in figs:
        assert len(caption) > 60 and caption[0].isupper()
        assert time_fig.layout.xaxis.title.text == "time (s)"
        assert spec_fig.layout.xaxis.title.text == "frequency (Hz)"


def test_filter_steps_carry_their_frequency_response_and_others_do_not(figs):
    by_label = {label: spec for label, _, spec, _ in figs}
    bp = by_label["Band-pass 20–450 Hz"]
    assert len(bp.data) == 2 and bp.data[1].yaxis == "y2"
    f, g = np.asarray(bp.data[1].x), np.asarray(bp.data[1].y)
    assert g[np.argmin(np.abs(f - 150))] == pytest.approx(1.0, abs=0.02)
    assert g[np.argmin(np.abs(f - 5))] < 0.01 and g[np.argmin(np.abs(f - 800))] < 0.01
    assert g[np.argmin(np.abs(f - 50))] > 0.95          # the band-pass alone keeps 50 Hz
    notch = by_label["Notch 50 Hz"]
    fn, gn = np.asarray(notch.data[1].x), np.asarray(notch.data[1].y)
    for hz in (50, 100, 150):
        assert gn[np.argmin(np.abs(fn - hz))] < 0.05     # ...the notch takes it (and harmonics) out
    for label in ("Raw", "DC removed", "Rectified", "Envelope RMS 100 ms"):
        assert len(by_label[label].data) == 1


def test_raw_spectrum_peaks_at_the_mains_frequency_and_the_notch_removes_it(figs):
    raw = figs[0][2].data[0]
    f, db = np.asarray(raw.x), np.asarray(raw.y)
    band = f > 20
    assert abs(f[band][np.argmax(db[band])] - 50) <= 4

    def hum_db(trace):  # the 50 Hz bins above their neighbours at 40 and 60 Hz, in dB
        fx, y = np.asarray(trace.x), np.asarray(trace.y)
        at = lambda hz: y[np.argmin(np.abs(fx - hz))]
        return max(at(48), at(52)) - max(at(40), at(60))

    assert hum_db(raw) > 6
    assert hum_db(figs[3][2].data[0]) < 1, hum_db(figs[3][2].data[0])


def test_captions_state_the_numbers(figs):
    captions = {label: cap for label, *_, cap in figs}
    assert "mean, 3.0" in captions["DC removed"] and " mV" in captions["DC removed"]
    bp = captions["Band-pass 20–450 Hz"]
    assert "below 20 Hz" in bp and "above 450 Hz" in bp
    pct = int(bp.split("removed ")[-1].split(" %")[0])
    assert pct > 30                                      # the 0.5 mV wander is most of the power
    assert "50, 100, 150 Hz" in captions["Notch 50 Hz"]
    assert "100 ms" in captions["Envelope RMS 100 ms"]


def test_time_trace_is_decimated_but_keeps_the_peaks(sim, figs):
    trace = figs[2][1].data[0]
    y = np.asarray(trace.y)
    full = steps(sim.recording, SETTINGS)[2][1].data[0] * 1e3
    assert y.size <= 3000 < full.size
    assert y.max() == pytest.approx(full.max()) and y.min() == pytest.approx(full.min())
    assert figs[2][1].layout.yaxis.title.text == "mV"


def test_channel_picks_the_drawn_channel(sim):
    st = steps(sim.recording, SETTINGS)
    a = step_figures(st, fs=sim.recording.fs, settings=SETTINGS, channel=0)[0][1].data[0].y
    b = step_figures(st, fs=sim.recording.fs, settings=SETTINGS, channel=1)[0][1].data[0].y
    assert not np.allclose(np.asarray(a), np.asarray(b))
    with pytest.raises(ValueError, match="out of range"):
        step_figures(st, fs=sim.recording.fs, settings=SETTINGS, channel=5)


def test_lecture_mode_has_large_fonts_thick_lines_okabe_ito_and_few_gridlines(sim):
    st = steps(sim.recording, SETTINGS)
    normal = step_figures(st, fs=sim.recording.fs, settings=SETTINGS)
    large = step_figures(st, fs=sim.recording.fs, settings=SETTINGS, large=True)
    palette = {c.lower() for c in OKABE_ITO.values()}
    for (_, t_n, s_n, _), (_, t_l, s_l, _) in zip(normal, large):
        for fig in (t_l, s_l):
            assert fig.layout.font.size >= 20 == LECTURE_FONT_PX - 2
            assert fig.layout.xaxis.tickfont.size >= 20 and fig.layout.title.font.size > 20
            assert all(tr.line.width >= 3 for tr in fig.data)
            assert all(tr.line.color.lower() in palette for tr in fig.data)
            assert fig.layout.xaxis.showgrid is False and fig.layout.yaxis.nticks == 4
        assert t_n.layout.font.size < 20 and t_n.layout.xaxis.showgrid is True


def test_envelope_spectrum_shows_the_low_frequencies(figs):
    env = figs[-1][2]
    assert tuple(env.layout.xaxis.range) == (0, 50)


def test_step_kind_knows_the_pipeline_labels():
    assert [step_kind(x) for x in ("raw", "DC removed", "band-pass 10–300 Hz", "notch 60 Hz", "rectified",
                                   "envelope low-pass 6 Hz", "whatever")] == [
        "raw", "dc", "bandpass", "notch", "rectified", "envelope", "other"]


def test_no_steps_is_an_error():
    with pytest.raises(ValueError, match="steps is empty"):
        step_figures([], fs=1000, settings=Settings())


def test_onsets_are_marked_on_the_envelope_trace(sim):
    st = steps(sim.recording, SETTINGS)
    figs = step_figures(st, fs=sim.recording.fs, settings=SETTINGS, true_onsets_s=[1.0, 3.5],
                        detected_onsets_s=[1.05])
    env_time, caption = figs[-1][1], figs[-1][3]
    xs = sorted(shape.x0 for shape in env_time.layout.shapes)
    assert xs == [1.0, 1.05, 3.5]
    colours = {shape.line.color for shape in env_time.layout.shapes}
    assert colours == {OKABE_ITO["green"], OKABE_ITO["vermillion"]}
    assert "true onsets" in caption and "detected onsets" in caption
    assert not figs[0][1].layout.shapes
