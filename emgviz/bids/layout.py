"""BIDS file names and folders: entities in and out, dataset roots, the EMG recordings of a dataset."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["ENTITY_KEYS", "bids_entities", "bids_name", "find_bids_root", "list_bids_recordings",
           "check_label"]

#: BIDS entity keys (short form in file names) and their long names, in file-name order.
ENTITY_KEYS = {"sub": "subject", "ses": "session", "task": "task", "acq": "acquisition", "run": "run",
               "recording": "recording"}
_LABEL = re.compile(r"^[A-Za-z0-9]+$")
#: Extensions of EMG data files BIDS allows (lower case only: ``.EDF`` MUST NOT be used).
DATA_EXTENSIONS = (".edf", ".bdf")


def check_label(key: str, value) -> str:
    """A BIDS label: letters and digits only (run: a non-negative integer)."""
    text = str(value)
    if key == "run":
        if not text.isdigit():
            raise ValueError(f"BIDS run must be a non-negative integer, got {value!r}")
        return text
    if not _LABEL.match(text):
        raise ValueError(f"BIDS {ENTITY_KEYS.get(key, key)} label must be letters and digits only "
                         f"(no '_', '-', spaces), got {value!r}: e.g. {re.sub(r'[^A-Za-z0-9]', '', text) or '01'!r}")
    return text


def bids_entities(path: str | Path) -> dict[str, str]:
    """Entities of a BIDS file name, long names as keys.

    Examples
    --------
    >>> bids_entities("sub-01_ses-pre_task-grip_run-2_emg.bdf")
    {'subject': '01', 'session': 'pre', 'task': 'grip', 'run': '2'}
    """
    stem = Path(path).name.split(".")[0]
    out: dict[str, str] = {}
    for part in stem.split("_")[:-1]:  # the last part is the suffix (emg, channels, ...)
        key, sep, value = part.partition("-")
        if sep and key in ENTITY_KEYS:
            out[ENTITY_KEYS[key]] = value
    return out


def bids_name(entities: dict[str, str], suffix: str, extension: str) -> str:
    """A BIDS file name from entities (long or short keys), in the order BIDS requires.

    Examples
    --------
    >>> bids_name({"subject": "01", "task": "grip", "run": "1"}, "emg", ".bdf")
    'sub-01_task-grip_run-1_emg.bdf'
    """
    long_to_short = {v: k for k, v in ENTITY_KEYS.items()}
    given = {long_to_short.get(k, k): v for k, v in entities.items() if v not in (None, "")}
    parts = [f"{k}-{check_label(k, given[k])}" for k in ENTITY_KEYS if k in given]
    return "_".join(parts + [suffix]) + extension


def find_bids_root(path: str | Path) -> Path | None:
    """The dataset folder (holding ``dataset_description.json``) a file belongs to, or None."""
    p = Path(path).resolve()
    for parent in [p] + list(p.parents):
        if (parent / "dataset_description.json").is_file():
            return parent
    return None


def list_bids_recordings(root: str | Path) -> list[Path]:
    """The EMG data files of a dataset: ``sub-*/[ses-*/]emg/*_emg.edf|bdf``, sorted."""
    root = Path(root)
    found = []
    for pattern in ("sub-*/emg/*_emg.*", "sub-*/ses-*/emg/*_emg.*"):
        found += [p for p in root.glob(pattern) if p.suffix in DATA_EXTENSIONS and p.is_file()]
    return sorted(found)
