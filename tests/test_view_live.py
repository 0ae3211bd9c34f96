"""The Live view in AppTest: simulator and replay run, counts show, a recording downloads and reads back."""

import time

import numpy as np
import pytest

import emgviz
from tests.apptest_utils import assert_no_exception, media, new_app, plotly_spec  # noqa: F401


@pytest.fixture
def live(media):  # noqa: F811
    at = new_app().run()
    at.sidebar.radio(key="view").set_value("Live").run()
    assert_no_exception(at)
    yield at
    session = at.session_state["live_session"] if "live_session" in at.session_state else None
    if session is not None:
        session.stop()
    import gc

    gc.unfreeze()  # Start froze the test process's heap (views.heap.freeze_long_lived); give it back


def _canvas(at, key="live_canvas"):
    """The data a live canvas was given (traces and bars, or sweeps), from its component element."""
    import json

    return json.loads(next(e for e in at.get("bidi_component") if e.key == key).proto.json)


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_nothing_runs_until_start_and_the_view_says_what_to_do(live):
    assert any("press **Start**" in i.value for i in live.info)
    assert not live.get("plotly_chart")
    assert live.button(key="live_stop").disabled


def test_simulator_streams_into_traces_and_bars(live):
    live.radio(key="live_source").set_value("Simulator").run()
    live.number_input(key="live_sim_channels").set_value(3).run()
    live.button(key="live_start").click().run()
    time.sleep(0.8)
    live.run()
    assert_no_exception(live)
    received = int(_metric(live, "Samples received").replace(",", ""))
    assert received > 0 and _metric(live, "Samples lost") == "0"
    canvas = _canvas(live)
    traces, bars = canvas["traces"], canvas["bars"]
    assert len(traces["x"]) == 3 and traces["names"] == ["emg1", "emg2", "emg3"]
    session = live.session_state["live_session"]
    assert traces["t_last"] <= session.ring.snapshot(0.01).times[-1]     # drawn from the ring
    assert max(len(x) for x in traces["x"]) <= 401 and traces["x"][0][-1] == 0.0
    assert bars["unit_label"] == "RMS (µV)" and len(bars["values"]) == 3 and bars["target"] == [50.0, 150.0]
    assert not live.get("plotly_chart")                                  # no Plotly rebuilt while streaming
    time.sleep(0.5)
    live.run()
    assert int(_metric(live, "Samples received").replace(",", "")) > received
    # the source stops (here: its pump is stopped): the last window stays, as Plotly charts to hover and zoom
    session.stop()
    live.run()
    assert_no_exception(live)
    spec = plotly_spec(live, "live_traces")
    assert len(spec["data"]) == 3 and spec["layout"]["yaxis"]["ticktext"] == ["emg1", "emg2", "emg3"]
    assert plotly_spec(live, "live_bars")["layout"]["yaxis"]["title"]["text"] == "RMS (µV)"


def test_replay_recording_downloads_and_reads_back_equal_to_the_loaded_file(live, media):  # noqa: F811
    live.radio(key="live_source").set_value("Replay the loaded recording").run()
    live.button(key="live_start").click().run()
    live.button(key="live_rec_start").click().run()
    time.sleep(1.0)
    live.run()
    assert any("Recording:" in c.value for c in live.caption)
    live.button(key="live_rec_stop").click().run()
    assert_no_exception(live)
    assert any(s.value.startswith("Recorded ") and s.value.endswith("lost 0.") for s in live.success)
    f = media(live.get("download_button")[0].proto.url)
    assert f.filename.endswith(".npz")
    got = emgviz.read_bytes(f.content, f.filename)
    source = live.session_state["live_session"].source
    loaded = source.rec  # the recording the sidebar loaded, replayed
    assert got.ch_names == loaded.ch_names and got.fs == loaded.fs and got.n_samples >= 100
    first = int(round((got.meta["first_timestamp_s"] - source.t_start) * source.fs))  # sample k at t_start + k/fs
    idx = (first + np.arange(got.n_samples)) % loaded.n_samples
    np.testing.assert_array_equal(got.data, loaded.data[:, idx])


