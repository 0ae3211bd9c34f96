"""Read the EMG recordings of a BIDS dataset with their sidecars (BIDS 1.11, BEP042).

What the sidecars give:

- ``_channels.tsv``: channel ``name`` (checked against the data file), ``type`` (EMG, ECG,
  ACCEL, TRIG, ... → :attr:`Recording.ch_kinds`), ``units`` (used to scale channels whose data
  file states none), ``status`` (``bad`` channels are left out, with a note), ``target_muscle``.
- ``_events.tsv``: ``onset``, ``duration`` and ``trial_type`` (or ``value``) → events.
- ``_emg.json`` (with the inheritance principle: files higher in the tree apply to every
  recording below them whose entities they name): ``EMGPlacementScheme``, ``EMGReference``,
  ``PowerLineFrequency``, ... → ``meta["bids"]``.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from ..errors import ReadError
from ..recording import CHANNEL_KINDS, Recording
from .layout import bids_entities, find_bids_root, list_bids_recordings

__all__ = ["read_bids_file", "read_bids_dataset", "sidecar_files", "BIDS_TYPE_TO_KIND"]

#: BIDS channel types and the emgviz channel kind each becomes (others: their own name when emgviz
#: knows it as a kind, else "other").
BIDS_TYPE_TO_KIND = {"EMG": "emg", "ACCEL": "acc", "GYRO": "gyro", "TRIG": "trigger", "FORCE": "force",
                     "JNTANG": "gonio"}
_UNIT_SCALE = {"v": 1.0, "mv": 1e-3, "uv": 1e-6, "µv": 1e-6, "μv": 1e-6, "nv": 1e-9}
#: Sidecar fields copied into ``meta["bids"]``.
META_FIELDS = ("TaskName", "EMGPlacementScheme", "EMGPlacementSchemeDescription", "EMGReference", "EMGGround",
               "PowerLineFrequency", "SamplingFrequency", "SoftwareFilters", "HardwareFilters", "RecordingType",
               "EMGChannelCount", "Manufacturer", "ManufacturersModelName", "ElectrodeType", "ElectrodeMaterial",
               "InterelectrodeDistance", "SkinPreparation", "TaskDescription")


def sidecar_files(data_path: Path, suffix: str, extension: str) -> list[Path]:
    """Sidecars that apply to ``data_path`` by the inheritance principle, most general first.

    A candidate is a ``*_<suffix><extension>`` file in the data file's folder or a parent
    folder up to the dataset root whose entities all appear, with the same values, in the
    data file's name.
    """
    data_path = Path(data_path).resolve()
    root = find_bids_root(data_path) or data_path.parent
    ents = bids_entities(data_path)
    folders = [data_path.parent] + [p for p in data_path.parent.parents if p == root or root in p.parents]
    out = []
    for folder in reversed(folders):  # root first: later (closer) files override
        for cand in sorted(folder.glob(f"*_{suffix}{extension}")) + sorted(folder.glob(f"{suffix}{extension}")):
            cents = bids_entities(cand)
            if all(ents.get(k) == v for k, v in cents.items()):
                out.append(cand)
    return out


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
                for row in csv.DictReader(fh, delimiter="\t")]


def _sidecar_json(data_path: Path) -> dict:
    merged: dict = {}
    for p in sidecar_files(data_path, "emg", ".json"):
        try:
            merged.update(json.loads(p.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ReadError(data_path.name, f"its sidecar {p.name} is not valid JSON ({exc})",
                            "fix the JSON (a validator such as bids-validator points to the line)") from exc
    return merged


def _kind(bids_type: str) -> str:
    t = bids_type.strip().upper()
    if t in BIDS_TYPE_TO_KIND:
        return BIDS_TYPE_TO_KIND[t]
    return t.lower() if t.lower() in CHANNEL_KINDS else "other"


def _apply_channels(rec: Recording, rows: list[dict[str, str]], name: str, notes: list[str]) -> Recording:
    tsv_names = [r.get("name", "") for r in rows]
    if len(rows) != rec.n_channels:
        raise ReadError(name, f"_channels.tsv lists {len(rows)} channels but the data file holds "
                              f"{rec.n_channels} ({', '.join(rec.ch_names)})",
                        "list every channel of the data file, in its order, in _channels.tsv")
    mismatched = [(a, b) for a, b in zip(tsv_names, rec.ch_names) if a != b]
    if mismatched:
        notes.append("channel names from _channels.tsv (the data file's labels differ: "
                     + ", ".join(f"{b!r}→{a!r}" for a, b in mismatched[:5]) + ")")
    kinds = tuple(_kind(r.get("type", "")) if r.get("type") else k for r, k in zip(rows, rec.ch_kinds))
    data, units = rec.data, list(rec.ch_units)
    scaled = None
    for i, r in enumerate(rows):
        scale = _UNIT_SCALE.get(r.get("units", "").lower())
        if units[i] == "a.u." and scale is not None:
            scaled = data.copy() if scaled is None else scaled
            scaled[i] = data[i] * scale
            units[i] = "V"
            notes.append(f"{tsv_names[i]}: unit {r['units']} from _channels.tsv (the data file states none)")
    out = rec.replace(data=scaled if scaled is not None else rec.data, ch_names=tuple(tsv_names),
                      ch_kinds=kinds, ch_units=tuple(units),
                      unit="V" if all(u == "V" for u, k in zip(units, kinds) if k == "emg") else rec.unit)
    bad = [i for i, r in enumerate(rows) if r.get("status", "").lower() == "bad"]
    if bad:
        keep = [i for i in range(out.n_channels) if i not in bad]
        if not keep:
            raise ReadError(name, "every channel is marked bad in _channels.tsv", "nothing is left to analyse")
        for i in bad:
            why = rows[i].get("status_description") or "no reason given"
            notes.append(f"channel {tsv_names[i]} left out: status bad in _channels.tsv ({why})")
        out = out.pick(keep)
    return out


def _events(path: Path, name: str):
    import pandas as pd

    rows = _read_tsv(path)
    out = []
    for r in rows:
        try:
            onset = float(r["onset"])
        except (KeyError, ValueError):
            raise ReadError(name, f"{path.name} has a row without a numeric onset ({r})",
                            "every _events.tsv row needs onset and duration in seconds") from None
        dur = r.get("duration", "n/a")
        duration = float(dur) if dur not in ("", "n/a") else 0.0
        label = r.get("trial_type") or r.get("value") or "event"
        out.append((onset, 0.0 if math.isnan(duration) else duration, "" if label == "n/a" else label))
    return pd.DataFrame(out, columns=["time_s", "duration_s", "label"])


def read_bids_file(path, *, fs: float | None = None) -> Recording:
    """Read one EMG data file of a BIDS dataset with its sidecars.

    Parameters
    ----------
    path : path
        ``.../sub-<label>/[ses-<label>/]emg/*_emg.edf|bdf``.
    fs : float, optional
        Passed to :func:`emgviz.read_file` (EDF/BDF state their rate, so normally unused).

    Returns
    -------
    Recording
        ``meta["bids"]`` holds the entities, the sidecar's EMG fields and the target muscles;
        ``meta["notes"]`` every assumption and every channel left out.
    """
    from ..io import read_file

    path = Path(path)
    rec = read_file(path, fs=fs)
    notes = list(rec.meta.get("notes") or ())
    sidecar = _sidecar_json(path)
    channels = sidecar_files(path, "channels", ".tsv")
    rows = _read_tsv(channels[-1]) if channels else []
    if rows:
        rec = _apply_channels(rec, rows, path.name, notes)
    else:
        notes.append("no _channels.tsv: channel names, kinds and units from the data file")
    events = sidecar_files(path, "events", ".tsv")
    if events:
        rec = rec.replace(events=_events(events[-1], path.name))
    sf = sidecar.get("SamplingFrequency")
    if isinstance(sf, (int, float)) and abs(float(sf) - rec.fs) > 1e-6 * rec.fs:
        notes.append(f"_emg.json states SamplingFrequency {sf} Hz; the data file's {rec.fs:g} Hz is used")
    kept = {r.get("name"): r for r in rows}
    bids = {"entities": bids_entities(path), **{k: sidecar[k] for k in META_FIELDS if k in sidecar},
            "muscles": {n: kept[n].get("target_muscle", "") for n in rec.ch_names
                        if n in kept and kept[n].get("target_muscle", "") not in ("", "n/a")}}
    meta = {**dict(rec.meta), "bids": bids, "notes": tuple(notes)}
    return rec.replace(meta=meta)


def read_bids_dataset(root, *, fs: float | None = None):
    """Every EMG recording of a BIDS dataset, one after the other (a generator).

    Yields
    ------
    Recording
        As :func:`read_bids_file` gives it; ``rec.meta["bids"]["entities"]`` says which one.
    """
    root = Path(root)
    if not (root / "dataset_description.json").is_file():
        raise ReadError(root.name, "is not a BIDS dataset (no dataset_description.json)",
                        "point to the dataset's top folder")
    for p in list_bids_recordings(root):
        yield read_bids_file(p, fs=fs)
