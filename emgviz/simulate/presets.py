"""Muscle presets of the needle simulator: normal, myopathic, neurogenic — anatomy, recruitment and
the published values each is built to reproduce.

The anatomy follows what the muscle biopsy and scanning EMG show (Stålberg & Dioszeghy
1991, *Electroencephalogr Clin Neurophysiol* 81:403–416; Daube & Rubin 2009, *Muscle
Nerve* 39:244–270):

* **normal** — ~20 motor units overlap any point of a limb muscle, each with ~10 of its
  fibres per mm² spread over a territory 5–10 mm across, fibre diameter 55 ± 6 µm,
  end-plates in a zone a few mm wide;
* **myopathic** — the same units, but fibres lost (about half) and of varied size (split,
  atrophic and hypertrophic fibres), so each unit is weaker: the MUPs are **short, small
  and polyphasic** and many units are needed for little force (**early recruitment**);
* **neurogenic** — units lost and the survivors' sprouts reinnervating the orphaned
  fibres: **fewer, larger units** with grouped fibres, immature slow terminals and late
  (satellite) components, so the MUPs are **long, large and often polyphasic**, and the
  first units fire fast before the next one is recruited (**reduced recruitment**).

``targets`` are the ranges the simulated MUPs must fall in (tested with
:func:`emgviz.muap_table`). Normal concentric-needle values from Buchthal, Guld &
Rosenfalck (1954, *Acta Physiol Scand* 32:200–218; durations 8–14 ms in proximal and leg
muscles of adults) and Stålberg et al. (1996, *J Clin Neurophysiol* 13:317–345; amplitudes
of a few hundred µV to ~1.5 mV; upper normal limits of 10–25 % polyphasic MUPs depending on
the muscle). Recruitment frequency (the rate of
the first unit when the second appears): ~10 Hz normal, ≥ 20 Hz in neurogenic muscle
(Petajan 1991, *Muscle Nerve* 14:489–502; Daube & Rubin 2009).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["NeedlePreset", "NEEDLE_PRESETS"]


@dataclass(frozen=True)
class NeedlePreset:
    """Anatomy and recruitment of one muscle state (see the module docstring).

    Attributes
    ----------
    name, description : str
    n_units : int
        Motor units with fibres within 2 mm of the needle.
    fibre_density_per_mm2 : float
        Fibres of ONE unit per mm² of its territory.
    territory_radius_mm : float
        Radius of a unit's territory (its centre lies within it of the needle).
    diameter_um : (float, float)
        Mean and standard deviation of the fibre diameter in µm.
    endplate_sd_mm : float
        Standard deviation of the end-plate positions along the fibres in mm.
    terminal_sd_ms : float
        Standard deviation of the excitation times of a unit's fibres in ms (nerve
        terminal and end-plate delays).
    late_fraction : float
        Fraction of fibres excited late (immature sprouts), by ``late_ms``.
    late_ms : (float, float)
        Range of those extra delays in ms.
    clusters : int
        0 for fibres scattered over the territory; else the number of groups the unit's
        fibres gather in (fibre-type grouping after reinnervation).
    min_rate_hz, recruitment_rate_hz, max_rate_hz : float
        A unit starts firing at ``min_rate_hz`` at its threshold; the next unit is
        recruited when it fires at ``recruitment_rate_hz``; rates stop at ``max_rate_hz``.
    rate_gain_hz : float
        Rise of a unit's rate per unit of force (force 0–1).
    targets : mapping
        Cited target ranges: ``"Duration (ms)"``, ``"Amplitude (µV)"`` (medians over the
        units), ``"Polyphasic (%)"``, ``"Recruitment rate (Hz)"``.
    spontaneous : mapping
        Spontaneous activity typical at rest in this muscle (kind → count), for the lesson.
    """

    name: str
    description: str
    n_units: int
    fibre_density_per_mm2: float
    territory_radius_mm: float
    diameter_um: tuple[float, float]
    endplate_sd_mm: float
    terminal_sd_ms: float
    late_fraction: float
    late_ms: tuple[float, float]
    clusters: int
    min_rate_hz: float
    recruitment_rate_hz: float
    max_rate_hz: float
    rate_gain_hz: float
    targets: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    spontaneous: Mapping[str, int] = field(default_factory=dict)

    @property
    def threshold_step(self) -> float:
        """Force between successive recruitment thresholds (so the previous unit fires at
        ``recruitment_rate_hz`` when the next starts)."""
        return (self.recruitment_rate_hz - self.min_rate_hz) / self.rate_gain_hz


NEEDLE_PRESETS: dict[str, NeedlePreset] = {
    "normal": NeedlePreset(
        name="normal", description="healthy muscle: triphasic MUPs of normal size; orderly recruitment",
        n_units=20, fibre_density_per_mm2=4.0, territory_radius_mm=2.5, diameter_um=(55.0, 6.0),
        endplate_sd_mm=2.5, terminal_sd_ms=0.5, late_fraction=0.0, late_ms=(0.0, 0.0), clusters=0,
        min_rate_hz=6.0, recruitment_rate_hz=10.0, max_rate_hz=30.0, rate_gain_hz=80.0,
        targets={"Duration (ms)": (7.0, 15.0), "Amplitude (µV)": (200.0, 1500.0),
                 "Polyphasic (%)": (0.0, 25.0), "Recruitment rate (Hz)": (8.0, 12.0)},
        spontaneous={}),
    "myopathic": NeedlePreset(
        name="myopathic", description="myopathy: short, small, polyphasic MUPs; early recruitment",
        n_units=20, fibre_density_per_mm2=4.0, territory_radius_mm=0.8, diameter_um=(40.0, 15.0),
        endplate_sd_mm=0.8, terminal_sd_ms=0.3, late_fraction=0.0, late_ms=(0.0, 0.0), clusters=0,
        min_rate_hz=6.0, recruitment_rate_hz=7.0, max_rate_hz=30.0, rate_gain_hz=80.0,
        targets={"Duration (ms)": (3.0, 8.0), "Amplitude (µV)": (50.0, 600.0),
                 "Polyphasic (%)": (30.0, 100.0), "Recruitment rate (Hz)": (6.0, 8.0)},
        spontaneous={"fibrillation": 1, "positive_sharp_wave": 1}),
    "neurogenic": NeedlePreset(
        name="neurogenic", description="chronic neurogenic (reinnervated): few, long, large, polyphasic MUPs; "
                                       "reduced recruitment",
        n_units=6, fibre_density_per_mm2=45.0, territory_radius_mm=3.0, diameter_um=(55.0, 10.0),
        endplate_sd_mm=4.0, terminal_sd_ms=2.0, late_fraction=0.12, late_ms=(3.0, 10.0), clusters=4,
        min_rate_hz=6.0, recruitment_rate_hz=22.0, max_rate_hz=40.0, rate_gain_hz=80.0,
        targets={"Duration (ms)": (14.0, 30.0), "Amplitude (µV)": (1500.0, 10000.0),
                 "Polyphasic (%)": (30.0, 100.0), "Recruitment rate (Hz)": (20.0, 30.0)},
        spontaneous={"fibrillation": 1, "positive_sharp_wave": 1, "fasciculation": 1}),
}
