"""Seeded synthetic EMG with ground truth: surface and intramuscular (needle) models.

Modules, one job each:

* :mod:`~emgviz.simulate.surface` — surface EMG from a motor-unit pool (:func:`simulate`);
* :mod:`~emgviz.simulate.profiles` — contraction profiles (the drive over time);
* :mod:`~emgviz.simulate.artefacts` — artefacts added to a clean signal;
* :mod:`~emgviz.simulate.results` — :class:`Simulation` and :class:`Truth`;
* :mod:`~emgviz.simulate.scoring` — scoring a burst detector against the truth;
* :mod:`~emgviz.simulate.fibres` — muscle-fibre potentials at a needle (line-source model);
* :mod:`~emgviz.simulate.presets` — normal, myopathic and neurogenic muscles, with cited targets;
* :mod:`~emgviz.simulate.needle` — intramuscular EMG (:func:`simulate_needle`);
* :mod:`~emgviz.simulate.spontaneous` — spontaneous activity at rest.
"""

import sys as _sys
import types as _types

from .artefacts import ARTEFACTS
from .profiles import PROFILES, profile
from .results import Simulation, Truth
from .scoring import score_events, score_onsets
from .surface import FIRING_RATE_HZ, ISI_CV, RECRUIT_RANGE, simulate
from .needle import NeedleSimulation, NeedleTruth, simulate_needle
from .presets import NEEDLE_PRESETS, NeedlePreset
from .spontaneous import SPONTANEOUS_KINDS

__all__ = ["simulate", "profile", "Simulation", "Truth", "score_onsets", "score_events",
           "PROFILES", "ARTEFACTS", "RECRUIT_RANGE", "FIRING_RATE_HZ", "ISI_CV",
           "simulate_needle", "NeedleSimulation", "NeedleTruth", "NEEDLE_PRESETS", "NeedlePreset",
           "SPONTANEOUS_KINDS"]


class _CallablePackage(_types.ModuleType):
    """``emgviz.simulate(...)`` keeps working once this package is imported: ``import emgviz`` is lazy
    (PEP 562), and importing any ``emgviz.simulate.*`` module binds the name ``emgviz.simulate`` to this
    package before the lazy lookup can bind it to the function."""

    def __call__(self, *args, **kwargs):
        return simulate(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallablePackage
