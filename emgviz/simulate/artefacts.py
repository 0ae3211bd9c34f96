"""Artefacts added to simulated EMG: DC, baseline wander, motion, ECG, mains, noise, clipping, dropouts."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from scipy import signal

from .._checks import check_positive

__all__ = ["ARTEFACTS", "add_artefacts"]

#: Artefacts :func:`simulate` can add, in the order they are applied.
ARTEFACTS = ("dc", "wander", "motion", "ecg", "mains", "noise_snr_db", "clipping", "dropouts")

# Default artefact parameters. Amplitudes are fractions of amplitude_v (so they scale with it);
# the first key is the one a bare number sets ({"mains": 60} is 60 Hz, {"dc": 0.002} 2 mV).
_ARTEFACT_DEFAULTS: dict[str, dict[str, Any]] = {
    "dc": {"offset": 4.0},
    "wander": {"amplitude": 1.0, "hz": 0.3},
    "motion": {"amplitude": 3.0, "times_s": None, "width_s": 0.06},
    "ecg": {"amplitude": 0.6, "bpm": 65.0},
    "mains": {"hz": 50.0, "amplitude": 0.2, "harmonics": 3},
    "noise_snr_db": {"snr_db": 20.0},
    "clipping": {"level": 1.5},
    "dropouts": {"count": 3, "duration_s": 0.1, "times_s": None},
}
_RELATIVE = {("dc", "offset"), ("wander", "amplitude"), ("motion", "amplitude"), ("ecg", "amplitude"),
             ("mains", "amplitude"), ("clipping", "level")}


def _resolve_artefacts(artefacts, amplitude_v):
    if artefacts is None:
        return {}
    if not isinstance(artefacts, Mapping):
        raise ValueError(f"artefacts must be a dict like {{'mains': {{'hz': 50}}}}, got {type(artefacts).__name__}")
    out = {}
    for name, value in artefacts.items():
        if name not in _ARTEFACT_DEFAULTS:
            raise ValueError(f"unknown artefact {name!r}; artefacts are {list(ARTEFACTS)}")
        if value is None or value is False:
            continue
        params = dict(_ARTEFACT_DEFAULTS[name])
        for key in params:
            if (name, key) in _RELATIVE:
                params[key] = params[key] * amplitude_v
        if isinstance(value, Mapping):
            unknown = set(value) - set(params)
            if unknown:
                raise ValueError(f"unknown parameters {sorted(unknown)} for artefact {name!r}; "
                                 f"it takes {sorted(params)}")
            params.update(value)
        elif value is not True:
            params[next(iter(params))] = value
        for key, v in params.items():
            if key == "times_s":
                params[key] = None if v is None else [float(x) for x in np.atleast_1d(v)]
            elif key in ("harmonics", "count"):
                if int(v) != v or int(v) < (1 if key == "harmonics" else 0):
                    raise ValueError(f"artefact {name!r}: {key} must be a whole number, got {v!r}")
                params[key] = int(v)
            elif key == "snr_db":
                params[key] = float(v)
            elif key == "offset":
                params[key] = float(v)
            else:
                params[key] = check_positive(v, f"artefact {name!r} {key}")
        out[name] = params
    return out


def _json_artefacts(artefacts):
    """The caller's artefacts dict, JSON-safe (numbers as float/int, arrays as lists)."""
    if not artefacts:
        return None

    def plain(v):
        if isinstance(v, Mapping):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, (bool, type(None), str)):
            return v
        if isinstance(v, (list, tuple, np.ndarray)):
            return [plain(x) for x in np.asarray(v).tolist()]
        if isinstance(v, (int, np.integer)):
            return int(v)
        return float(v)

    return plain(artefacts)



