"""The lesson figures: every step in one SVG figure, the presenter's raw | step, and honest hum captions."""

import numpy as np
import pytest

from emgviz.pipeline import steps
from emgviz.plotting.lesson import (PRESENTER_FONT_PX, lesson_figure, presenter_figure, response_grid,
                                    step_panels)
from emgviz.plotting.lesson_stack import nice_ticks
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


def rows_of(fig, n):
    """The time-trace rows of a lesson figure: (trace, band (y0, y1)) of each step, top first."""
    return [(tr, (float(np.min(tr.y)), float(np.max(tr.y)))) for tr in fig.data[0:2 * n:2]]


def test_one_svg_figure_holds_every_step_on_few_axes(sim):
    s = Settings(notch_hz=50)
    panels = panels_for(sim, s, hum_hz=50)
    fig = lesson_figure(panels)
    assert {tr.type for tr in fig.data} == {"scatter"}                    # no WebGL
    assert len(fig.data) == 2 * len(panels) + 2                          # + the band-pass and notch gains
    titles = [a.text for a in fig.layout.annotations if a.text.startswith("<b>")]
    assert titles == [f"<b>{i + 1}. {p.title}</b>" for i, p in enumerate(panels)]
    assert [p.kind for p in panels] == ["raw", "dc", "bandpass", "notch", "rectified", "envelope"]
    # one time axis for every step (zoom one, all follow); spectra on two: fs/2 and the envelope's 50 Hz
    assert {tr.xaxis for tr in fig.data[0:12:2]} == {"x"}
    x_axes = [k for k in fig.layout.to_plotly_json() if k.startswith("xaxis")]
    assert len(x_axes) == 3
    assert tuple(fig.layout.xaxis2.range) == (0, 1000) and tuple(fig.layout.xaxis3.range) == (0, 50)
    assert fig.data[11].xaxis == "x3" and {tr.xaxis for tr in fig.data[1:10:2]} == {"x2"}
    # each row keeps to its own band, top to bottom, and never reaches the next one
    bands = [band for _, band in rows_of(fig, len(panels))]
    assert all(upper[0] > lower[1] for upper, lower in zip(bands, bands[1:]))
    assert all(len(tr.x) <= 1400 for tr in fig.data[0:12:2])
    assert fig.layout.yaxis.fixedrange and not fig.layout.xaxis.fixedrange  # zoom in time, not across rows


def test_each_row_reads_in_its_own_units(sim):
    """A row's tick labels sit where the row's own values are drawn (mV for traces, dB for spectra)."""
    panels = panels_for(sim, Settings(notch_hz=50), hum_hz=50)
    fig = lesson_figure(panels)
    vals, texts = list(fig.layout.yaxis.tickvals), list(fig.layout.yaxis.ticktext)
    for i, p in enumerate(panels):
        tr = fig.data[2 * i]
        slope, offset = np.polyfit(p.y, np.asarray(tr.y, dtype=float), 1)   # the row's value -> position map
        y0, y1 = float(np.min(tr.y)), float(np.max(tr.y))
        mine = [(v, t) for v, t in zip(vals, texts) if y0 - 12 <= v <= y1 + 12]
        assert mine, f"row {i + 1} has no tick labels"
        assert mine[-1][1].endswith(" mV")
        for pos, text in mine:
            value = float(text.replace(" mV", "").replace("−", "-"))
            assert pos == pytest.approx(slope * value + offset, abs=0.5)
    spectrum = fig.data[1]
    d_vals = [(v, t) for v, t in zip(fig.layout.yaxis2.tickvals, fig.layout.yaxis2.ticktext)
              if min(spectrum.y) - 1 <= v <= max(spectrum.y) + 1]
    slope, offset = np.polyfit(panels[0].db, np.asarray(spectrum.y, dtype=float), 1)
    assert d_vals and d_vals[-1][1].endswith(" dB")
    for pos, text in d_vals:
        assert pos == pytest.approx(slope * float(text.replace(" dB", "").replace("−", "-")) + offset, abs=0.5)
    np.testing.assert_allclose(spectrum.customdata, panels[0].db, rtol=1e-5)   # hover gives the dB


