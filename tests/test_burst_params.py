"""Burst parameters: defaults give one burst per contraction on the bundled gesture recording."""

import pytest

import emgviz
from emgviz.burst_params import BURST_DEFAULTS, BurstParams
from emgviz.onsets import detect_bursts
from emgviz.samples import sample_path


@pytest.fixture(scope="module")
def gestures():
    rec = emgviz.read_file(sample_path("uci-gestures"), unit="V")
    return rec, emgviz.preprocess(rec, emgviz.Settings()).filtered


def _split_and_outside(bursts, events):
    gestures = [(t, t + d) for t, d in zip(events["time_s"], events["duration_s"])]
    split = outside = 0
    for _, grp in bursts.groupby("channel"):
        hits: dict[int, int] = {}
        for on, off in zip(grp["onset_s"], grp["offset_s"]):
            idx = [i for i, (a, z) in enumerate(gestures) if on < z and off > a]
            outside += not idx
            for i in idx:
                hits[i] = hits.get(i, 0) + 1
        split += sum(v > 1 for v in hits.values())
    return split, outside


def test_defaults_never_split_a_gesture_and_rarely_fire_outside_one(gestures):
    rec, filtered = gestures
    assert len(rec.events) == 12  # the file's own gesture events: the ground truth
    bursts = detect_bursts(filtered, **BURST_DEFAULTS.detector_options())
    split, outside = _split_and_outside(bursts, rec.events)
    assert split == 0 and outside <= 5 and len(bursts) <= 12 * rec.n_channels
    raw = detect_bursts(filtered, min_on_ms=50, min_off_ms=50)  # the detector's bare minimums
    assert _split_and_outside(raw, rec.events)[0] > 10  # ... split contractions into many bursts


def test_parameters_are_checked_and_written_for_exports():
    with pytest.raises(ValueError, match="merge_gap_ms must be a positive number"):
        BurstParams(merge_gap_ms=0)
    assert BurstParams(k=3).detector_options() == {"k": 3.0, "min_on_ms": 300.0, "min_off_ms": 800.0}
    assert '"merge_gap_ms": 800.0' in BURST_DEFAULTS.to_json() and "Hodges" in BURST_DEFAULTS.to_json()