def add_artefacts(clean, arts, *, fs, duration_s, seed, onsets_s, offsets_s, envelope, amplitude_v):
    """Add the resolved artefacts ``arts`` to a copy of ``clean`` (n_channels, n_samples), in V.

    Returns the noisy data and the artefacts with every parameter resolved (random times,
    beat times, noise RMS...). ``onsets_s``/``offsets_s`` place the default motion artefacts;
    ``envelope`` (true RMS per sample) sets the reference power of ``noise_snr_db``.
    """
    n_channels, n = clean.shape
    t = np.arange(n) / fs
    on, off = onsets_s, offsets_s
    data = clean.copy()
    resolved: dict[str, dict] = {}
    art_rng = np.random.default_rng([seed, 1])
    ch_gain = 1.0 + 0.2 * art_rng.uniform(-1, 1, n_channels)   # each channel picks them up a bit differently
    for name in ARTEFACTS:
        if name not in arts:
            continue
        p = dict(arts[name])
        if name == "dc":
            data += p["offset"]
        elif name == "wander":
            freqs = p["hz"] * np.array([1.0, 0.43, 1.71])
            ph = art_rng.uniform(0, 2 * np.pi, (n_channels, 3))
            wave = sum(np.sin(2 * np.pi * f * t[None, :] + ph[:, [k]]) / (k + 1) for k, f in enumerate(freqs))
            data += p["amplitude"] * wave / np.max(np.abs(wave), axis=1, keepdims=True)
        elif name == "motion":
            times = p["times_s"]
            if times is None:
                times = sorted(np.concatenate([on, off]).tolist())
                if not times:
                    times = sorted(art_rng.uniform(0.1, 0.9, 2) * duration_s)
                p["times_s"] = [float(v) for v in times]
            sd = p["width_s"]
            for tm in times:
                z = (t - tm) / sd
                pulse = -z * np.exp(0.5 - 0.5 * z * z)          # derivative of a Gaussian, peak 1
                data += p["amplitude"] * ch_gain[:, None] * art_rng.choice([-1, 1]) * pulse[None, :]
        elif name == "ecg":
            period = 60.0 / p["bpm"]
            beats = [art_rng.uniform(0, period)]
            while True:
                nxt = beats[-1] + period * (1 + 0.03 * art_rng.standard_normal())
                if nxt >= duration_s:
                    break
                beats.append(nxt)
            p["beats_s"] = [float(b) for b in beats]
            tq = np.arange(-int(0.3 * fs), int(0.5 * fs)) / fs
            qrs = (np.exp(-0.5 * (tq / 0.010) ** 2) - 0.15 * np.exp(-0.5 * ((tq + 0.025) / 0.008) ** 2)
                   - 0.3 * np.exp(-0.5 * ((tq - 0.025) / 0.010) ** 2) + 0.2 * np.exp(-0.5 * ((tq - 0.25) / 0.05) ** 2))
            train = np.zeros(n)
            np.add.at(train, np.minimum(np.rint(np.array(beats) * fs).astype(int), n - 1), 1.0)
            ecg = signal.fftconvolve(train, qrs)[int(0.3 * fs):int(0.3 * fs) + n]
            data += p["amplitude"] * ch_gain[:, None] * ecg[None, :]
        elif name == "mains":
            nyq = fs / 2
            used = []
            for k in range(1, p["harmonics"] + 1):
                if k * p["hz"] >= nyq:
                    break
                ph = art_rng.uniform(0, 2 * np.pi)
                data += (p["amplitude"] / k) * ch_gain[:, None] * np.sin(2 * np.pi * k * p["hz"] * t + ph)[None, :]
                used.append(k * p["hz"])
            p["frequencies_hz"] = used
        elif name == "noise_snr_db":
            act = envelope[0] > 0
            ref = np.sqrt(np.mean(clean[:, act] ** 2)) if act.sum() > fs * 0.1 else amplitude_v
            p["rms_v"] = float(ref * 10 ** (-p["snr_db"] / 20.0))
            data += p["rms_v"] * art_rng.standard_normal((n_channels, n))
        elif name == "clipping":
            np.clip(data, -p["level"], p["level"], out=data)
        elif name == "dropouts":
            times = p["times_s"]
            if times is None:
                times = sorted(art_rng.uniform(0.05, 0.95 - p["duration_s"] / duration_s, p["count"])
                               * duration_s) if p["count"] else []
                p["times_s"] = [float(v) for v in times]
            for tm in times:
                a = int(round(tm * fs))
                data[:, max(a, 0):max(a + int(round(p["duration_s"] * fs)), 0)] = 0.0
        resolved[name] = p
    return data, resolved
