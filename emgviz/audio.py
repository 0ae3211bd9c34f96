"""Listen to EMG: a signal as a 16-bit mono WAV file, optionally slowed down."""

from __future__ import annotations

import io
import math
import wave
from fractions import Fraction

import numpy as np
from scipy import signal

from ._checks import check_fs, check_positive

__all__ = ["to_wav", "AUDIO_RATES"]

#: Standard audio sampling rates in Hz that browsers play.
AUDIO_RATES = (8000, 11025, 16000, 22050, 32000, 44100, 48000)

_FULL_SCALE = 32767
_HEADROOM = 0.9


def to_wav(x, fs, *, rate: int = 44100, slowdown: float = 1.0) -> bytes:
    """Encode one channel as a WAV file a browser can play, the way an EMG machine sounds it.

    The samples are played at ``fs / slowdown`` (so ``slowdown=2`` lasts twice as long
    and every frequency is halved), resampled to the audio ``rate`` with
    :func:`scipy.signal.resample_poly` (a rational approximation of the ratio), the DC
    offset removed and the peak normalised to 0.9 of full scale, so nothing clips.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel, in any unit (only the shape of the waveform matters).
    fs : float
        Sampling rate of ``x`` in Hz.
    rate : int, default=44100
        Audio sampling rate in Hz, one of :data:`AUDIO_RATES`.
    slowdown : float, default=1.0
        Play this many times slower (1 = real time; 0.25–16).

    Returns
    -------
    bytes
        A RIFF/WAVE file: PCM 16-bit, mono, ``rate`` Hz, lasting
        ``len(x) / fs * slowdown`` s (to the nearest audio sample).

    Examples
    --------
    >>> t = np.arange(2000) / 2000.0
    >>> wav = to_wav(np.sin(2 * np.pi * 200 * t), fs=2000)
    >>> wav[:4], len(wav) - 44 == 2 * 44100
    (b'RIFF', True)
    """
    fs = check_fs(fs)
    if int(rate) != rate or int(rate) not in AUDIO_RATES:
        raise ValueError(f"rate must be a standard audio rate in Hz {AUDIO_RATES}, got {rate!r}")
    rate = int(rate)
    slowdown = check_positive(slowdown, "slowdown")
    if not 0.25 <= slowdown <= 16:
        raise ValueError(f"slowdown must be from 0.25 to 16 (times slower), got {slowdown:g}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"to_wav takes one channel (a 1-D signal), got shape {x.shape}; pick a channel first")
    if x.size == 0:
        raise ValueError("to_wav needs at least one sample; the window holds none")
    if not np.isfinite(x).all():
        raise ValueError("the signal contains NaN or infinite values; they cannot be played")

    play_fs = fs / slowdown                      # the rate the samples are played at
    n_target = max(1, int(round(x.size * rate / play_fs)))
    level = float(np.max(np.abs(x)))
    x = x - x.mean()
    ratio = Fraction(rate / play_fs).limit_denominator(1000)
    if ratio.numerator == 0:                     # a very slow source: fall back to a coarse ratio
        ratio = Fraction(max(1, round(rate / play_fs)), 1)
    if ratio == 1:
        y = x.copy()
    else:
        y = signal.resample_poly(x, ratio.numerator, ratio.denominator)
    # the rational ratio is approximate: make the duration exact
    if y.size >= n_target:
        y = y[:n_target]
    else:
        y = np.concatenate([y, np.zeros(n_target - y.size)])
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak > 1e-9 * level and math.isfinite(peak):   # below: rounding noise of a flat signal
        y = y * (_HEADROOM * _FULL_SCALE / peak)
    pcm = np.clip(np.rint(y), -_FULL_SCALE, _FULL_SCALE).astype("<i2")

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
