"""Live triggered sweeps over ring-buffer snapshots: the sweeps of known discharges, aligned on the trigger.

A needle stream with a large motor unit (known discharge times) and a small one is pushed into a
ring buffer in random chunks; the live trigger, fed snapshots as a redraw would take them, must
find every discharge of the large unit once, within one sample of where the noiseless signal
crosses the level, cut sweeps equal to the samples around it, and agree exactly with the Browse
sweep's detector run on the whole signal at once.
"""

import numpy as np
import pytest

import emgviz
from emgviz.live import RingBuffer, ReplaySource
from emgviz.live import sources as sources_mod
from emgviz.live.trigger import SweepCapture, capture_sweeps, is_needle_source, sweep_samples
from emgviz.needle.synthetic import UnitSpec, template_wave
from emgviz.plotting.sweep import find_triggers, triggered_sweeps

FS = 10_000.0
LEVEL = -450.0          # µV, falling: the large unit's main negative phase crosses it, the small one never
MS_DIV, PRE_MS = 5.0, 10.0   # 50 ms sweeps, trigger 10 ms after the sweep's start; re-arms 40 ms later
BIG = UnitSpec((3.0, 2.4, 4.6), (0.35, -1.0, 0.45), 1000.0, 10.0)    # main phase −690 µV
SMALL = UnitSpec((1.5, 1.0, 2.0), (0.4, -1.0, 0.5), 200.0, 23.0)     # main phase −143 µV


def _needle_stream(seconds=6.0, noise_uv=5.0, seed=7):
    """(noisy µV signal, noiseless signal, onsets of the large unit in samples, float)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * FS)
    clean = np.zeros(n)
    onsets = []
    for spec, gap_ms in ((BIG, (60.0, 140.0)), (SMALL, (30.0, 60.0))):
        t = rng.uniform(5, 20)
        starts = []
        while t + spec.duration_ms + 60 < seconds * 1000:
            starts.append(t)
            t += rng.uniform(*gap_ms)
        for t0 in starts:  # continuous onset times: the sampling grid falls anywhere in the potential
            i0 = int(np.ceil(t0 * FS / 1000))
            idx = np.arange(i0, i0 + int(spec.duration_ms * FS / 1000) + 2)
            clean[idx] += template_wave(spec, idx * 1000 / FS - t0)
        if spec is BIG:
            onsets = np.asarray(starts) * FS / 1000
    return clean + rng.normal(0, noise_uv, n), clean, onsets


def _crossing(clean, onset):
    """First sample at or below LEVEL within the large unit's potential (noiseless)."""
    i0 = int(np.ceil(onset))
    seg = clean[i0:i0 + int(BIG.duration_ms * FS / 1000) + 2]
    return i0 + int(np.flatnonzero(seg <= LEVEL)[0])


def _run_live(x, *, ring_s=1.0, n_last=8, seed=0, max_chunk=700):
    """Push x into a ring in random chunks; after each, update the capture from a ring snapshot."""
    rng = np.random.default_rng(seed)
    ring = RingBuffer(1, fs=FS, seconds=ring_s)
    cap, captured, pos = None, {}, 0
    while pos < x.size:
        n = int(rng.integers(1, max_chunk))
        ring.push(x[None, pos:pos + n], (pos + np.arange(min(n, x.size - pos))) / FS)
        pos += n
        snap = ring.since(cap.next_start() if cap is not None else 0, channel=0)
        cap = capture_sweeps(snap.data[0], FS, end=snap.received, level=LEVEL, ms_per_div=MS_DIV, pre_ms=PRE_MS,
                             n_last=n_last, previous=cap)
        for t, row in zip(cap.triggers, cap.rows):
            captured.setdefault(int(t), row)
    return cap, captured


def test_every_discharge_of_the_large_unit_gives_one_sweep_aligned_within_one_sample():
    x, clean, onsets = _needle_stream()
    cap, captured = _run_live(x)
    pre_n, sweep_n = sweep_samples(FS, ms_per_div=MS_DIV, pre_ms=PRE_MS)
    assert (pre_n, sweep_n) == (100, 500)
    expected = [_crossing(clean, o) for o in onsets]
    fits = [c for c in expected if c - pre_n >= 0 and c - pre_n + sweep_n <= x.size]
    got = sorted(captured)
    assert len(got) == len(fits) > 40                                # one sweep per discharge, none extra
    assert np.max(np.abs(np.asarray(got) - np.asarray(fits))) <= 1  # on the noiseless crossing ±1 sample
    for t, row in captured.items():                                  # each sweep is the stream around it
        np.testing.assert_array_equal(row, x[t - pre_n:t - pre_n + sweep_n])
        assert row[pre_n] <= LEVEL < row[pre_n - 1]                  # the crossing sits on the delay line
    # the overlay holds the newest n_last sweeps
    assert cap.rows.shape == (8, sweep_n)
    assert cap.triggers.tolist() == got[-8:]
    assert cap.found == len(fits)


def test_live_trigger_equals_the_browse_detector_on_the_whole_signal_for_any_chunking():
    x, _, _ = _needle_stream(seconds=4.0, noise_uv=60.0, seed=3)  # noisy: many crossings, dead time matters
    offline = find_triggers(x, FS, LEVEL, dead_time_ms=10 * MS_DIV - PRE_MS)
    rows, kept = triggered_sweeps(x, offline, pre_samples=100, sweep_samples=500)
    for seed, max_chunk in ((1, 5), (2, 300), (3, 4000)):  # 0.5 ms to 400 ms chunks
        cap, captured = _run_live(x, n_last=1000, seed=seed, max_chunk=max_chunk)
        assert cap.found == offline.size
        assert sorted(captured) == kept.tolist()
        np.testing.assert_array_equal(cap.rows, rows)