def test_nice_ticks_are_round_and_inside():
    assert nice_ticks(-1.04, 0.93).tolist() == [-1.0, -0.5, 0.0, 0.5]
    assert nice_ticks(0.0, 0.31).tolist() == [0.0, 0.1, 0.2, 0.3]
    for lo, hi in ((-131.0, -92.0), (0.001, 0.0042), (3.0, 3.0001)):
        t = nice_ticks(lo, hi)
        assert 2 <= t.size <= 5 and t.min() >= lo - 1e-12 and t.max() <= hi + 1e-12


def test_the_filter_gain_is_computed_once_per_filter(sim, monkeypatch):
    import emgviz.plotting.lesson as mod

    calls = []
    real = mod.frequency_response
    monkeypatch.setattr(mod, "frequency_response", lambda *a, **k: calls.append(a) or real(*a, **k))
    mod.filter_gain.cache_clear()
    s = Settings(notch_hz=50, low_hz=25)
    first = panels_for(sim, s, hum_hz=50)
    assert len(calls) == 2                                               # band-pass, band-pass + notch
    louder = simulate(duration_s=6, n_channels=2, seed=2, level=0.8, artefacts=HUM)
    again = step_panels(steps(louder.recording, s), settings=s, hum_hz=50)
    assert len(calls) == 2                                               # a new signal, the same filters
    assert again[2].response[1] is first[2].response[1]
    assert not again[2].response[1].flags.writeable


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


@pytest.mark.parametrize("number", [2, 3, 4, 5, 6])
def test_presenter_spectra_share_one_db_scale(sim, number):
    panels = panels_for(sim, Settings(notch_hz=50), hum_hz=50.0)
    raw, step = panels[0], panels[number - 1]
    fig = presenter_figure(raw, step, number=number)
    assert fig.layout.yaxis4.matches == "y2"                              # zoom one, both follow
    lo, hi = fig.layout.yaxis2.range
    for p in (raw, step):                                                 # both curves inside the one range
        assert lo <= float(np.min(p.db)) and float(np.max(p.db)) <= hi
    assert fig.layout.yaxis2.title.text == "dB re 1 V²/Hz" == f"dB re {step.db_ref}"


def test_onsets_are_marked_on_the_envelope_only(sim):
    panels = panels_for(sim, Settings(notch_hz=50), true_onsets_s=[1.0, 3.5], detected_onsets_s=[1.05])
    fig = lesson_figure(panels)
    marks = {tr.name: tr for tr in fig.data if tr.name in ("true onsets", "detected onsets")}
    assert sorted(v for v in marks["true onsets"].x if v is not None) == [1.0, 1.0, 3.5, 3.5]
    assert sorted(v for v in marks["detected onsets"].x if v is not None) == [1.05, 1.05]
    env = fig.data[2 * (len(panels) - 1)]
    lo, hi = float(np.min(env.y)), float(np.max(env.y))
    for tr in marks.values():                                             # on the envelope's row, time axis
        ys = [v for v in tr.y if v is not None]
        assert tr.xaxis == "x" and lo - 8 <= min(ys) and max(ys) <= hi + 8
    assert "true onsets" in panels[-1].caption and "detected onsets" in panels[-1].caption


def test_response_grid_is_fine_only_near_the_notches():
    g = response_grid(2000, [50.0, 100.0])
    assert g.size < 600 and np.all(np.diff(g) > 0)
    near, far = g[(g > 48) & (g < 52)], g[(g > 300) & (g < 400)]
    assert np.diff(near).max() <= 0.35 < 1.9 < np.diff(far).min()   # notch width at 50 Hz, Q 30: 1.7 Hz
