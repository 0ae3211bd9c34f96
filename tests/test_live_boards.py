"""BrainFlow as a live source: package numbers → sample numbers, and the synthetic board through a LiveSession."""

import time

import numpy as np
import pytest

from emgviz.live import LiveSession, RingBuffer
from emgviz.live.boards import BrainFlowSource, brainflow_available, sample_numbers
from tests.apptest_utils import media  # noqa: F401


def test_sample_numbers_follow_package_numbers_across_the_wrap_and_count_gaps():
    p = np.r_[np.arange(250, 256), np.arange(0, 10)]                   # wraps after 255
    assert sample_numbers(p, previous=None, start=None).tolist() == list(range(16))
    gap = np.r_[np.arange(0, 5), np.arange(8, 12)]                      # 5, 6, 7 never arrived
    k = sample_numbers(gap, previous=None, start=None)
    assert k.tolist() == [0, 1, 2, 3, 4, 8, 9, 10, 11]
    ring = RingBuffer(1, fs=250, seconds=1)
    ring.push(np.zeros((1, k.size)), k / 250)
    assert ring.lost == 3                                                # the ring sees the gap
    nxt = sample_numbers(np.array([12, 13]), previous=11, start=11)      # the next chunk continues
    assert nxt.tolist() == [12, 13]
    assert sample_numbers(np.array([11]), previous=11, start=11).tolist() == [267]  # a repeat = a full wrap


needs_brainflow = pytest.mark.skipif(not brainflow_available(),
                                     reason="optional package brainflow not installed (pip install 'emgviz[brainflow]')")


@needs_brainflow
def test_synthetic_board_streams_volts_on_the_sample_grid_without_loss():
    src = BrainFlowSource("synthetic", n_channels=3)
    assert src.fs == 250.0 and src.ch_names == ("emg1", "emg2", "emg3") and src.units == ("V",) * 3
    sess = LiveSession(src, seconds=10.0)
    try:
        deadline = time.monotonic() + 60
        while sess.ring.received < 250 and time.monotonic() < deadline and sess.error is None:
            time.sleep(0.05)
    finally:
        sess.stop()
    assert sess.error is None
    snap = sess.ring.snapshot()
    assert snap.received >= 250 and snap.lost == 0
    np.testing.assert_allclose(np.diff(snap.times), 1 / 250, atol=1e-6)          # on the k/fs grid
    sd_uv = snap.data.std(axis=1) * 1e6
    assert np.all((sd_uv > 1) & (sd_uv < 1000))    # µV-scale signals, given in volts (not µV read as V)
    assert sd_uv[2] > sd_uv[0]                     # the synthetic board's channels grow in amplitude


@needs_brainflow
def test_board_errors_say_what_to_do():
    with pytest.raises(ValueError, match="unknown BrainFlow board 'nonesuch'"):
        BrainFlowSource("nonesuch")
    with pytest.raises(ValueError, match="n_channels must be 1 to 16"):
        BrainFlowSource("synthetic", n_channels=17)
    with pytest.raises(ValueError, match="no field 'baud'"):
        BrainFlowSource("synthetic", baud=9600)


@needs_brainflow
def test_the_live_view_reads_the_synthetic_board(media):  # noqa: F811
    import json

    from tests.apptest_utils import assert_no_exception, new_app

    at = new_app().run()
    at.sidebar.radio(key="view").set_value("Live").run()
    at.radio(key="live_source").set_value("Simulator").run()
    at.selectbox(key="live_sim_profile").set_value("BrainFlow synthetic board").run()
    at.number_input(key="live_sim_channels").set_value(3).run()
    at.button(key="live_start").click().run()
    try:
        deadline = time.monotonic() + 60
        while at.session_state["live_session"].ring.received < 100 and time.monotonic() < deadline:
            time.sleep(0.2)
        at.run()
        assert_no_exception(at)
        assert any("BrainFlow Synthetic board" in c.value for c in at.caption)
        canvas = json.loads(next(e for e in at.get("bidi_component") if e.key == "live_canvas").proto.json)
        assert canvas["traces"]["names"] == ["emg1", "emg2", "emg3"]
        received = next(m.value for m in at.metric if m.label == "Samples received")
        assert int(received.replace(",", "")) >= 100
    finally:
        at.session_state["live_session"].stop()
        import gc

        gc.unfreeze()  # Start froze the test process's heap (views.heap.freeze_long_lived)
