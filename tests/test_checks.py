"""The shared validation helpers of emgviz._checks: one message per rule, used by every processing module."""

import numpy as np
import pytest

from emgviz import Recording, Settings
from emgviz._checks import NotARecording, check_float, check_int, check_order, check_recording
from emgviz.cycles import cycle_average
from emgviz.features import burst_features, feature_table, windowed_features
from emgviz.normalise import mvc_from_recording, mvc_reference, peak_normalise, to_percent_mvc
from emgviz.onsets import detect_bursts
from emgviz.pipeline import preprocess, steps
from emgviz.quality import signal_quality
from emgviz.envelopes import linear_envelope
from emgviz.filters import design_bandpass


def test_check_int_accepts_whole_numbers_and_names_the_range():
    assert check_int(3, "n") == 3 and check_int(np.int64(4), "n") == 4 and check_int(5.0, "n", 1, 10) == 5
    for bad in (True, "3", 2.5, float("nan"), None):
        with pytest.raises(ValueError, match=r"n must be a whole number, got"):
            check_int(bad, "n")
    with pytest.raises(ValueError, match="order must be a whole number from 1 to 10, got 0"):
        check_order(0)
    with pytest.raises(ValueError, match="k must be a whole number of at least 2, got 1"):
        check_int(1, "k", 2)


def test_check_float_gives_the_rule_and_the_unit():
    assert check_float("2.5", "gain") == 2.5
    with pytest.raises(ValueError, match="t must be a finite number from 0 to 1 s, got 2"):
        check_float(2, "t", "s", low=0, high=1)
    with pytest.raises(ValueError, match="t must be a number in s, got 'x'"):
        check_float("x", "t", "s")


def test_check_recording_is_both_a_type_and_a_value_error():
    rec = Recording(np.zeros((1, 10)), fs=100.0, ch_names=["a"])
    assert check_recording(rec, "f") is rec
    with pytest.raises(NotARecording, match=r"^f needs a Recording, got ndarray; wrap arrays with emgviz\.Recording"):
        check_recording(np.zeros(10), "f")
    assert issubclass(NotARecording, TypeError) and issubclass(NotARecording, ValueError)


@pytest.mark.parametrize("call, who", [
    (lambda a: preprocess(a, Settings()), "the pipeline"),
    (lambda a: steps(a, Settings()), "the pipeline"),
    (feature_table, "feature_table"),
    (lambda a: windowed_features(a, window_s=1, step_s=1), "windowed_features"),
    (lambda a: burst_features(a, None), "burst_features"),
    (detect_bursts, "detect_bursts"),
    (signal_quality, "signal_quality"),
    (mvc_reference, "mvc_reference"),
    (mvc_from_recording, "mvc_from_recording"),
    (lambda a: to_percent_mvc(a, None), "to_percent_mvc"),
    (peak_normalise, "peak_normalise"),
])
def test_every_processing_function_refuses_an_array_with_the_same_message(call, who):
    with pytest.raises(NotARecording, match=f"^{who} needs a Recording"):
        call(np.zeros((2, 100)))


def test_settings_and_cycles_use_the_shared_whole_number_rule():
    with pytest.raises(ValueError, match="notch_harmonics must be a whole number from 1 to 20, got 0"):
        Settings(notch_harmonics=0)
    rec = Recording(np.zeros((1, 100)), fs=100.0, ch_names=["a"])
    with pytest.raises(ValueError, match="n_points must be a whole number of at least 2, got 1"):
        cycle_average(rec, [0.0, 0.5], n_points=1)


# ---- one filter-order check ----------------------------------------------------------------------
@pytest.mark.parametrize("bad", [0, 11, 2.5, True, "4", float("nan")])
def test_filter_order_is_checked_the_same_everywhere(bad):
    msg = "order must be a whole number from 1 to 10"
    for call in (lambda: check_order(bad), lambda: design_bandpass(1000.0, 20, 450, order=bad),
                 lambda: linear_envelope(np.ones(100), 1000.0, cutoff_hz=6, order=bad),
                 lambda: Settings(order=bad)):
        with pytest.raises(ValueError, match=msg):
            call()
    assert check_order(4.0) == 4 and check_order(np.int64(3)) == 3
