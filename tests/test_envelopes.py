"""Facts about emgviz.envelopes: analytic sines, hand-computed arrays, no edge dips."""

import numpy as np
import pytest

from emgviz.envelopes import linear_envelope, moving_average, rms_envelope, tkeo


@pytest.mark.parametrize("f_hz, fs, window_ms", [(100, 2000.0, 100), (37, 1000.0, 150), (60, 1024.0, 50)])
def test_rms_envelope_of_a_sine_is_flat_to_1_percent_up_to_the_edges(sine, f_hz, fs, window_ms):
    x = sine(f_hz, fs, 3.0, amp=3.0, phase=0.4)
    env = rms_envelope(x, fs, window_ms=window_ms)
    assert env.shape == x.shape
    np.testing.assert_allclose(env, 3.0 / np.sqrt(2), rtol=0.01)


def test_rms_envelope_hand_computed():
    # window 3 samples, slid inwards at the edges
    env = rms_envelope([1.0, 1.0, 1.0, 1.0, 5.0], 1000.0, window_ms=3)
    np.testing.assert_allclose(env, [1, 1, 1, 3, 3])


def test_rms_envelope_is_centred_on_a_burst():
    x = np.zeros(1001)
    x[495:506] = 1.0
    env = rms_envelope(x, 1000.0, window_ms=51)
    np.testing.assert_allclose(env, env[::-1], atol=1e-12)  # symmetric about the burst's centre
    assert env[500] == pytest.approx(np.sqrt(11 / 51))


def test_rms_envelope_longer_window_than_signal_is_the_overall_rms():
    np.testing.assert_allclose(rms_envelope([3.0, -4.0], 1000.0, window_ms=100), [np.sqrt(12.5)] * 2)


def test_moving_average_of_a_sine_is_two_a_over_pi_to_the_edges(sine):
    x = sine(100, 2000.0, 2.0, amp=2.0, phase=0.4)
    env = moving_average(x, 2000.0, window_ms=100)
    np.testing.assert_allclose(env, 4.0 / np.pi, rtol=0.01)
    np.testing.assert_allclose(moving_average([-1.0, 1.0, -3.0, 3.0], 1000.0, window_ms=2), [1, 2, 3, 3])


def test_linear_envelope_of_a_sine_is_flat_without_edge_dips(sine):
    x = sine(100, 2000.0, 3.0, amp=2.0)
    env = linear_envelope(x, 2000.0, cutoff_hz=6)
    np.testing.assert_allclose(env, 4.0 / np.pi, rtol=0.02)
    with pytest.raises(ValueError, match="fs/2"):
        linear_envelope(x, 2000.0, cutoff_hz=1000)


def test_envelopes_keep_channels_apart(sine):
    x = np.stack([sine(100, 1000.0, 1.0), 2 * sine(100, 1000.0, 1.0)])
    env = rms_envelope(x, 1000.0, window_ms=100)
    np.testing.assert_allclose(env[1], 2 * env[0])
    np.testing.assert_array_equal(env[0], rms_envelope(x[0], 1000.0, window_ms=100))


def test_tkeo_of_a_sine_is_a_squared_sin_squared_omega_everywhere(sine):
    fs, f, a = 1000.0, 40.0, 1.5
    x = sine(f, fs, 1.0, amp=a, phase=0.2)
    psi = tkeo(x)
    assert psi.shape == x.shape
    np.testing.assert_allclose(psi, a ** 2 * np.sin(2 * np.pi * f / fs) ** 2, rtol=1e-9)


def test_tkeo_hand_computed_and_short():
    np.testing.assert_allclose(tkeo([1.0, 2.0, 3.0, 1.0]), [1.0, 1.0, 7.0, 7.0])  # 4-3=1, 9-2=7
    np.testing.assert_allclose(tkeo([2.0, -1.0]), [4.0, 1.0])
