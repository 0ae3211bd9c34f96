"""The real recordings bundled in ``sample_data/`` (see its README for sources and licences)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["SAMPLE_DIR", "Sample", "SAMPLES", "DEFAULT_SAMPLE", "NEEDLE_SAMPLES", "sample_path", "get_sample", "sample_files"]

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"


@dataclass(frozen=True)
class Sample:
    """One bundled recording: a short key (used in links), its file and what it is."""

    key: str
    filename: str
    title: str
    n_channels: int
    fs_hz: float
    licence: str
    #: Reader options, e.g. the unit of files that state none (from the source's documentation).
    read_options: tuple[tuple[str, str], ...] = ()


SAMPLES = (
    Sample("uci-gestures", "uci_gestures_1_raw_data_11-08_21.03.16.txt",
           "Forearm, 8 channels, hand gestures (UCI, MYO armband)", 8, 1000.0, "CC BY 4.0",
           (("unit", "V"),)),
    Sample("emgdb-healthy", "emg_healthy.hea",
           "Healthy · needle EMG, tibialis anterior (PhysioNet emgdb)", 1, 4000.0, "ODC-By 1.0"),
    Sample("emgdb-myopathy", "emg_myopathy.hea",
           "Myopathy · needle EMG, tibialis anterior (PhysioNet emgdb)", 1, 4000.0, "ODC-By 1.0"),
    Sample("emgdb-neuropathy", "emg_neuropathy.hea",
           "Neuropathy · needle EMG, tibialis anterior (PhysioNet emgdb)", 1, 4000.0, "ODC-By 1.0"),
    Sample("biosppy", "biosppy_emg_1.txt",
           "Bursts and rest, raw ADC counts (BioSPPy)", 1, 1000.0, "BSD-3-Clause"),
    Sample("ktk-biceps", "ktk_emg_biceps_brachii.csv",
           "Biceps brachii, right (Kinetics Toolkit)", 1, 1925.9, "Apache-2.0",
           (("unit", "V"),)),
)
DEFAULT_SAMPLE = SAMPLES[0].key
#: The three concentric-needle recordings of PhysioNet emgdb, opened together by "Needle examples".
NEEDLE_SAMPLES = ("emgdb-healthy", "emgdb-myopathy", "emgdb-neuropathy")


def get_sample(key: str) -> Sample:
    """The bundled sample with this key; the error lists the keys."""
    for s in SAMPLES:
        if s.key == key:
            return s
    raise KeyError(f"no bundled sample {key!r}; samples are {[s.key for s in SAMPLES]}")


def sample_path(key: str) -> Path:
    """Path of a bundled sample by key; the error lists the keys."""
    for s in SAMPLES:
        if s.key == key:
            return SAMPLE_DIR / s.filename
    raise KeyError(f"no bundled sample {key!r}; samples are {[s.key for s in SAMPLES]}")


def sample_files(key: str) -> list[tuple[str, bytes]]:
    """The (name, bytes) files of a bundled sample, as an upload would bring them (WFDB: .hea + .dat)."""
    path = sample_path(key)
    files = [(path.name, path.read_bytes())]
    if path.suffix == ".hea":
        dat = path.with_suffix(".dat")
        files.append((dat.name, dat.read_bytes()))
    return files