def test_no_stream_found_says_how_to_start_one(live):
    from emgviz.live.lsl import list_streams

    if list_streams(wait_s=0.5):
        pytest.skip("another LSL stream runs on this machine (a benchmark?): cannot show the no-stream message")
    live.radio(key="live_source").set_value("LSL stream").run()
    live.button(key="live_find").click().run()
    assert_no_exception(live)
    assert any("No LSL stream found" in w.value and "emgviz stream" in w.value for w in live.warning)
    live.button(key="live_start").click().run()
    assert any("Pick a stream first" in e.value for e in live.error)


def test_mvc_reference_switches_the_bars_to_percent_mvc(live):
    live.radio(key="live_source").set_value("Simulator").run()
    live.button(key="live_start").click().run()
    time.sleep(1.0)
    live.run()
    live.button(key="live_set_mvc").click().run()
    assert_no_exception(live)
    bars = _canvas(live)["bars"]
    assert bars["unit_label"] == "RMS (%MVC)" and bars["target"] == [20.0, 40.0]
    assert any(c.value.startswith("MVC reference (RMS)") for c in live.caption)


def test_needle_simulator_shows_triggered_sweeps_that_update_live(live):
    live.radio(key="live_source").set_value("Simulator").run()
    live.selectbox(key="live_sim_profile").set_value("needle: normal").run()
    live.button(key="live_start").click().run()
    assert_no_exception(live)
    assert live.toggle(key="live_sweep_on").value is True           # on by itself for a needle stream
    level = live.number_input(key="live_sweep_level").value
    assert level < 0                                                 # falling, two divisions below baseline
    assert live.selectbox(key="live_sweep_uv_div").value == -level / 2
    found = []
    for _ in range(2):
        time.sleep(1.5)
        live.run()
        assert_no_exception(live)
        sweeps = _canvas(live, "live_sweep_canvas")["sweeps"]
        found.append(live.session_state["live_sweep_capture"].found)
    assert found[1] > found[0] > 0                                   # new sweeps keep arriving
    assert sweeps["found"] == found[1] and sweeps["sweeps"] >= 1
    assert sweeps["level"] == level and sweeps["x_range"] == [-20.0, 80.0]  # 10 ms/div, delay at 2 divisions
    x, y = np.asarray(sweeps["newest"][0]), np.asarray(sweeps["newest"][1])
    i = int(np.argmin(np.abs(x)))                                    # the sample on the delay line
    assert abs(x[i]) < 1e-3 and y[i] <= level < y[i - 1]             # crosses the trigger level there
    cap = live.session_state["live_sweep_capture"]
    np.testing.assert_allclose(np.clip(cap.rows[-1], -4 * -level / 2, 4 * -level / 2), y, rtol=1e-5)


def test_surface_simulator_has_no_sweep_overlay_until_asked(live):
    live.radio(key="live_source").set_value("Simulator").run()
    live.button(key="live_start").click().run()
    time.sleep(0.5)
    live.run()
    assert live.toggle(key="live_sweep_on").value is False
    assert [e.key for e in live.get("bidi_component")] == ["live_canvas"]
    live.toggle(key="live_sweep_on").set_value(True).run()
    assert_no_exception(live)
    assert _canvas(live, "live_sweep_canvas")["sweeps"]["x_range"] == [-20.0, 80.0]
    assert any("does not look like a needle stream" in c.value for c in live.caption)


def test_start_freezes_the_heap_and_stop_gives_it_back(live, monkeypatch):
    """Streamlit collects garbage after every redraw; a frozen heap keeps that cheap while streaming.

    Stop gives the frozen objects back (what died meanwhile is collected); app.py then freezes the
    survivors again after a collection of its own (views/heap.freeze_once at the end of every run).
    """
    import gc

    from emgviz.views import heap

    thawed = []

    def thaw():
        thawed.append(gc.get_freeze_count())
        gc.unfreeze()

    monkeypatch.setattr(heap, "thaw", thaw)
    gc.unfreeze()
    live.radio(key="live_source").set_value("Simulator").run()
    live.button(key="live_start").click().run()
    assert gc.get_freeze_count() > 10_000          # the app's long-lived objects are skipped by the collector
    live.button(key="live_stop").click().run()
    assert_no_exception(live)
    assert len(thawed) == 1 and thawed[0] > 10_000  # the frozen heap was given back once, on stop
