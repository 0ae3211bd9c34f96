"""Seeded synthetic EMG with ground truth: surface and intramuscular (needle) models.

Modules, one job each:

* :mod:`~emgviz.simulate.surface` — surface EMG from a motor-unit pool (:func:`simulate`);
* :mod:`~emgviz.simulate.profiles` — contraction profiles (the drive over time);
* :mod:`~emgviz.simulate.artefacts` — artefacts added to a clean signal;
* :mod:`~emgviz.simulate.results` — :class:`Simulation` and :class:`Truth`;
* :mod:`~emgviz.simulate.scoring` — scoring a burst detector against the truth.
"""

from .artefacts import ARTEFACTS
from .profiles import PROFILES, profile
from .results import Simulation, Truth
from .scoring import score_onsets
from .surface import FIRING_RATE_HZ, ISI_CV, RECRUIT_RANGE, simulate

__all__ = ["simulate", "profile", "Simulation", "Truth", "score_onsets",
           "PROFILES", "ARTEFACTS", "RECRUIT_RANGE", "FIRING_RATE_HZ", "ISI_CV"]
