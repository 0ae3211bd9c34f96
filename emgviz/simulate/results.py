"""What a simulation returns: the recording, the truth behind it, and the parameters."""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd
import numpy as np

from ..recording import Recording

__all__ = ["Truth", "Simulation"]


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


