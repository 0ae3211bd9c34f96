"""Seeded intramuscular (concentric needle) EMG with the ground truth per motor unit.

Each motor unit is a set of muscle fibres scattered over its territory around the
needle (see :mod:`~emgviz.simulate.presets`); its motor-unit potential (MUP) is the sum of
its fibres' potentials at the needle (:mod:`~emgviz.simulate.fibres`, the line-source model
of Nandedkar & Stålberg 1983), each fibre excited at its own end-plate and time. Fibres
near the needle give the sharp, high-frequency spike; far ones the blunt, low initial and
terminal phases — so the shape, amplitude and duration come from the anatomy, not from a
drawn waveform.

Units are recruited in a fixed order as the force rises and speed up with it: unit *k*
starts at ``min_rate_hz`` when the force reaches its threshold and the next is recruited
when it fires at the preset's ``recruitment_rate_hz`` (Henneman's size principle; the
recruitment frequency of Petajan 1991). Discharges come from integrating each unit's rate
to a phase and firing at jittered whole numbers (inter-discharge-interval CV 0.1), so a
unit's mean rate equals its set rate.

Spontaneous activity at rest (fibrillations, positive sharp waves, fasciculations,
myotonic and complex repetitive discharges, insertional activity) is added by
:mod:`~emgviz.simulate.spontaneous`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy import signal

from .._checks import check_choice, check_fs, check_positive
from ..recording import Recording
from .fibres import fibre_potentials
from .presets import NEEDLE_PRESETS, NeedlePreset

__all__ = ["simulate_needle", "NeedleSimulation", "NeedleTruth", "unit_templates", "set_rates",
           "NEEDLE_ISI_CV", "TEMPLATE_MS"]

#: Coefficient of variation of a voluntarily firing unit's inter-discharge intervals.
NEEDLE_ISI_CV = 0.1
#: Length of each MUP template in ms (from the nerve impulse's arrival).
TEMPLATE_MS = 40.0
_MODEL_FS = 25_000.0          # the fibre model runs at this rate (0.15 mm steps), then is resampled
_PICKUP_MM = 2.0              # fibres farther from the needle are left out (< 15 µV each)
_ONSET_MS = 3.0               # when the first fibres are excited within a template
_NEAR_UNITS = 3               # the first units recruited have their territory centred near the needle


@dataclass(frozen=True, eq=False)
class NeedleTruth:
    """What :func:`simulate_needle` put into a recording.

    Attributes
    ----------
    units : DataFrame
        One row per motor unit: ``unit``, ``threshold`` (force 0–1 at recruitment),
        ``n_fibres`` (within 2 mm of the needle), ``nearest_fibre_mm``,
        ``amplitude_uv`` (peak-to-peak of the template), ``peak_ms`` (time of the template's
        largest peak from its start), ``set_rate_hz`` (mean rate over the force profile's
        active time), ``n_discharges``.
    discharges : DataFrame
        Every voluntary discharge: ``unit`` and ``time_s`` (when the template starts), in
        time order.
    templates : ndarray, shape (n_units, n_template)
        Each unit's MUP in V at ``fs`` (read-only), starting at the discharge time.
    spontaneous : DataFrame
        Spontaneous events: ``time_s``, ``duration_s``, ``type``, ``rate (Hz)``,
        ``amplitude (µV)`` and ``source`` (which generator made it).
    force : ndarray
        The force profile 0–1, one value per sample (read-only).
    clean : ndarray
        The signal without noise, V (read-only).
    """

    units: pd.DataFrame
    discharges: pd.DataFrame
    templates: np.ndarray
    spontaneous: pd.DataFrame
    force: np.ndarray
    clean: np.ndarray


@dataclass(frozen=True, eq=False)
class NeedleSimulation:
    """A simulated needle recording (``recording``, V) and its ``truth``; ``params`` re-create it."""

    recording: Recording
    truth: NeedleTruth
    params: Mapping[str, Any]


# ---------------------------------------------------------------------------------------------
# Anatomy and templates
# ---------------------------------------------------------------------------------------------
def _unit_fibres(p: NeedlePreset, rng):
    """Fibre positions (mm), end-plates (mm), diameters (µm), excitation delays (ms) of each unit."""
    units = []
    for u in range(p.n_units):
        # the needle lies in every territory; the examiner moves it until the first units recruited
        # give sharp MUPs (rise time < 0.5 ms, Daube & Rubin 2009): their centres are near it
        reach = 0.4 if u < _NEAR_UNITS else 1.0
        r = reach * p.territory_radius_mm * np.sqrt(rng.uniform(0, 1))
        a = rng.uniform(0, 2 * np.pi)
        cx, cy = r * np.cos(a), r * np.sin(a)
        n = rng.poisson(p.fibre_density_per_mm2 * np.pi * p.territory_radius_mm ** 2)
        if p.clusters:
            centres = rng.uniform(-1, 1, (p.clusters, 2)) * p.territory_radius_mm * 0.7
            which = rng.integers(0, p.clusters, n)
            xy = centres[which] + rng.normal(0, p.territory_radius_mm * 0.3, (n, 2))
        else:
            rr = p.territory_radius_mm * np.sqrt(rng.uniform(0, 1, n))
            aa = rng.uniform(0, 2 * np.pi, n)
            xy = np.column_stack([rr * np.cos(aa), rr * np.sin(aa)])
        x, y = cx + xy[:, 0], cy + xy[:, 1]
        dist = np.hypot(x, y)
        keep = (dist < _PICKUP_MM) & (dist > 0.1)                   # the needle's shaft displaces the nearest
        x, y = x[keep], y[keep]
        m = x.size
        z0 = rng.normal(-12.0, p.endplate_sd_mm, m)                   # end-plate zone 12 mm from the tip
        d = np.clip(rng.normal(*p.diameter_um, m), 15.0, 120.0)
        delay = _ONSET_MS + np.abs(rng.normal(0, p.terminal_sd_ms, m))
        late = rng.uniform(0, 1, m) < p.late_fraction
        delay[late] += rng.uniform(*p.late_ms, late.sum()) if p.late_ms[1] > 0 else 0.0
        units.append((x, y, z0, d, delay))
    return units


def _resample(x, fs_from, fs_to):
    if fs_from == fs_to:
        return x
    ratio = Fraction(fs_to / fs_from).limit_denominator(1000)
    return signal.resample_poly(x, ratio.numerator, ratio.denominator, axis=-1)


def unit_templates(preset: str | NeedlePreset = "normal", *, fs: float = 20_000.0, seed: int = 0):
    """Every unit's MUP at a concentric needle, built from its fibres.

    Parameters
    ----------
    preset : {"normal", "myopathic", "neurogenic"} or NeedlePreset, default="normal"
    fs : float, default=20000.0
        Sampling rate of the templates in Hz (4–50 kHz).
    seed : int, default=0

    Returns
    -------
    templates : ndarray, shape (n_units, round(TEMPLATE_MS * fs / 1000))
        MUPs in V, each starting :data:`TEMPLATE_MS`-long windows at the impulse's arrival.
    anatomy : DataFrame
        ``unit``, ``n_fibres``, ``nearest_fibre_mm``.

    Examples
    --------
    >>> tpl, anatomy = unit_templates("normal", fs=20_000, seed=1)
    >>> tpl.shape[0] == len(anatomy) == 20
    True
    """
    p = _preset(preset)
    fs = check_fs(fs)
    rng = np.random.default_rng([int(seed), 16])
    n_model = int(round(TEMPLATE_MS * 1e-3 * _MODEL_FS))
    out = np.zeros((p.n_units, n_model))
    rows = []
    for u, (x, y, z0, d, delay) in enumerate(_unit_fibres(p, rng)):
        if x.size:
            phi = fibre_potentials(x, y, z0, d, fs=_MODEL_FS, duration_s=TEMPLATE_MS * 1e-3)
            shift = np.rint(delay * 1e-3 * _MODEL_FS).astype(int)
            for f in range(x.size):
                s = shift[f]
                if s < n_model:
                    out[u, s:] += phi[f, :n_model - s]
        rows.append({"unit": u, "n_fibres": int(x.size),
                     "nearest_fibre_mm": float(np.hypot(x, y).min()) if x.size else float("nan")})
    tpl = _resample(out, _MODEL_FS, fs)
    return tpl, pd.DataFrame(rows)


def _preset(preset) -> NeedlePreset:
    if isinstance(preset, NeedlePreset):
        return preset
    check_choice(preset, "preset", tuple(NEEDLE_PRESETS))
    return NEEDLE_PRESETS[preset]


# ---------------------------------------------------------------------------------------------
# Recruitment and firing
# ---------------------------------------------------------------------------------------------
def set_rates(preset: str | NeedlePreset, force) -> np.ndarray:
    """Each unit's firing rate in Hz at the given force(s) (0 = not recruited).

    Parameters
    ----------
    preset : str or NeedlePreset
    force : float or array_like
        Force 0–1.

    Returns
    -------
    ndarray, shape (n_units,) + shape of ``force``

    Examples
    --------
    >>> r = set_rates("normal", 0.02 + NEEDLE_PRESETS["normal"].threshold_step)  # 2nd unit's threshold
    >>> float(r[0]), float(r[1]), float(r[2])
    (10.0, 6.0, 0.0)
    """
    p = _preset(preset)
    f = np.asarray(force, float)
    thr = _thresholds(p).reshape((-1,) + (1,) * f.ndim)
    rate = np.minimum(p.min_rate_hz + p.rate_gain_hz * (f - thr), p.max_rate_hz)
    return np.where(f >= thr - 1e-12, rate, 0.0)


def _thresholds(p: NeedlePreset):
    """Recruitment thresholds (force 0–1): the first unit at 0.02, then every ``threshold_step``."""
    return np.arange(p.n_units) * p.threshold_step + 0.02


def _discharges(rates, fs, rng, cv):
    """Discharge sample indices of each unit from its rate (Hz) per sample."""
    phase = np.cumsum(rates, axis=1) / fs
    out = []
    for u in range(rates.shape[0]):
        total = phase[u, -1]
        if total < 1:
            out.append(np.zeros(0, int))
            continue
        k = int(np.ceil(total * 1.5)) + 8
        incr = np.clip(1.0 + cv * rng.standard_normal(k), 0.4, None)
        targets = np.cumsum(incr) - rng.uniform(0, 1) * incr[0]
        targets = targets[(targets > 0) & (targets < total)]
        out.append(np.searchsorted(phase[u], targets, side="left"))
    return out


def _place(n, templates, trains):
    """Sum each unit's template at its discharge samples into a signal of n samples."""
    width = templates.shape[1]
    pad = width + 1
    acc = np.zeros(n + 2 * pad)
    for u, idx in enumerate(trains):
        if idx.size == 0:
            continue
        pos = (idx[:, None] + np.arange(width)[None, :] + pad).ravel()
        acc += np.bincount(pos, weights=np.tile(templates[u], idx.size), minlength=acc.size)[:acc.size]
    return acc[pad:pad + n]


