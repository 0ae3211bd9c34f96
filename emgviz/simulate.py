"""Seeded synthetic EMG from a motor-unit pool, with chosen artefacts and the ground truth.

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

import dataclasses
import math
import types
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import signal

from ._checks import check_choice, check_fs, check_positive
from .onsets import _runs
from .recording import Recording

__all__ = ["simulate", "profile", "Simulation", "Truth", "score_onsets",
           "PROFILES", "ARTEFACTS", "RECRUIT_RANGE", "FIRING_RATE_HZ", "ISI_CV"]

#: Built-in contraction profiles (or pass an array of drive values 0–1).
PROFILES = ("bursts", "rest", "ramp", "sustained", "fatigue")
#: Artefacts :func:`simulate` can add, in the order they are applied.
ARTEFACTS = ("dc", "wander", "motion", "ecg", "mains", "noise_snr_db", "clipping", "dropouts")
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


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Truth:
    """What :func:`simulate` put into a recording.

    Attributes
    ----------
    bursts : DataFrame
        One row per contraction per channel: ``channel`` (name), ``onset_s``, ``offset_s``
        (s): where the drive rises to / falls below the first unit's recruitment threshold.
    envelope : Recording
        The expected RMS of the clean EMG at every sample (V), from the rates and MUAP
        energies of the active units (Campbell's theorem), before any artefact.
    drive : ndarray, shape (n_samples,)
        The excitatory drive 0–1 (read-only).
    velocity : ndarray, shape (n_samples,)
        Muscle-fibre conduction velocity relative to its start (1 = fresh; read-only).
    clean : Recording
        The EMG without artefacts (V).
    artefacts : mapping
        Each artefact added, with every parameter resolved (amplitudes in V, times in s).
    units : DataFrame
        One row per motor unit: ``threshold`` (drive), ``amplitude`` (relative peak),
        ``lambda_ms`` (MUAP time scale), ``n_spikes``.
    spikes : DataFrame
        Every motor-unit discharge: ``unit`` (row of ``units``) and ``time_s``, in time order.
    """

    bursts: pd.DataFrame
    envelope: Recording
    drive: np.ndarray
    velocity: np.ndarray
    clean: Recording
    artefacts: Mapping[str, Mapping[str, Any]]
    units: pd.DataFrame
    spikes: pd.DataFrame

    def __reduce__(self):
        # Recordings pickle by themselves; only the read-only artefact mappings need plain dicts.
        state = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        state["artefacts"] = {k: dict(v) for k, v in self.artefacts.items()}
        return (_truth_from_state, (state,))


def _truth_from_state(state):
    return Truth(**{**state, "artefacts": _freeze_artefacts(state["artefacts"])})


@dataclass(frozen=True, eq=False)
class Simulation:
    """A simulated recording and the truth behind it.

    Attributes
    ----------
    recording : Recording
        What an amplifier would have recorded (V), with events ``"contraction"``
        (``time_s`` = onset, ``duration_s`` = length) for each true contraction.
    truth : Truth
        Onsets, envelope, drive, clean signal and artefact parameters.
    params : dict
        The :func:`simulate` keyword arguments, JSON-safe: ``simulate(**sim.params)``
        gives the same recording again.

    Simulations pickle (so ``st.cache_data`` can store them).
    """

    recording: Recording
    truth: Truth
    params: Mapping[str, Any]


def _freeze_artefacts(artefacts):
    return types.MappingProxyType({k: types.MappingProxyType(dict(v)) for k, v in artefacts.items()})


# ---------------------------------------------------------------------------------------------
# Contraction profiles
# ---------------------------------------------------------------------------------------------
def _smooth_step(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _trapezoids(t, starts, ends, ramp_s, level):
    drive = np.zeros_like(t)
    for a, b in zip(starts, ends):
        up = _smooth_step((t - a) / ramp_s)
        down = _smooth_step((b - t) / ramp_s)
        drive = np.maximum(drive, level * np.minimum(up, down))
    return drive


def profile(kind: str, *, fs: float, duration_s: float, level: float = 0.5, on_s: float = 1.0,
            off_s: float = 1.5, rest_s: float = 1.0, ramp_s: float = 0.15) -> np.ndarray:
    """The excitatory drive (0–1) of a contraction pattern, one value per sample.

    Parameters
    ----------
    kind : {"bursts", "rest", "ramp", "sustained", "fatigue"}
        ``"bursts"``: contractions of ``on_s`` separated by ``off_s`` of rest, after
        ``rest_s``. ``"rest"``: no drive. ``"ramp"``: a triangle from 0 up to ``level``
        at the middle and back, after ``rest_s`` and ending ``rest_s`` before the end.
        ``"sustained"`` and ``"fatigue"``: one hold at ``level`` from ``rest_s`` to
        ``rest_s`` before the end (fatigue itself is a :func:`simulate` option).
    fs : float
        Sampling rate in Hz.
    duration_s : float
        Length in s.
    level : float, default=0.5
        Drive of a contraction, 0–1 (1 = maximal voluntary contraction).
    on_s, off_s : float, default=1.0, 1.5
        Contraction and rest lengths of ``"bursts"`` in s.
    rest_s : float, default=1.0
        Rest at the start (and end) in s; shortened to a tenth of a short recording.
    ramp_s : float, default=0.15
        Rise and fall time of each contraction in s (a smooth step).

    Returns
    -------
    ndarray, shape (round(duration_s * fs),)
        Drive 0–1.

    Examples
    --------
    >>> d = profile("bursts", fs=1000, duration_s=5, level=0.4)
    >>> d.shape, float(d.max()), float(d[:400].max())
    ((5000,), 0.4, 0.0)
    """
    check_choice(kind, "profile", PROFILES)
    fs = check_fs(fs)
    duration_s = check_positive(duration_s, "duration_s", "s")
    if not 0.0 <= float(level) <= 1.0:
        raise ValueError(f"level must be a drive from 0 to 1 (1 = maximal contraction), got {level!r}")
    level = float(level)
    n = int(round(duration_s * fs))
    if n < 2:
        raise ValueError(f"duration_s={duration_s:g} s at fs={fs:g} Hz gives fewer than 2 samples")
    t = np.arange(n) / fs
    rest = min(float(rest_s), duration_s / 10.0)
    ramp = max(float(ramp_s), 1.0 / fs)
    if kind == "rest" or level == 0.0:
        return np.zeros(n)
    if kind == "bursts":
        period = float(on_s) + float(off_s)
        starts = np.arange(rest, duration_s, period)
        ends = starts + float(on_s)
        keep = ends <= duration_s - ramp
        if not keep.any():  # too short for one whole burst: one burst in the middle
            starts, ends = np.array([duration_s * 0.3]), np.array([duration_s * 0.7])
        else:
            starts, ends = starts[keep], ends[keep]
        return _trapezoids(t, starts, ends, min(ramp, float(on_s) / 3), level)
    if kind == "ramp":
        a, b = rest, duration_s - rest
        mid = (a + b) / 2.0
        return level * np.clip(1.0 - np.abs(t - mid) / (mid - a), 0.0, 1.0)
    # sustained / fatigue
    return _trapezoids(t, [rest], [duration_s - rest], min(ramp, duration_s / 10), level)


# ---------------------------------------------------------------------------------------------
# The simulator
# ---------------------------------------------------------------------------------------------
def _hr(x):
    """First- and second-order Hermite–Rodriguez functions, each with peak |value| 1."""
    g = np.exp(-x * x)
    return x * g * (math.sqrt(2.0) * math.exp(0.5)), (1.0 - 2.0 * x * x) * g


def _crossings(drive, threshold, fs):
    """(onset_s, offset_s) of each stretch where drive >= threshold."""
    starts, stops = _runs(drive >= threshold)
    return starts / fs, stops / fs


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


def _drive_array(prof, *, fs, duration_s, level):
    n = int(round(duration_s * fs))
    if isinstance(prof, str):
        return profile(prof, fs=fs, duration_s=duration_s, level=level)
    arr = np.asarray(prof, dtype=np.float64).ravel()
    if arr.size < 2 or not np.isfinite(arr).all():
        raise ValueError("a custom profile must be an array of at least 2 finite drive values")
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(f"a custom profile's drive must lie within 0–1, got {arr.min():g} to {arr.max():g}")
    if arr.size == n:
        return arr.copy()
    # stretch over the recording
    return np.interp(np.linspace(0, 1, n), np.linspace(0, 1, arr.size), arr)


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

    # --- artefacts -----------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# Scoring a detector against the truth
# ---------------------------------------------------------------------------------------------
def score_onsets(detected: pd.DataFrame, truth: pd.DataFrame, *, tolerance_s: float = 0.25) -> pd.DataFrame:
    """Score detected bursts against true ones, per channel.

    A true burst is hit by the detected burst whose onset is nearest to its own, when they
    differ by at most ``tolerance_s``; each detected burst can hit one true burst.

    Parameters
    ----------
    detected, truth : DataFrame
        Bursts with columns ``channel`` and ``onset_s`` (s).
    tolerance_s : float, default=0.25
        Largest onset difference in s that still counts as a hit.

    Returns
    -------
    DataFrame
        One row per channel of ``truth`` or ``detected``: ``channel``, ``hits``, ``misses``,
        ``false_alarms``, ``mean_error_ms`` (detected − true onset, mean over hits; NaN
        without hits) and ``mean_abs_error_ms``.

    Examples
    --------
    >>> truth = pd.DataFrame({"channel": ["a", "a"], "onset_s": [1.0, 3.0]})
    >>> found = pd.DataFrame({"channel": ["a", "a"], "onset_s": [1.05, 5.0]})
    >>> row = score_onsets(found, truth).iloc[0]
    >>> int(row.hits), int(row.misses), int(row.false_alarms), round(float(row.mean_error_ms), 1)
    (1, 1, 1, 50.0)
    """
    tolerance_s = check_positive(tolerance_s, "tolerance_s", "s")
    for name, df in (("detected", detected), ("truth", truth)):
        missing = {"channel", "onset_s"} - set(df.columns)
        if missing:
            raise ValueError(f"{name} needs the columns channel and onset_s; missing {sorted(missing)}")
    channels = list(dict.fromkeys([*map(str, truth["channel"]), *map(str, detected["channel"])]))
    rows = []
    for ch in channels:
        tr = np.sort(truth.loc[truth["channel"].astype(str) == ch, "onset_s"].to_numpy(float))
        de = np.sort(detected.loc[detected["channel"].astype(str) == ch, "onset_s"].to_numpy(float))
        pairs = sorted((abs(d - tt), i, j) for i, tt in enumerate(tr) for j, d in enumerate(de)
                       if abs(d - tt) <= tolerance_s)
        used_t, used_d, errors = set(), set(), []
        for _, i, j in pairs:
            if i in used_t or j in used_d:
                continue
            used_t.add(i)
            used_d.add(j)
            errors.append((de[j] - tr[i]) * 1e3)
        err = np.array(errors)
        rows.append({"channel": ch, "hits": len(errors), "misses": int(tr.size - len(errors)),
                     "false_alarms": int(de.size - len(errors)),
                     "mean_error_ms": float(err.mean()) if err.size else float("nan"),
                     "mean_abs_error_ms": float(np.abs(err).mean()) if err.size else float("nan")})
    return pd.DataFrame(rows, columns=["channel", "hits", "misses", "false_alarms", "mean_error_ms",
                                       "mean_abs_error_ms"])
