"""Seeded synthetic surface EMG from a motor-unit pool, with chosen artefacts and the ground truth.

The model (after Fuglevand, Winter & Patla 1993):

* **Recruitment by size** (Henneman): ``n_units`` motor units whose recruitment
  thresholds are spread exponentially over the drive from ``RECRUIT_RANGE[0]`` to
  ``RECRUIT_RANGE[1]``; small units first.
* **Rate coding**: a recruited unit fires at 8 Hz at its threshold, rising linearly
  with the drive to 35 Hz at full drive; inter-spike intervals vary with a
  coefficient of variation of 0.2.
* **MUAPs**: each unit's action potential is a mix of first- and second-order
  Hermite–Rodriguez functions whose amplitude and duration grow with unit size; the
  sum is low-pass filtered by the tissue, so the spectrum peaks near 60–120 Hz.
  Each channel sees its own mix of units (depth), shapes and delays (propagation).
* **Fatigue**: the conduction velocity falls with the accumulated effort, so every
  MUAP widens by ``1 / velocity`` and the spectrum drifts down.

Spike trains come from integrating each unit's rate (a phase) and firing where the
phase crosses jittered whole numbers; MUAPs are evaluated for all spikes at once and
summed with :func:`numpy.bincount`. Ten seconds at 2 kHz with 100 units take ~0.2 s.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import signal

from .._checks import check_choice, check_fs, check_positive
from ..onsets import _runs
from ..recording import Recording
from .artefacts import _json_artefacts, _resolve_artefacts, add_artefacts
from .profiles import PROFILES, _drive_array
from .results import Simulation, Truth, _freeze_artefacts

__all__ = ["simulate", "RECRUIT_RANGE", "FIRING_RATE_HZ", "ISI_CV"]

#: Drive (0–1) at which the first and the last motor unit are recruited.
RECRUIT_RANGE = (0.01, 0.7)
#: Firing rate in Hz at recruitment and at full drive.
FIRING_RATE_HZ = (8.0, 35.0)
#: Coefficient of variation of the inter-spike intervals.
ISI_CV = 0.2

_LAMBDA_MS = (2.2, 3.6)        # Hermite–Rodriguez time scale, smallest → largest unit
_AMP_RANGE = 12.0              # peak MUAP amplitude, largest / smallest unit
_TISSUE_HZ = (380.0, 480.0)    # tissue low-pass (2nd-order Butterworth) per channel
_DEFAULT_FATIGUE = 0.3         # velocity loss of profile="fatigue"


def _hr(x):
    """First- and second-order Hermite–Rodriguez functions, each with peak |value| 1."""
    g = np.exp(-x * x)
    return x * g * (math.sqrt(2.0) * math.exp(0.5)), (1.0 - 2.0 * x * x) * g


def _crossings(drive, threshold, fs):
    """(onset_s, offset_s) of each stretch where drive >= threshold."""
    starts, stops = _runs(drive >= threshold)
    return starts / fs, stops / fs



def simulate(*, fs: float = 2000.0, duration_s: float = 10.0, profile: str | Sequence[float] = "bursts",
             level: float = 0.5, fatigue: float | None = None, n_channels: int = 1,
             ch_names: Sequence[str] | None = None, n_units: int = 100,
             artefacts: Mapping[str, Any] | None = None, seed: int = 0,
             amplitude_v: float = 0.5e-3) -> Simulation:
    """Synthetic surface EMG from a pool of motor units, with artefacts and ground truth.

    Parameters
    ----------
    fs : float, default=2000.0
        Sampling rate in Hz (at least 500 Hz).
    duration_s : float, default=10.0
        Length in s.
    profile : {"bursts", "rest", "ramp", "sustained", "fatigue"} or array_like, default="bursts"
        The contraction pattern (see :func:`profile`), or a custom drive 0–1 (stretched
        over ``duration_s`` by linear interpolation when its length differs).
    level : float, default=0.5
        Drive of the built-in profiles' contractions, 0–1.
    fatigue : float, default=None
        Fraction of conduction velocity lost by the end, as effort accumulates (0–0.6);
        MUAPs widen by ``1 / velocity``. None: 0.3 for ``profile="fatigue"``, else 0.
    n_channels : int, default=1
        Channels; each sees the units at its own depths, shapes and delays.
    ch_names : sequence of str, default=None
        Channel names; default ``"emg1"``, ``"emg2"``, ...
    n_units : int, default=100
        Motor units in the pool (5–1000).
    artefacts : dict, default=None
        Artefacts to add, by name, each a dict of parameters, ``True`` for the defaults, or
        a number for its first parameter. Defaults at ``amplitude_v=0.5e-3``:
        ``"dc": {"offset": 2e-3}`` (V); ``"wander": {"amplitude": 0.5e-3, "hz": 0.3}``;
        ``"motion": {"amplitude": 1.5e-3, "times_s": None (each onset/offset), "width_s": 0.06}``;
        ``"ecg": {"amplitude": 0.3e-3, "bpm": 65}``;
        ``"mains": {"hz": 50, "amplitude": 0.1e-3, "harmonics": 3}`` (harmonic k at amplitude/k);
        ``"noise_snr_db": {"snr_db": 20}`` (white noise, relative to the clean EMG's power during
        contractions, or to a full contraction when there is none);
        ``"clipping": {"level": 0.75e-3}`` (±V, exact); ``"dropouts": {"count": 3,
        "duration_s": 0.1, "times_s": None}`` (samples set to 0 on every channel).
        Amplitude defaults scale with ``amplitude_v``.
    seed : int, default=0
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same signal.
    amplitude_v : float, default=0.5e-3
        Expected RMS in V of a full contraction (drive 1) of an unfatigued muscle.

    Returns
    -------
    Simulation
        ``.recording`` (V), ``.truth``, ``.params``.

    Examples
    --------
    >>> sim = simulate(duration_s=4, profile="bursts", artefacts={"mains": 50}, seed=1)
    >>> sim.recording
    <Recording | 1 ch × 8000 (4.000 s) @ 2000 Hz, V, 1 events, source='simulated'>
    >>> sim.truth.bursts[["onset_s", "offset_s"]].round(2).values.tolist()
    [[0.41, 1.39]]
    """
    fs = check_fs(fs)
    if fs < 500:
        raise ValueError(f"fs must be at least 500 Hz to hold EMG (its power reaches ~250 Hz), got {fs:g} Hz")
    duration_s = check_positive(duration_s, "duration_s", "s")
    n = int(round(duration_s * fs))
    if n < int(fs * 0.2):
        raise ValueError(f"duration_s must be at least 0.2 s, got {duration_s:g} s")
    if int(n_channels) != n_channels or not 1 <= int(n_channels) <= 64:
        raise ValueError(f"n_channels must be a whole number from 1 to 64, got {n_channels!r}")
    n_channels = int(n_channels)
    if int(n_units) != n_units or not 5 <= int(n_units) <= 1000:
        raise ValueError(f"n_units must be a whole number from 5 to 1000, got {n_units!r}")
    n_units = int(n_units)
    amplitude_v = check_positive(amplitude_v, "amplitude_v", "V")
    if int(seed) != seed:
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    seed = int(seed)
    names = tuple(f"emg{i + 1}" for i in range(n_channels)) if ch_names is None else tuple(map(str, ch_names))
    if len(names) != n_channels:
        raise ValueError(f"ch_names has {len(names)} names for n_channels={n_channels}")
    if isinstance(profile, str):
        check_choice(profile, "profile", PROFILES)
    drive = _drive_array(profile, fs=fs, duration_s=duration_s, level=level)
    if fatigue is None:
        fatigue = _DEFAULT_FATIGUE if isinstance(profile, str) and profile == "fatigue" else 0.0
    if not 0.0 <= float(fatigue) <= 0.6:
        raise ValueError(f"fatigue must be a fraction of conduction velocity lost, 0–0.6, got {fatigue!r}")
    fatigue = float(fatigue)
    arts = _resolve_artefacts(artefacts, amplitude_v)
    params = {"fs": fs, "duration_s": duration_s,
              "profile": profile if isinstance(profile, str) else [float(v) for v in np.ravel(profile)],
              "level": float(level), "fatigue": fatigue, "n_channels": n_channels, "ch_names": list(names),
              "n_units": n_units, "artefacts": _json_artefacts(artefacts), "seed": seed,
              "amplitude_v": amplitude_v}

    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs

    # --- motor-unit pool -----------------------------------------------------------------
    frac = np.arange(n_units) / max(n_units - 1, 1)
    lo, hi = RECRUIT_RANGE
    thresholds = lo * np.exp(np.log(hi / lo) * frac)
    amps = np.exp(np.log(_AMP_RANGE) * frac) * rng.uniform(0.8, 1.2, n_units)
    lam = (_LAMBDA_MS[0] + (_LAMBDA_MS[1] - _LAMBDA_MS[0]) * frac) * 1e-3 * rng.uniform(0.9, 1.1, n_units)
    # per channel: depth attenuation, shape mix (HR1 ↔ HR2), polarity, delay
    gain = np.exp(-rng.exponential(1.0, (n_channels, n_units)))
    mix = rng.uniform(0.0, 1.0, (n_channels, n_units))
    sign = rng.choice([-1.0, 1.0], (n_channels, n_units))
    delay = np.rint((np.arange(n_channels)[:, None] * 3e-3 + rng.uniform(0, 2e-3, (n_channels, n_units)))
                    * fs).astype(np.intp)
    tissue_hz = rng.uniform(*_TISSUE_HZ, n_channels)

    # --- fatigue: conduction velocity falls with accumulated effort ------------------------
    effort = np.cumsum(drive)
    velocity = 1.0 - fatigue * (effort / effort[-1] if effort[-1] > 0 else 0.0 * effort)
    stretch = 1.0 / velocity

    # --- firing: integrate the rate to a phase, fire at jittered whole numbers -------------
    f0, f1 = FIRING_RATE_HZ
    spikes_u, spikes_i = [], []
    n_spikes = np.zeros(n_units, dtype=int)
    active = drive[None, :] >= thresholds[:, None]
    rates = np.where(active, f0 + (f1 - f0) * (drive[None, :] - thresholds[:, None])
                     / (1.0 - thresholds[:, None]), 0.0)
    phase = np.cumsum(rates, axis=1) / fs
    total = phase[:, -1]
    k_max = int(np.ceil(total.max() * 1.5)) + 8
    incr = np.clip(1.0 + ISI_CV * rng.standard_normal((n_units, k_max)), 0.3, None)
    # a random start phase, so the units do not fire in step when recruited together
    targets = np.cumsum(incr, axis=1) - rng.uniform(0, 1, (n_units, 1)) * incr[:, :1]
    for u in range(n_units):
        tu = targets[u][(targets[u] > 0) & (targets[u] < total[u])]
        idx = np.searchsorted(phase[u], tu, side="left")
        spikes_u.append(np.full(idx.size, u))
        spikes_i.append(idx)
        n_spikes[u] = idx.size
    su = np.concatenate(spikes_u) if spikes_u else np.zeros(0, int)
    si = np.concatenate(spikes_i) if spikes_i else np.zeros(0, int)

    # --- MUAPs at every spike, summed per channel -------------------------------------------
    half = int(np.ceil(3.5 * lam.max() * stretch.max() * fs)) + 1
    tau = np.arange(-half, half + 1) / fs
    x = tau[None, :] / (lam[su] * stretch[si])[:, None]
    h1, h2 = _hr(x)
    pad = half + int(delay.max()) + 1
    clean = np.empty((n_channels, n))
    sos_list = [signal.butter(2, min(fc, 0.45 * fs), btype="low", fs=fs, output="sos") for fc in tissue_hz]
    # reference energies (V²·s per spike, before scaling) at a grid of stretches: for the truth envelope
    grid = np.linspace(1.0, stretch.max(), 6) if fatigue > 0 else np.array([1.0])
    tau_ref = np.arange(-4 * half, 4 * half + 1) / fs
    energies = np.empty((n_channels, n_units, grid.size))
    # unit MUAP shapes on the reference time axis, one per stretch of the grid (the same for every channel)
    ref_shapes = [_hr(tau_ref[None, :] / (lam[:, None] * s)) for s in grid]
    for c in range(n_channels):
        w = (amps * gain[c] * sign[c])[su]
        m = mix[c][su]
        vals = w[:, None] * ((1.0 - m)[:, None] * h1 + m[:, None] * h2)
        pos = si[:, None] + delay[c][su][:, None] + np.arange(-half, half + 1)[None, :] + pad
        summed = np.bincount(pos.ravel(), weights=vals.ravel(), minlength=n + 2 * pad)
        clean[c] = signal.sosfilt(sos_list[c], summed)[pad:pad + n]
        for g, (r1, r2) in enumerate(ref_shapes):
            shapes = (amps * gain[c])[:, None] * ((1 - mix[c])[:, None] * r1 + mix[c][:, None] * r2)
            shapes = signal.sosfilt(sos_list[c], shapes, axis=1)
            energies[c, :, g] = (shapes ** 2).sum(axis=1) / fs

    # --- scale to amplitude_v at full drive; the truth envelope ------------------------------
    rate_full = np.full(n_units, f1)  # every unit fires at the top rate at full drive
    envelope = np.empty((n_channels, n))
    for c in range(n_channels):
        p_full = float(rate_full @ energies[c, :, 0])
        scale = amplitude_v / math.sqrt(p_full)
        clean[c] *= scale
        power_grid = rates.T @ energies[c]                    # (n, n_grid)
        if grid.size == 1:
            power = power_grid[:, 0]
        else:
            pos_g = np.interp(stretch, grid, np.arange(grid.size))
            i0 = np.minimum(np.floor(pos_g).astype(int), grid.size - 2)
            fr = pos_g - i0
            power = (1 - fr) * power_grid[np.arange(n), i0] + fr * power_grid[np.arange(n), i0 + 1]
        envelope[c] = np.sqrt(power) * scale

    # --- truth: contractions where the drive reaches the first unit ---------------------------
    on, off = _crossings(drive, thresholds[0], fs)
    bursts = pd.DataFrame({"channel": np.repeat(names, on.size), "onset_s": np.tile(on, n_channels),
                           "offset_s": np.tile(off, n_channels)})
    events = [(a, b - a, "contraction") for a, b in zip(on, off)]

    data, resolved = add_artefacts(clean, arts, fs=fs, duration_s=duration_s, seed=seed, onsets_s=on, offsets_s=off,
                                   envelope=envelope, amplitude_v=amplitude_v)

    meta = {"simulation": params}
    rec = Recording._trusted(data, fs=fs, ch_names=names, unit="V", source="simulated",
                             meta=meta, events=events)
    units = pd.DataFrame({"threshold": thresholds, "amplitude": amps / amps[0],
                          "lambda_ms": lam * 1e3, "n_spikes": n_spikes})
    order = np.argsort(si, kind="stable")
    spikes = pd.DataFrame({"unit": su[order], "time_s": si[order] / fs})
    for arr in (drive, velocity):
        arr.flags.writeable = False
    truth = Truth(bursts=bursts,
                  envelope=Recording._trusted(envelope, fs=fs, ch_names=names, unit="V", source="simulated: true envelope"),
                  drive=drive, velocity=velocity,
                  clean=Recording._trusted(clean, fs=fs, ch_names=names, unit="V", source="simulated: clean",
                                           events=events),
                  artefacts=_freeze_artefacts(resolved), units=units,
                  spikes=spikes)
    return Simulation(recording=rec, truth=truth, params=params)
