"""Live mode without a network: ring buffer, loss counting, meters, replay pacing, recorder, session."""

import threading
import time

import numpy as np
import pytest

import emgviz
from emgviz.live import Chunk, LiveSession, Recorder, ReplaySource, RingBuffer, SourceStopped, count_lost
from emgviz.live import sources as sources_mod
from emgviz.live.meters import band_state, live_rms, moving_rms_max, percent_of_reference


def _chunk(start, n, fs=100.0, n_ch=2):
    k = np.arange(start, start + n)
    return np.vstack([k + 1000 * c for c in range(n_ch)]).astype(float), k / fs


# ---- ring buffer -------------------------------------------------------------------------------
def test_ring_keeps_the_newest_samples_in_order_across_the_wrap():
    rb = RingBuffer(2, fs=100, seconds=1.0)  # 100 samples
    for start in range(0, 250, 30):
        rb.push(*_chunk(start, min(30, 250 - start)))
    snap = rb.snapshot()
    assert snap.received == 250 and snap.lost == 0
    np.testing.assert_array_equal(snap.data[0], np.arange(150, 250))
    np.testing.assert_array_equal(snap.data[1], np.arange(150, 250) + 1000)
    np.testing.assert_allclose(snap.times, np.arange(150, 250) / 100)
    last = rb.snapshot(0.05)
    np.testing.assert_array_equal(last.data[0], np.arange(245, 250))


def test_ring_counts_samples_missing_between_time_stamps():
    rb = RingBuffer(2, fs=100, seconds=1.0)
    rb.push(*_chunk(0, 40))
    rb.push(*_chunk(47, 20))    # 40..46 never arrived: 7 lost
    rb.push(*_chunk(67, 10))
    assert rb.received == 70
    assert rb.lost == 7


def test_ring_chunk_longer_than_the_buffer_keeps_its_tail_and_counts_all():
    rb = RingBuffer(1, fs=10, seconds=1.0)
    data, t = _chunk(0, 35, fs=10, n_ch=1)
    rb.push(data, t)
    snap = rb.snapshot()
    assert snap.received == 35 and snap.lost == 0
    np.testing.assert_array_equal(snap.data[0], np.arange(25, 35))


def test_ring_is_consistent_under_a_concurrent_writer():
    rb = RingBuffer(2, fs=1000, seconds=0.5)
    done = threading.Event()

    def writer():
        for start in range(0, 20_000, 37):
            rb.push(*_chunk(start, min(37, 20_000 - start), fs=1000))
        done.set()

    th = threading.Thread(target=writer)
    th.start()
    while not done.is_set():
        snap = rb.snapshot()
        if snap.data.shape[1]:
            # every snapshot is a contiguous run of samples with matching channels and stamps
            assert np.all(np.diff(snap.data[0]) == 1)
            np.testing.assert_array_equal(snap.data[1], snap.data[0] + 1000)
            np.testing.assert_allclose(snap.times, snap.data[0] / 1000)
    th.join()
    assert rb.received == 20_000 and rb.lost == 0


def test_ring_rejects_a_chunk_of_the_wrong_shape():
    rb = RingBuffer(2, fs=100)
    with pytest.raises(ValueError, match=r"\(2, n\)"):
        rb.push(np.zeros((3, 5)), np.zeros(5))
    with pytest.raises(ValueError, match="5 samples but 4 time stamps"):
        rb.push(np.zeros((2, 5)), np.zeros(4))


def test_count_lost_ignores_jitter_and_never_goes_negative():
    assert count_lost(0.0, 0.99, 100, 100) == 0
    assert count_lost(0.0, 0.99, 90, 100) == 10
    assert count_lost(0.0, 0.99, 120, 100) == 0


# ---- meters -----------------------------------------------------------------------------------
def test_live_rms_of_a_sine_on_an_offset_is_amplitude_over_root_two():
    fs = 2000
    t = np.arange(4000) / fs
    x = np.vstack([0.5 + 3 * np.sin(2 * np.pi * 50 * t), 2 * np.sin(2 * np.pi * 40 * t)])
    np.testing.assert_allclose(live_rms(x, fs, window_ms=100), [3 / np.sqrt(2), 2 / np.sqrt(2)], rtol=1e-6)


def test_live_rms_uses_only_the_newest_window():
    x = np.concatenate([np.full(1000, 5.0), np.tile([1.0, -1.0], 100)])[None]
    assert live_rms(x, 1000, window_ms=200)[0] == pytest.approx(1.0)
    assert live_rms(x, 1000, window_ms=1000)[0] > 1.0