@pytest.mark.parametrize("split", range(990, 1012))
def test_a_crossing_at_a_snapshot_boundary_is_found_once(split):
    x = np.zeros(3000)
    x[1000:1010] = -600.0   # crosses at 1000; 1001–1009 stay below (no second crossing)
    x[2000] = -600.0
    cap = capture_sweeps(x[:split], FS, end=split, level=LEVEL, ms_per_div=1.0, pre_ms=2.0, n_last=5)
    start = cap.next_start()
    cap = capture_sweeps(x[start:], FS, end=3000, level=LEVEL, ms_per_div=1.0, pre_ms=2.0, n_last=5, previous=cap)
    assert cap.triggers.tolist() == [1000, 2000] and cap.found == 2 and cap.pending == ()
    np.testing.assert_array_equal(cap.rows[0], x[980:1080])


def test_a_new_time_base_or_delay_starts_afresh_and_the_ring_may_have_moved_on():
    x = np.zeros(5000)
    x[[1000, 3000]] = -600.0
    cap = capture_sweeps(x, FS, end=5000, level=LEVEL, ms_per_div=5.0, pre_ms=10.0, n_last=5)
    assert cap.triggers.tolist() == [1000, 3000]
    again = capture_sweeps(x, FS, end=5000, level=LEVEL, ms_per_div=10.0, pre_ms=10.0, n_last=5, previous=cap)
    assert again.sweep_n == 1000 and again.triggers.tolist() == [1000, 3000]   # recut at 100 ms sweeps
    # a redraw that comes late: the pending trigger's start was overwritten, it is dropped, not misaligned
    late = capture_sweeps(x[:3200], FS, end=3200, level=LEVEL, ms_per_div=5.0, pre_ms=10.0, n_last=5)
    assert late.pending == (3000,)
    gone = capture_sweeps(x[3500:], FS, end=5000, level=LEVEL, ms_per_div=5.0, pre_ms=10.0, n_last=5, previous=late)
    assert gone.triggers.tolist() == [1000] and gone.pending == () and gone.found == 2


def test_bad_settings_say_what_is_wrong():
    x = np.zeros(100)
    with pytest.raises(ValueError, match="delay line must be within the sweep"):
        capture_sweeps(x, FS, end=100, level=-1, ms_per_div=1.0, pre_ms=10.0, n_last=1)
    with pytest.raises(ValueError, match="non-zero"):
        capture_sweeps(x, FS, end=100, level=0, ms_per_div=1.0, pre_ms=1.0, n_last=1)
    with pytest.raises(ValueError, match="only 50 were received"):
        capture_sweeps(x, FS, end=50, level=-1, ms_per_div=1.0, pre_ms=1.0, n_last=1)
    with pytest.raises(ValueError, match="n_last"):
        capture_sweeps(x, FS, end=100, level=-1, ms_per_div=1.0, pre_ms=1.0, n_last=0)


class _Clock:
    def __init__(self):
        self.t = 50.0

    def __call__(self):
        return self.t


def test_the_needle_simulator_replayed_live_triggers_as_the_browse_sweep_does(monkeypatch):
    """The simulator's needle recording (volts) through a real-time replay: live sweeps = offline sweeps."""
    from emgviz.live import NeedleSimulatorSource
    from emgviz.plotting.sweep import to_microvolts

    clock = _Clock()
    monkeypatch.setattr(sources_mod.time, "monotonic", clock)
    src = NeedleSimulatorSource("normal", force=0.1, fs=FS, duration_s=1.0, seed=4)
    assert is_needle_source(src)
    x_uv, unit = to_microvolts(src.rec.data[0], src.rec.ch_units[0])
    assert unit == "µV"
    level = -0.5 * float(np.max(-x_uv))  # half the largest negative peak: the larger units trigger
    ring, cap = RingBuffer(1, fs=FS, seconds=0.5), None
    src.start()
    for _ in range(2 * 20):            # 2 s: the 1 s recording twice (looped), in 50 ms redraws
        clock.t += 0.05
        chunk = src.read()
        ring.push(chunk.data, chunk.times)
        snap = ring.since(cap.next_start() if cap else 0, channel=0)
        cap = capture_sweeps(to_microvolts(snap.data[0], "V")[0], FS, end=snap.received, level=level,
                             ms_per_div=10.0, pre_ms=20.0, n_last=100, previous=cap)
    looped = np.tile(x_uv, 2)[:ring.received]
    trig = find_triggers(looped, FS, level, dead_time_ms=80.0)
    rows, kept = triggered_sweeps(looped, trig, pre_samples=200, sweep_samples=1000)
    assert kept.size >= 5 and cap.found == trig.size
    assert cap.triggers.tolist() == kept.tolist()
    np.testing.assert_allclose(cap.rows, rows, rtol=1e-12)


def test_needle_streams_are_told_from_surface_ones():
    from emgviz.live import SimulatorSource

    assert not is_needle_source(SimulatorSource(n_channels=1, duration_s=1.0))            # surface, 2 kHz
    assert is_needle_source(ReplaySource(emgviz.Recording(np.zeros((1, 10)), fs=4000, ch_names=["m"])))
    needle_file = emgviz.Recording(np.zeros((1, 10)), fs=2000, ch_names=["m"], meta={"electrode": "concentric needle"})
    assert is_needle_source(ReplaySource(needle_file))


def test_capture_is_a_frozen_value():
    cap = capture_sweeps(np.zeros(10), FS, end=10, level=-1, ms_per_div=0.1, pre_ms=0.0, n_last=1)
    assert isinstance(cap, SweepCapture) and cap.triggers.size == 0 and cap.armed_from == 10
    with pytest.raises(AttributeError):
        cap.found = 3
