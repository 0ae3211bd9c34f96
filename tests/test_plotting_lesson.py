"""The lesson figures: every step in one SVG figure, the presenter's raw | step, and honest hum captions."""

import numpy as np
import pytest

from emgviz.pipeline import steps
from emgviz.plotting.lesson import (PRESENTER_FONT_PX, lesson_figure, presenter_figure, response_grid,
                                    step_panels)
from emgviz.settings import Settings
from emgviz.simulate import simulate

HUM = {"mains": {"hz": 50, "amplitude": 100e-6}}


@pytest.fixture(scope="module")
def sim():
    return simulate(duration_s=6, n_channels=2, seed=2, artefacts={**HUM, "dc": 3e-3})


def panels_for(sim, settings, **kw):
    return step_panels(steps(sim.recording, settings), settings=settings, **kw)


def hum_db(p):  # the 50 Hz bin above its neighbours at 40 and 60 Hz, in dB
    at = lambda hz: p.db[np.argmin(np.abs(p.f - hz))]
    return at(50) - max(at(40), at(60))


def test_one_svg_figure_holds_every_step(sim):
    s = Settings(notch_hz=50)
    panels = panels_for(sim, s, hum_hz=50)
    fig = lesson_figure(panels)
    assert {tr.type for tr in fig.data} == {"scatter"}                    # no WebGL
    assert len(fig.data) == 2 * len(panels) + 2                          # + the band-pass and notch gains
    titles = [a.text for a in fig.layout.annotations if a.text.startswith("<b>")]
    assert titles == [f"<b>{i + 1}. {p.title}</b>" for i, p in enumerate(panels)]
    assert [p.kind for p in panels] == ["raw", "dc", "bandpass", "notch", "rectified", "envelope"]
    for i in range(1, len(panels)):                                        # zoom one trace, all follow
        assert fig.layout[f"xaxis{2 * i + 1}"].matches == "x"
    assert all(len(tr.x) <= 1400 for tr in fig.data[::2][:len(panels)])


def test_decimated_traces_keep_every_peak(sim):
    s = Settings(notch_hz=50)
    full = steps(sim.recording, s)[2][1].data[1] * 1e3
    p = panels_for(sim, s, channel=1)[2]
    assert p.y.size <= 1400 < full.size
    assert p.y.max() == pytest.approx(full.max()) and p.y.min() == pytest.approx(full.min())


def test_the_hum_is_shown_then_removed_and_the_captions_say_so(sim):
    panels = panels_for(sim, Settings(notch_hz=50), hum_hz=50.0)
    by = {p.kind: p for p in panels}
    assert hum_db(by["raw"]) > 6 and hum_db(by["bandpass"]) > 6 and hum_db(by["notch"]) < 1
    assert "50 Hz (and its harmonics) is mains hum" in by["raw"].caption
    assert "the next step removes it" in by["bandpass"].caption
    assert "hum is gone" in by["notch"].caption
    f, gain = by["notch"].response
    for hz in (50, 100, 150):                    # the fine grid reaches each notch's depth
        assert gain[np.argmin(np.abs(f - hz))] < 0.05


def test_without_a_notch_the_captions_say_the_hum_stays(sim):
    panels = panels_for(sim, Settings(notch_hz=None), hum_hz=50.0)
    assert "notch" not in [p.kind for p in panels]
    bp = next(p for p in panels if p.kind == "bandpass")
    assert hum_db(bp) > 6
    assert "still there: no notch is applied" in bp.caption


def test_a_notch_without_hum_or_at_the_wrong_frequency_is_called_so():
    clean = simulate(duration_s=4, seed=1)
    p = next(p for p in panels_for(clean, Settings(notch_hz=50), hum_hz=None) if p.kind == "notch")
    assert "no hum, so here the notch only takes away EMG" in p.caption
    hum60 = simulate(duration_s=4, seed=1, artefacts={"mains": {"hz": 60, "amplitude": 1e-4}})
    p = next(p for p in panels_for(hum60, Settings(notch_hz=50), hum_hz=60.0) if p.kind == "notch")
    assert "hum is at 60 Hz, so this notch at 50 Hz misses it" in p.caption


def test_presenter_figure_puts_raw_beside_the_step_in_large_type(sim):
    panels = panels_for(sim, Settings(notch_hz=50), hum_hz=50.0)
    fig = presenter_figure(panels[0], panels[3], number=4)
    assert fig.layout.font.size >= 20 and PRESENTER_FONT_PX >= 20
    assert fig.layout.xaxis.tickfont.size >= 20
    names = [tr.name for tr in fig.data]
    assert names[:2] == ["Raw", "Raw spectrum"] and names[2:4] == ["Notch 50 Hz", "Notch 50 Hz spectrum"]
    left, right = fig.layout.xaxis.domain, fig.layout.xaxis3.domain
    assert left[1] < right[0]                                             # side by side
    assert fig.layout.yaxis.domain[0] > fig.layout.yaxis2.domain[1]       # traces above spectra
    only_raw = presenter_figure(panels[0], panels[0], number=1)
    assert [tr.name for tr in only_raw.data] == ["Raw", "Raw spectrum"]


def test_onsets_are_marked_on_the_envelope_only(sim):
    panels = panels_for(sim, Settings(notch_hz=50), true_onsets_s=[1.0, 3.5], detected_onsets_s=[1.05])
    fig = lesson_figure(panels)
    xs = sorted(s.x0 for s in fig.layout.shapes)
    assert xs == [1.0, 1.05, 3.5]
    env_axis = f"x{2 * (len(panels) - 1) + 1}"
    assert {s.xref for s in fig.layout.shapes} == {env_axis}
    assert "true onsets" in panels[-1].caption and "detected onsets" in panels[-1].caption


def test_response_grid_is_fine_only_near_the_notches():
    g = response_grid(2000, [50.0, 100.0])
    assert g.size < 600 and np.all(np.diff(g) > 0)
    near, far = g[(g > 48) & (g < 52)], g[(g > 300) & (g < 400)]
    assert np.diff(near).max() <= 0.35 < 1.9 < np.diff(far).min()   # notch width at 50 Hz, Q 30: 1.7 Hz