def test_moving_rms_max_finds_the_loudest_window():
    fs = 1000
    x = np.zeros((1, 3000))
    x[0, 1000:1500] = np.tile([4.0, -4.0], 250)  # RMS 4 for 0.5 s
    x[0, 2000:2100] = np.tile([9.0, -9.0], 50)   # RMS 9 for 0.1 s
    assert moving_rms_max(x, fs, window_ms=100)[0] == pytest.approx(9.0, rel=1e-9)
    # a 250 ms window holding the whole 9-burst: sqrt(81 * 100 / 250) > 4
    assert moving_rms_max(x, fs, window_ms=250)[0] == pytest.approx(np.sqrt(81 * 100 / 250), rel=1e-9)
    offset = np.tile([2.0, -2.0], 500)[None] + 7.0  # the window mean is removed
    assert moving_rms_max(offset, fs, window_ms=100)[0] == pytest.approx(2.0, rel=1e-9)


def test_percent_of_reference_and_band_state():
    np.testing.assert_allclose(percent_of_reference([1.0, 2.0, 3.0], [2.0, 0.0, np.nan]), [50.0, np.nan, np.nan])
    assert band_state([10, 30, 50, np.nan], 20, 40) == ["below", "in", "above", "none"]
    with pytest.raises(ValueError, match="low <= high"):
        band_state([1], 5, 2)


# ---- replay pacing ----------------------------------------------------------------------------
class _Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_replay_returns_what_fell_due_and_loops(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(sources_mod.time, "monotonic", clock)
    rec = emgviz.Recording(np.arange(10.0)[None], fs=10, ch_names=["m"])
    src = ReplaySource(rec, loop=True)
    src.start()
    assert src.read().data.tolist() == [[0.0]]          # sample 0 is due at t = 0
    clock.t += 0.45
    c = src.read()
    assert c.data.tolist() == [[1.0, 2.0, 3.0, 4.0]]     # samples 1..4 due by 0.45 s
    np.testing.assert_allclose(c.times - 100.0, [0.1, 0.2, 0.3, 0.4])
    clock.t += 1.0
    c = src.read()
    assert c.data[0].tolist() == [5, 6, 7, 8, 9, 0, 1, 2, 3, 4]  # wrapped, stamps keep running
    np.testing.assert_allclose(np.diff(c.times), 0.1)
    assert src.read().n == 0


def test_replay_without_loop_stops_at_the_end(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(sources_mod.time, "monotonic", clock)
    src = ReplaySource(emgviz.Recording(np.arange(5.0)[None], fs=10, ch_names=["m"]), loop=False)
    src.start()
    clock.t += 10
    assert src.read().data[0].tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(SourceStopped, match="end of the file"):
        src.read()


# ---- recorder and session ---------------------------------------------------------------------
def test_recorder_keeps_exactly_max_samples_and_builds_a_recording():
    r = Recorder(100, ["a", "b"], ["V", "V"], ["emg", "emg"], max_samples=55, source="test")
    for start in range(0, 100, 20):
        r.add(Chunk(*_chunk(start, 20)))
    assert r.done and r.n_samples == 55 and r.lost == 0
    rec = r.to_recording()
    assert rec.ch_names == ("a", "b") and rec.fs == 100 and rec.n_samples == 55
    np.testing.assert_array_equal(rec.data[0], np.arange(55))


def test_recorder_with_nothing_recorded_says_so():
    with pytest.raises(ValueError, match="nothing was recorded"):
        Recorder(100, ["a"], ["V"], ["emg"]).to_recording()


def test_session_pumps_a_replay_into_the_ring_and_records_it():
    rng = np.random.default_rng(3)
    rec = emgviz.Recording(rng.normal(size=(2, 400)), fs=1000, ch_names=["a", "b"])
    sess = LiveSession(ReplaySource(rec, loop=False), seconds=1.0)
    recorder = sess.start_recording()
    deadline = time.monotonic() + 20
    while sess.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not sess.running
    assert "end of the file" in sess.error
    assert sess.stop_recording() is recorder
    assert sess.ring.received == 400 and sess.ring.lost == 0
    got = recorder.to_recording().data  # from the moment recording started to the end of the file
    assert got.shape[1] >= 1
    np.testing.assert_array_equal(got, rec.data[:, 400 - got.shape[1]:])


def test_needle_simulator_source_replays_the_needle_model(monkeypatch):
    from emgviz.live import NeedleSimulatorSource
    from emgviz.simulate import simulate_needle

    clock = _Clock()
    monkeypatch.setattr(sources_mod.time, "monotonic", clock)
    src = NeedleSimulatorSource("myopathic", force=0.1, fs=4000, duration_s=0.5, seed=2)
    assert src.fs == 4000 and src.ch_names == ("needle",) and src.units == ("V",)
    src.start()
    clock.t += 0.1001
    chunk = src.read()
    expected = simulate_needle("myopathic", force=0.1, duration_s=0.5, fs=4000, seed=2).recording.data
    np.testing.assert_array_equal(chunk.data, expected[:, :401])  # samples 0..400 are due by 0.1001 s
