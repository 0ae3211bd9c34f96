"""to_wav: a valid WAV, exact duration, no clipping, frequencies preserved (and halved when slowed)."""

import io
import wave

import numpy as np
import pytest

from emgviz.audio import to_wav


def _read(wav: bytes):
    with wave.open(io.BytesIO(wav)) as w:
        params = w.getparams()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return params, pcm


def _dominant_hz(pcm, rate):
    spec = np.abs(np.fft.rfft(pcm * np.hanning(pcm.size)))
    return np.fft.rfftfreq(pcm.size, 1 / rate)[np.argmax(spec)]


def test_header_is_riff_wave_pcm16_mono(sine):
    wav = to_wav(sine(200, 2000, 1.0), 2000)
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    params, _ = _read(wav)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 44100)


@pytest.mark.parametrize("fs, n, rate, slowdown", [
    (2000, 20_000, 44100, 1.0), (1000, 5_000, 44100, 2.0), (1925.9, 3_853, 22050, 1.0),
    (4000, 1_001, 48000, 4.0), (1000, 7, 44100, 1.0), (2048, 10_000, 44100, 1.5)])
def test_duration_is_exact(fs, n, rate, slowdown):
    x = np.random.default_rng(1).standard_normal(n)
    params, pcm = _read(to_wav(x, fs, rate=rate, slowdown=slowdown))
    assert params.framerate == rate
    assert abs(params.nframes - n / fs * slowdown * rate) <= 1
    assert pcm.size == params.nframes


def test_normalised_without_clipping_and_dc_removed(sine):
    # huge DC offset, a big spike: the spike sets the level, nothing reaches full scale
    x = sine(150, 2000, 2.0, offset=5.0, amp=1e-4)
    x[1234] += 0.01
    _, pcm = _read(to_wav(x, 2000))
    assert np.abs(pcm).max() < 32767
    assert np.abs(pcm).max() == pytest.approx(0.9 * 32767, rel=0.02)
    assert abs(pcm.mean()) < 200  # no DC left (a DC of 5 would pin everything at the top)


def test_tiny_volts_are_amplified_to_audible_level(sine):
    _, pcm = _read(to_wav(sine(200, 2000, 1.0, amp=50e-6), 2000))
    assert np.abs(pcm).max() == pytest.approx(0.9 * 32767, rel=0.02)


def test_silence_stays_silent():
    _, pcm = _read(to_wav(np.full(1000, 3.3), 1000))
    assert not pcm.any()


@pytest.mark.parametrize("fs", [2000, 1000, 1925.9])
def test_tone_frequency_is_preserved_and_halved_when_slowed(sine, fs):
    x = sine(200, fs, 2.0)
    _, pcm = _read(to_wav(x, fs))
    assert _dominant_hz(pcm, 44100) == pytest.approx(200, abs=1.5)
    _, slow = _read(to_wav(x, fs, slowdown=2))
    assert _dominant_hz(slow, 44100) == pytest.approx(100, abs=1.0)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="standard audio rate"):
        to_wav(np.zeros(10), 1000, rate=12345)
    with pytest.raises(ValueError, match="slowdown"):
        to_wav(np.zeros(10), 1000, slowdown=100)
    with pytest.raises(ValueError, match="one channel"):
        to_wav(np.zeros((2, 10)), 1000)
    with pytest.raises(ValueError, match="at least one sample"):
        to_wav(np.zeros(0), 1000)
