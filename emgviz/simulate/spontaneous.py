"""Spontaneous activity at rest for the needle simulator, each discharge with its ground truth.

Waveforms and firing follow the AANEM glossary (2015, *Muscle Nerve* 52:E1) and Dumitru,
Amato & Zwarts, *Electrodiagnostic Medicine* (2nd ed., 2002, ch. 6):

=====================  ==================================================  =======================
kind                   waveform                                            firing
=====================  ==================================================  =======================
fibrillation           one denervated fibre's potential (line-source      regular, 0.5–15 Hz
                       model, 0.08–0.25 mm away): initial positive,
                       bi/triphasic, 1–5 ms, 20–500 µV
positive_sharp_wave    a fibre's potential blocked at the needle: sharp   regular, 0.5–15 Hz
                       positive onset, long low negative phase, 10–30 ms
                       (Dumitru & King 1999, *Muscle Nerve* 22:242)
fasciculation          a whole motor unit's potential (one of the         irregular, slow:
                       preset's units)                                     0.1–0.5 Hz (Poisson)
myotonic               a fibre potential repeating while both the rate    20–150 Hz, waxing and
                       and the amplitude wax and wane ("dive bomber")     waning, 0.5–2 s runs
complex_repetitive     a fixed group of 3–6 fibre potentials, time-       constant 20–60 Hz,
                       locked (a polyphasic complex)                       abrupt start and stop
insertional            a burst of fibre potentials and positive waves     a 0.1–0.3 s burst after
                       after each needle movement, with the movement      each movement
                       artefact
=====================  ==================================================  =======================

Every generator returns its signal (V) and one truth row per **potential** for
fibrillations, positive sharp waves and fasciculations (``time_s`` = its largest peak),
or per **discharge run** for myotonic, complex repetitive and insertional activity
(``time_s`` = start, ``duration_s`` = length).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .fibres import fibre_potentials

__all__ = ["spontaneous_signal", "SPONTANEOUS_KINDS", "EVENT_COLUMNS"]

#: Kinds of spontaneous activity the simulator makes (and the detector names).
SPONTANEOUS_KINDS = ("fibrillation", "positive_sharp_wave", "fasciculation", "myotonic",
                     "complex_repetitive", "insertional")
#: Columns of an events table (truth and detection).
EVENT_COLUMNS = ["time_s", "duration_s", "type", "rate (Hz)", "amplitude (µV)"]

_DEFAULTS: dict[str, dict[str, Any]] = {
    "fibrillation": {"count": 1, "rate_hz": (0.5, 15.0), "amplitude_uv": (50.0, 400.0)},
    "positive_sharp_wave": {"count": 1, "rate_hz": (0.5, 15.0), "amplitude_uv": (50.0, 400.0)},
    "fasciculation": {"count": 1, "rate_hz": (0.15, 0.5), "amplitude_uv": (None, None)},
    "myotonic": {"count": 1, "rate_hz": (20.0, 150.0), "amplitude_uv": (100.0, 500.0)},
    "complex_repetitive": {"count": 1, "rate_hz": (20.0, 60.0), "amplitude_uv": (200.0, 1000.0)},
    "insertional": {"count": 1, "rate_hz": (None, None), "amplitude_uv": (100.0, 600.0)},
}


def _duration(w, fs, frac=0.05):
    """Duration in s of a waveform: first to last sample above ``frac`` of its largest |value|."""
    on = np.nonzero(np.abs(w) > frac * np.max(np.abs(w)))[0]
    return (on[-1] - on[0] + 1) / fs if on.size else 0.0


def _sfap(rng, fs, amplitude_uv):
    """A fibre potential (initial positive, triphasic) scaled to ``amplitude_uv`` peak-to-peak."""
    rho = rng.uniform(0.08, 0.25)
    model_fs = 50_000.0
    w = fibre_potentials([rho], [0.0], [-rng.uniform(6, 15)], [rng.uniform(45, 65)], fs=model_fs,
                         duration_s=0.012)[0]
    w = np.interp(np.arange(0, 0.012, 1 / fs), np.arange(w.size) / model_fs, w)
    on = np.nonzero(np.abs(w) > 0.01 * np.abs(w).max())[0]
    w = w[max(on[0] - 2, 0):on[-1] + 2]
    return w / np.ptp(w) * amplitude_uv * 1e-6


def _psw(rng, fs, amplitude_uv):
    """A positive sharp wave: a sharp positive onset and a long, low negative phase (10–30 ms)."""
    t = np.arange(int(0.035 * fs)) / fs
    rise, fall, slow = rng.uniform(0.2e-3, 0.5e-3), rng.uniform(1.0e-3, 2.0e-3), rng.uniform(4e-3, 8e-3)
    spike = (1 - np.exp(-t / rise)) * np.exp(-t / fall)
    neg = (t / slow) * np.exp(1 - t / slow)
    w = spike / spike.max() - 0.3 * neg
    w -= w[-1] * (t / t[-1])                        # end at the baseline
    return w / np.ptp(w) * amplitude_uv * 1e-6


def _train(rng, duration_s, rate_hz, cv, start_s=0.0, stop_s=None):
    """Discharge times (s) at a mean rate with interval CV ``cv`` in [start_s, stop_s)."""
    stop_s = duration_s if stop_s is None else stop_s
    n = int((stop_s - start_s) * rate_hz * 1.5) + 4
    isi = np.clip(1 + cv * rng.standard_normal(n), 0.3, None) / rate_hz
    t = start_s + rng.uniform(0, 1 / rate_hz) + np.concatenate([[0], np.cumsum(isi[:-1])])
    return t[t < stop_s - 0.04]


def _add(sig, w, times, fs, gains=None):
    idx = np.rint(np.asarray(times) * fs).astype(int)
    for k, i in enumerate(idx):
        seg = w if gains is None else w * gains[k]
        j = min(sig.size, i + seg.size)
        if 0 <= i < sig.size:
            sig[i:j] += seg[:j - i]


def _peak_s(w, fs):
    return int(np.argmax(np.abs(w))) / fs


def _slots(rng, duration_s, count, length_s):
    """Start times of ``count`` runs of ``length_s`` in separate slots of the recording."""
    slot = duration_s / max(count, 1)
    return [k * slot + rng.uniform(0.05, max(0.06, slot - length_s - 0.05)) for k in range(count)]


def spontaneous_signal(spec: Mapping[str, Any], *, n: int, fs: float, seed: int,
                       unit_templates: np.ndarray | None = None):
    """Spontaneous activity (V) and its truth table.

    Parameters
    ----------
    spec : dict
        Kind (one of :data:`SPONTANEOUS_KINDS`) → number of generators (trains or runs), or
        a dict ``{"count": int, "rate_hz": (lo, hi), "amplitude_uv": (lo, hi)}`` (each
        generator draws its rate and size from the ranges; a single number fixes them).
    n : int
        Samples.
    fs : float
        Sampling rate in Hz.
    seed : int
    unit_templates : ndarray, shape (n_units, n_template), optional
        Motor-unit potentials (V) to fire as fasciculations (needed for that kind).

    Returns
    -------
    signal : ndarray, shape (n,)
    events : DataFrame
        :data:`EVENT_COLUMNS` plus ``source`` (``"<kind> <k>"``), in time order.

    Examples
    --------
    >>> sig, ev = spontaneous_signal({"fibrillation": {"count": 1, "rate_hz": 5}}, n=40_000,
    ...                              fs=20_000, seed=0)
    >>> len(ev) in (9, 10), set(ev["type"]) == {"fibrillation"}
    (True, True)
    """
    duration_s = n / fs
    sig = np.zeros(n)
    rows: list[dict] = []
    for kind, value in (spec or {}).items():
        if kind not in _DEFAULTS:
            raise ValueError(f"unknown spontaneous activity {kind!r}; kinds are {list(SPONTANEOUS_KINDS)}")
        p = dict(_DEFAULTS[kind])
        if isinstance(value, Mapping):
            unknown = set(value) - set(p)
            if unknown:
                raise ValueError(f"unknown parameters {sorted(unknown)} for {kind!r}; it takes {sorted(p)}")
            p.update(value)
        elif value is not None and value is not False:
            if int(value) != value or int(value) < 0:
                raise ValueError(f"{kind}: the count must be a whole number ≥ 0, got {value!r}")
            p["count"] = int(value)
        rng = np.random.default_rng([seed, 19, SPONTANEOUS_KINDS.index(kind)])
        for k in range(int(p["count"])):
            rows += _GENERATORS[kind](sig, rng, fs, duration_s, p, k, k_total=int(p["count"]),
                                      templates=unit_templates)
    events = pd.DataFrame(rows, columns=EVENT_COLUMNS + ["source"])
    return sig, events.sort_values("time_s", kind="stable").reset_index(drop=True)


def _draw(rng, value):
    if value is None:
        return None
    if np.isscalar(value):
        return float(value)
    lo, hi = value
    return None if lo is None else float(rng.uniform(lo, hi))


def _regular(kind, make):
    def gen(sig, rng, fs, duration_s, p, k, *, k_total, templates):
        rate, amp = _draw(rng, p["rate_hz"]), _draw(rng, p["amplitude_uv"])
        w = make(rng, fs, amp)
        times = _train(rng, duration_s, rate, cv=0.03)
        _add(sig, w, times, fs)
        return [{"time_s": t + _peak_s(w, fs), "duration_s": _duration(w, fs), "type": kind,
                 "rate (Hz)": rate, "amplitude (µV)": amp, "source": f"{kind} {k}"} for t in times]
    return gen


def _fasciculation(sig, rng, fs, duration_s, p, k, *, k_total, templates):
    if templates is None or len(templates) == 0:
        raise ValueError("fasciculations need motor-unit templates (use simulate_needle)")
    sizes = np.ptp(templates, axis=1)
    big = np.argsort(sizes)[::-1][: max(1, len(sizes) // 3)]      # a unit near the needle
    w = np.array(templates[big[k % big.size]])
    w = w[np.nonzero(np.abs(w) > 0.002 * np.abs(w).max())[0][0]:]
    rate = _draw(rng, p["rate_hz"])
    times, t = [], rng.exponential(1 / rate)
    while t < duration_s - 0.05:                                      # Poisson: irregular
        times.append(t)
        t += max(rng.exponential(1 / rate), 0.2)
    _add(sig, w, times, fs)
    return [{"time_s": t + _peak_s(w, fs), "duration_s": _duration(w, fs), "type": "fasciculation",
             "rate (Hz)": rate, "amplitude (µV)": float(np.ptp(w) * 1e6), "source": f"fasciculation {k}"}
            for t in times]


def _myotonic(sig, rng, fs, duration_s, p, k, *, k_total, templates):
    amp = _draw(rng, p["amplitude_uv"])
    lo, hi = p["rate_hz"] if not np.isscalar(p["rate_hz"]) else (p["rate_hz"], p["rate_hz"])
    length = rng.uniform(0.6, min(2.0, duration_s / max(k_total, 1) * 0.7))
    start = _slots(rng, duration_s, k_total, length)[k]
    w = _sfap(rng, fs, amp)
    times, t = [], start
    while t < start + length:                       # rate rises fast then wanes: the "dive bomber"
        x = (t - start) / length
        rate = lo + (hi - lo) * min(1.0, x / 0.15) * np.exp(-2.5 * max(x - 0.15, 0.0))
        times.append(t)
        t += 1.0 / max(rate, lo)
    x = (np.array(times) - start) / length
    gains = 0.4 + 0.6 * np.minimum(1.0, x / 0.2) * np.exp(-1.2 * np.maximum(x - 0.2, 0.0))
    _add(sig, w, times, fs, gains)
    end = times[-1] + w.size / fs
    return [{"time_s": start, "duration_s": end - start, "type": "myotonic",
             "rate (Hz)": (len(times) - 1) / (times[-1] - times[0]), "amplitude (µV)": amp,
             "source": f"myotonic {k}"}]


def _crd(sig, rng, fs, duration_s, p, k, *, k_total, templates):
    amp = _draw(rng, p["amplitude_uv"])
    rate = _draw(rng, p["rate_hz"])
    parts = [_sfap(rng, fs, rng.uniform(0.3, 1.0) * amp) for _ in range(rng.integers(3, 7))]
    delays = np.sort(rng.uniform(0, min(0.6 / rate, 0.012), len(parts)))
    w = np.zeros(int((delays[-1] + 0.012) * fs) + 1)
    for d, part in zip(delays, parts):
        i = int(round(d * fs))
        w[i:i + part.size] += part[: w.size - i]
    w = w[: np.nonzero(np.abs(w) > 0.01 * np.abs(w).max())[0][-1] + 2]
    length = rng.uniform(0.8, min(3.0, duration_s / max(k_total, 1) * 0.7))
    start = _slots(rng, duration_s, k_total, length)[k]
    times = start + np.arange(int(length * rate)) / rate * (1 + 0.002 * rng.standard_normal())
    _add(sig, w, times, fs)
    end = times[-1] + w.size / fs
    return [{"time_s": float(times[0]), "duration_s": float(end - times[0]), "type": "complex_repetitive",
             "rate (Hz)": rate, "amplitude (µV)": float(np.ptp(w) * 1e6), "source": f"complex_repetitive {k}"}]


def _insertional(sig, rng, fs, duration_s, p, k, *, k_total, templates):
    length = rng.uniform(0.1, 0.3)
    start = _slots(rng, duration_s, k_total, length + 0.2)[k]
    t = np.arange(int(0.08 * fs)) / fs                       # the movement: a slow deflection
    art = 300e-6 * rng.choice([-1, 1]) * (t / 0.02) * np.exp(1 - t / 0.02)
    _add(sig, art, [start], fs)
    n_fibres = rng.integers(4, 9)
    peak = 0.0
    for _ in range(n_fibres):
        amp = _draw(rng, p["amplitude_uv"])
        w = _sfap(rng, fs, amp) if rng.uniform() < 0.7 else _psw(rng, fs, amp)
        rate = rng.uniform(40, 150)
        times = _train(rng, duration_s, rate, cv=0.5, start_s=start, stop_s=start + length)
        gains = np.exp(-(times - start) / (0.5 * length))
        _add(sig, w, times, fs, gains)
        peak = max(peak, amp)
    return [{"time_s": start, "duration_s": length, "type": "insertional", "rate (Hz)": float("nan"),
             "amplitude (µV)": peak, "source": f"insertional {k}"}]


_GENERATORS = {
    "fibrillation": _regular("fibrillation", _sfap),
    "positive_sharp_wave": _regular("positive_sharp_wave", _psw),
    "fasciculation": _fasciculation,
    "myotonic": _myotonic,
    "complex_repetitive": _crd,
    "insertional": _insertional,
}
