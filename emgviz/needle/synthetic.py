"""Seeded synthetic needle EMG with ground truth: regular motor units of known template shape.

Each motor-unit potential (MUP) template is a chain of half-sine lobes of alternating sign, so its
ground truth is exact: the **duration** is the support (sum of lobe widths), the **phases** are the
number of lobes (a phase is the part between two baseline crossings, Stålberg et al. 1986), the
**peak-to-peak amplitude** is the largest positive lobe minus the largest negative lobe. Units
discharge regularly (inter-discharge interval CV ≈ 8 %, as in a steady weak contraction); templates
are evaluated at continuous discharge times (so sampling jitter is real) and white baseline noise
is added. This is not a physiological model (i16's ``emgviz.simulate`` has one); it is a ruler for
testing :func:`emgviz.muap_table`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_choice, check_fs, check_positive
from ..recording import Recording

__all__ = ["UnitSpec", "PATTERNS", "synthetic_needle", "template_wave"]


@dataclass(frozen=True)
class UnitSpec:
    """One synthetic motor unit.

    Parameters
    ----------
    widths_ms : tuple of float
        Width of each lobe (phase) in ms; their sum is the MUP duration.
    weights : tuple of float
        Signed peak of each lobe relative to the largest; signs must alternate.
    amplitude_uv : float
        Peak-to-peak amplitude in µV.
    rate_hz : float
        Mean firing rate in Hz.
    """

    widths_ms: tuple[float, ...]
    weights: tuple[float, ...]
    amplitude_uv: float
    rate_hz: float

    @property
    def duration_ms(self) -> float:
        return float(sum(self.widths_ms))

    @property
    def phases(self) -> int:
        return len(self.widths_ms)


def _tri(d, amp, rate, shift=0.0):
    """A normal-like triphasic unit: small positive, main negative spike, slower positive."""
    w = (0.33 * d, 0.22 * d, 0.45 * d)
    return UnitSpec(w, (0.35 + shift, -1.0, 0.45), amp, rate)


#: Ground-truth patterns. Normal-like: 3–4 phases, 8–12 ms, 0.4–1 mV, 8–12 Hz. Myopathy-like:
#: short (3.5–5.5 ms), small (0.18–0.35 mV), polyphasic (5–7 phases), more units. Neurogenic-like:
#: long (14–18 ms), large (1.6–3 mV), fewer units firing faster (16–20 Hz).
PATTERNS: dict[str, tuple[UnitSpec, ...]] = {
    "normal": (
        _tri(9.0, 450.0, 8.0),
        UnitSpec((3.0, 2.0, 2.5, 3.5), (0.4, -1.0, 0.7, -0.35), 800.0, 10.5),
        _tri(11.0, 1000.0, 12.5, shift=0.1),
    ),
    "myopathy": (
        UnitSpec((0.9, 0.7, 0.7, 0.7, 0.9), (0.45, -1.0, 0.8, -0.7, 0.4), 180.0, 9.0),
        UnitSpec((0.8, 0.6, 0.6, 0.6, 0.6, 0.8), (0.4, -0.9, 1.0, -0.8, 0.6, -0.4), 280.0, 11.5),
        UnitSpec((0.9, 0.7, 0.6, 0.6, 0.7, 0.7, 0.9), (0.4, -1.0, 0.85, -0.8, 0.7, -0.55, 0.4), 350.0, 14.0),
        UnitSpec((1.0, 0.8, 0.8, 0.8, 1.1), (-0.5, 1.0, -0.7, 0.6, -0.45), 240.0, 16.5),
    ),
    "neurogenic": (
        UnitSpec((5.0, 3.0, 3.5, 4.5), (0.3, -1.0, 0.75, -0.3), 1800.0, 16.0),
        UnitSpec((5.5, 3.5, 5.0, 4.0), (0.35, -1.0, 0.6, -0.3), 2800.0, 19.5),
    ),
}


def template_wave(spec: UnitSpec, t_ms: np.ndarray) -> np.ndarray:
    """The template of ``spec`` in µV at times ``t_ms`` (ms after its onset); 0 outside its support.

    Examples
    --------
    >>> spec = PATTERNS["normal"][0]
    >>> w = template_wave(spec, np.linspace(0, spec.duration_ms, 9001))
    >>> round(float(w.max() - w.min()), 1)
    450.0
    """
    w = np.asarray(spec.widths_ms, float)
    a = np.asarray(spec.weights, float)
    if len(w) != len(a):
        raise ValueError(f"widths_ms and weights must have one value per lobe, got {len(w)} and {len(a)}")
    if np.any(np.sign(a[1:]) == np.sign(a[:-1])):
        raise ValueError(f"lobe signs must alternate so each lobe is one phase, got {a.tolist()}")
    scale = spec.amplitude_uv / (a.max() - a.min())
    edges = np.concatenate([[0.0], np.cumsum(w)])
    t = np.asarray(t_ms, float)
    out = np.zeros_like(t)
    for k in range(len(w)):
        inside = (t >= edges[k]) & (t < edges[k + 1])
        out[inside] = a[k] * scale * np.sin(np.pi * (t[inside] - edges[k]) / w[k])
    return out


def synthetic_needle(pattern: str = "normal", *, fs: float = 4000.0, duration_s: float = 10.0,
                     noise_uv: float = 5.0, seed: int = 0) -> tuple[Recording, pd.DataFrame]:
    """A seeded synthetic needle recording and its ground truth.

    Parameters
    ----------
    pattern : {"normal", "myopathy", "neurogenic"}, default="normal"
        Which set of units in :data:`PATTERNS` fires.
    fs : float, default=4000.0
        Sampling rate in Hz.
    duration_s : float, default=10.0
        Length in s.
    noise_uv : float, default=5.0
        Baseline noise SD in µV (white, Gaussian).
    seed : int, default=0
        Seed of the discharge jitter, the start phases and the noise.

    Returns
    -------
    rec : Recording
        One channel ``"EMG"`` in volts; ``meta["electrode"] = "concentric needle (synthetic)"``.
    truth : DataFrame
        One row per unit: ``unit``, ``Amplitude (µV)``, ``Duration (ms)``, ``Phases``,
        ``Firing rate (Hz)`` (the realised mean rate, 1 / mean interval), ``Discharges``,
        ``onsets_s`` (array of template onset times in s).

    Examples
    --------
    >>> rec, truth = synthetic_needle("myopathy", fs=4000, duration_s=2, seed=1)
    >>> rec.fs, len(truth), int(truth["Phases"].min())
    (4000.0, 4, 5)
    """
    check_choice(pattern, "pattern", tuple(PATTERNS))
    fs = check_fs(fs)
    duration_s = check_positive(duration_s, "duration_s", "s")
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * fs))
    x = rng.normal(0.0, float(noise_uv), n)
    t_s = np.arange(n) / fs
    rows = []
    for k, spec in enumerate(PATTERNS[pattern]):
        period = 1.0 / spec.rate_hz
        times = [rng.uniform(0.0, period)]
        while True:
            nxt = times[-1] + period * (1.0 + 0.08 * rng.standard_normal())
            if nxt + spec.duration_ms / 1e3 >= duration_s:
                break
            times.append(nxt)
        onsets = np.asarray(times)
        span = int(np.ceil(spec.duration_ms / 1e3 * fs)) + 2
        for t0 in onsets:
            i0 = int(np.ceil(t0 * fs))
            idx = np.arange(i0, min(i0 + span, n))
            x[idx] += template_wave(spec, (t_s[idx] - t0) * 1e3)
        rows.append({"unit": k + 1, "Amplitude (µV)": spec.amplitude_uv, "Duration (ms)": spec.duration_ms,
                     "Phases": spec.phases, "Firing rate (Hz)": 1.0 / float(np.mean(np.diff(onsets))),
                     "Discharges": len(onsets), "onsets_s": onsets})
    meta = {"electrode": "concentric needle (synthetic)", "pattern": pattern, "seed": seed}
    rec = Recording(x[None, :] * 1e-6, fs=fs, ch_names=["EMG"], unit="V",
                    source=f"synthetic needle ({pattern}, seed {seed})", meta=meta)
    return rec, pd.DataFrame(rows)