def _force_array(force, n, fs):
    if np.isscalar(force):
        f = float(force)
        if not 0.0 <= f <= 1.0:
            raise ValueError(f"force must be from 0 (rest) to 1 (maximal), got {force!r}")
        return np.full(n, f)
    arr = np.asarray(force, float).ravel()
    if arr.size < 2 or not np.isfinite(arr).all() or arr.min() < 0 or arr.max() > 1:
        raise ValueError("force must be a number or an array of at least 2 values from 0 to 1")
    return arr.copy() if arr.size == n else np.interp(np.linspace(0, 1, n), np.linspace(0, 1, arr.size), arr)


# ---------------------------------------------------------------------------------------------
# The simulator
# ---------------------------------------------------------------------------------------------
def simulate_needle(preset: str = "normal", *, force=0.05, duration_s: float = 5.0,
                    fs: float = 20_000.0, spontaneous: Mapping[str, Any] | None = None,
                    noise_uv: float = 8.0, seed: int = 0) -> NeedleSimulation:
    """Concentric-needle EMG of a normal, myopathic or neurogenic muscle, with the ground truth.

    Parameters
    ----------
    preset : {"normal", "myopathic", "neurogenic"}, default="normal"
        The muscle (:data:`~emgviz.simulate.presets.NEEDLE_PRESETS`, with cited targets).
    force : float or array_like, default=0.05
        Voluntary force 0–1 (0 = rest; ~0.05 a minimal contraction showing single MUPs;
        ≥ 0.5 an interference pattern), or a profile stretched over the recording.
    duration_s : float, default=5.0
        Length in s.
    fs : float, default=20000.0
        Sampling rate in Hz, 4–50 kHz (clinical systems record at 20–50 kHz).
    spontaneous : dict, default=None
        Spontaneous activity to add, kind → count of generators or a dict of parameters
        (see :func:`emgviz.simulate.spontaneous.spontaneous_signal`), e.g.
        ``{"fibrillation": 2, "positive_sharp_wave": 1}``.
    noise_uv : float, default=8.0
        RMS of the amplifier and tissue noise in µV (a concentric needle: 5–10 µV).
    seed : int, default=0

    Returns
    -------
    NeedleSimulation
        ``.recording`` (one channel ``"needle"``, V), ``.truth`` (:class:`NeedleTruth`),
        ``.params``.

    Examples
    --------
    >>> sim = simulate_needle("normal", force=0.05, duration_s=2, fs=10_000, seed=1)
    >>> sim.recording.fs, sim.recording.n_channels
    (10000.0, 1)
    """
    from .spontaneous import spontaneous_signal

    p = _preset(preset)
    fs = check_fs(fs)
    if not 4000 <= fs <= 50_000:
        raise ValueError(f"fs must be from 4 kHz to 50 kHz for needle EMG, got {fs:g} Hz")
    duration_s = check_positive(duration_s, "duration_s", "s")
    noise_uv = float(noise_uv)
    if noise_uv < 0:
        raise ValueError(f"noise_uv must be 0 or more (µV RMS), got {noise_uv!r}")
    n = int(round(duration_s * fs))
    f = _force_array(force, n, fs)
    params = {"preset": p.name, "force": float(force) if np.isscalar(force) else f[:: max(1, n // 200)].tolist(),
              "duration_s": duration_s, "fs": fs, "spontaneous": dict(spontaneous or {}),
              "noise_uv": noise_uv, "seed": int(seed)}

    templates, anatomy = _cached_templates(p.name if p is NEEDLE_PRESETS.get(p.name) else p, fs, int(seed))
    rng = np.random.default_rng([int(seed), 17])
    rates = set_rates(p, f)                                     # (n_units, n)
    trains = _discharges(rates, fs, rng, NEEDLE_ISI_CV)
    clean = _place(n, templates, trains)

    spont_sig, spont_events = spontaneous_signal(spontaneous or {}, n=n, fs=fs, seed=int(seed),
                                                 unit_templates=templates)
    clean = clean + spont_sig
    noise = noise_uv * 1e-6 * np.random.default_rng([int(seed), 18]).standard_normal(n)
    data = clean + noise

    active = rates > 0
    set_rate = np.array([rates[u, active[u]].mean() if active[u].any() else 0.0 for u in range(p.n_units)])
    units = anatomy.assign(
        threshold=_thresholds(p),
        amplitude_uv=np.ptp(templates, axis=1) * 1e6,
        peak_ms=np.argmax(np.abs(templates), axis=1) / fs * 1e3,
        set_rate_hz=set_rate,
        n_discharges=[t.size for t in trains])
    su = np.concatenate([np.full(t.size, u) for u, t in enumerate(trains)]) if trains else np.zeros(0, int)
    si = np.concatenate(trains) if trains else np.zeros(0, int)
    order = np.argsort(si, kind="stable")
    discharges = pd.DataFrame({"unit": su[order].astype(int), "time_s": si[order] / fs})
    for arr in (templates, f, clean):
        arr.flags.writeable = False
    truth = NeedleTruth(units=units, discharges=discharges, templates=templates,
                        spontaneous=spont_events, force=f, clean=clean)
    events = [(r.time_s, r.duration_s, r.type) for r in spont_events.itertuples()]
    rec = Recording._trusted(data[None, :], fs=fs, ch_names=("needle",), unit="V",
                             source=f"simulated needle EMG ({p.name})",
                             meta={"simulation": params, "electrode": "concentric needle (simulated)",
                                   "preset": p.name},
                             events=events)
    return NeedleSimulation(recording=rec, truth=truth, params=params)


_TEMPLATE_CACHE: dict = {}


def _cached_templates(preset, fs, seed):
    """Templates are the slow part (~1 s); keep the last few (they are read-only)."""
    if isinstance(preset, NeedlePreset):
        return unit_templates(preset, fs=fs, seed=seed)
    key = (preset, float(fs), seed)
    if key not in _TEMPLATE_CACHE:
        if len(_TEMPLATE_CACHE) >= 12:
            _TEMPLATE_CACHE.pop(next(iter(_TEMPLATE_CACHE)))
        tpl, anatomy = unit_templates(preset, fs=fs, seed=seed)
        tpl.flags.writeable = False
        _TEMPLATE_CACHE[key] = (tpl, anatomy)
    tpl, anatomy = _TEMPLATE_CACHE[key]
    return tpl, anatomy.copy()


def replace_preset(preset: str, **changes) -> NeedlePreset:
    """A copy of a built-in preset with some fields changed (``dataclasses.replace``)."""
    return dataclasses.replace(_preset(preset), **changes)
