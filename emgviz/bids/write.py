"""Write recordings as an EMG-BIDS dataset (BIDS 1.11): BDF+/EDF+ data with its required sidecars."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

from ..recording import Recording
from .layout import bids_name, check_label

__all__ = ["write_bids", "BIDS_VERSION", "KIND_TO_BIDS_TYPE", "PLACEMENT_SCHEMES"]

#: The BIDS version that holds EMG (BEP042 merged in 1.11).
BIDS_VERSION = "1.11.0"
#: emgviz channel kind → BIDS channel type (upper case, from the BIDS list).
KIND_TO_BIDS_TYPE = {"emg": "EMG", "acc": "ACCEL", "gyro": "GYRO", "trigger": "TRIG", "gonio": "JNTANG",
                     "ecg": "ECG", "eeg": "EEG", "eog": "EOG", "resp": "RESP", "temp": "TEMP"}
#: Values BIDS allows for ``EMGPlacementScheme``.
PLACEMENT_SCHEMES = ("Measured", "ChannelSpecific", "Other")


def _edf_unit(unit: str) -> str:
    # emgviz writes volts as uV in EDF/BDF (see emgviz.io.write); the sidecar states what the file holds
    return "uV" if unit == "V" else ("n/a" if unit == "a.u." else unit)


def _tsv(rows: list[dict], columns: list[str]) -> str:
    def cell(v):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
            return "n/a"
        return " ".join(str(v).replace("\t", " ").split())
    return "\n".join(["\t".join(columns)] + ["\t".join(cell(r.get(c)) for c in columns) for r in rows]) + "\n"


def _write_json(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _dataset_files(root: Path, name: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    desc = root / "dataset_description.json"
    if not desc.exists():
        _write_json(desc, {"Name": name, "BIDSVersion": BIDS_VERSION, "DatasetType": "raw",
                           "GeneratedBy": [{"Name": "emgviz"}]})
    readme = root / "README"
    if not readme.exists():
        readme.write_text(f"{name}\n\nEMG recordings written by emgviz as EMG-BIDS (BIDS {BIDS_VERSION}).\n",
                          encoding="utf-8")


def _participants(root: Path, subject: str) -> None:
    path = root / "participants.tsv"
    rows = path.read_text(encoding="utf-8").splitlines()[1:] if path.exists() else []
    ids = [r.split("\t")[0] for r in rows if r.strip()]
    if f"sub-{subject}" not in ids:
        ids.append(f"sub-{subject}")
    path.write_text("participant_id\n" + "".join(f"{i}\n" for i in sorted(ids)), encoding="utf-8")


def write_bids(rec: Recording, root, *, subject: str, task: str, session: str | None = None,
               run: int | str | None = None, acquisition: str | None = None, format: str = "bdf",
               placement_scheme: str = "Other", placement_description: str | None = None,
               reference: str = "n/a", power_line_hz: float | str = "n/a", muscles: dict | None = None,
               dataset_name: str = "emgviz export", overwrite: bool = False) -> Path:
    """Write one recording into an EMG-BIDS dataset.

    Writes ``dataset_description.json``, ``README`` and ``participants.tsv`` at ``root`` (kept
    when present) and, in ``sub-<subject>/[ses-<session>/]emg/``, the data file with its
    ``_emg.json``, ``_channels.tsv`` and, when the recording has events, ``_events.tsv``.

    Parameters
    ----------
    rec : Recording
    root : path
        The dataset folder.
    subject, task : str
        BIDS labels (letters and digits).
    session, acquisition : str, optional
    run : int, optional
    format : {"bdf", "edf"}, default="bdf"
        BDF+ (24-bit; BIDS recommends it) or EDF+ (16-bit). An EDF too coarse for the signal
        is refused rather than silently written as BDF under an ``.edf`` name.
    placement_scheme : {"Measured", "ChannelSpecific", "Other"}, default="Other"
        ``EMGPlacementScheme`` (required by BIDS).
    placement_description : str, optional
        ``EMGPlacementSchemeDescription`` (required when the scheme is ``"Other"``; default
        "not recorded").
    reference : str, default="n/a"
        ``EMGReference`` (required by BIDS): where the reference electrode was.
    power_line_hz : float or "n/a", default="n/a"
        ``PowerLineFrequency`` in Hz (required by BIDS; 50 or 60 when known).
    muscles : dict, optional
        ``{channel: muscle}`` for the ``target_muscle`` column.
    overwrite : bool, default=False

    Returns
    -------
    Path
        The data file written.
    """
    from ..io.write import _edf_label, edf_bytes, needs_24_bits

    if format not in ("bdf", "edf"):
        raise ValueError(f"format must be 'bdf' or 'edf', got {format!r}")
    if placement_scheme not in PLACEMENT_SCHEMES:
        raise ValueError(f"placement_scheme must be one of {PLACEMENT_SCHEMES}, got {placement_scheme!r}")
    subject, task = check_label("sub", subject), check_label("task", task)
    entities = {"subject": subject, "session": session, "task": task, "acquisition": acquisition,
                "run": None if run is None else str(run)}
    root = Path(root)
    folder = root / f"sub-{subject}" / (f"ses-{check_label('ses', session)}" if session else "") / "emg"
    data_path = folder / bids_name(entities, "emg", f".{format}")
    if data_path.exists() and not overwrite:
        raise FileExistsError(f"{data_path} exists: pass overwrite=True (--overwrite) or another run")
    if format == "edf" and (coarse := needs_24_bits(rec)):
        raise ValueError(f"16-bit EDF is too coarse for {coarse}: write BDF (format='bdf')")
    labels = [_edf_label(n) for n in rec.ch_names]
    if len(set(labels)) != len(labels):
        raise ValueError(f"channel names collide once cut to EDF's 16 ASCII characters: {labels}")
    _dataset_files(root, dataset_name)
    _participants(root, subject)
    folder.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data_path.write_bytes(edf_bytes(rec, bdf=format == "bdf"))
    muscles = muscles or {}
    n_emg = sum(k == "emg" for k in rec.ch_kinds)
    sidecar = {"TaskName": task, "EMGPlacementScheme": placement_scheme,
               "EMGPlacementSchemeDescription": placement_description or "not recorded",
               "EMGReference": reference, "SamplingFrequency": rec.fs, "PowerLineFrequency": power_line_hz,
               "SoftwareFilters": "n/a", "RecordingType": "continuous", "RecordingDuration": rec.duration_s,
               "EMGChannelCount": n_emg}
    if placement_scheme != "Other" and placement_description is None:
        sidecar.pop("EMGPlacementSchemeDescription")
    _write_json(folder / bids_name(entities, "emg", ".json"), sidecar)
    rows = [{"name": lab, "type": KIND_TO_BIDS_TYPE.get(kind, "MISC"), "units": _edf_unit(unit),
             "sampling_frequency": rec.fs, "target_muscle": muscles.get(name, ""), "status": "good"}
            for lab, name, unit, kind in zip(labels, rec.ch_names, rec.ch_units, rec.ch_kinds)]
    columns = ["name", "type", "units", "sampling_frequency", "target_muscle", "status"]
    (folder / bids_name(entities, "channels", ".tsv")).write_text(_tsv(rows, columns), encoding="utf-8")
    if len(rec.events):
        ev = [{"onset": round(float(t) - rec.t0, 9), "duration": float(d), "trial_type": label}
              for t, d, label in rec.events.itertuples(index=False)]
        (folder / bids_name(entities, "events", ".tsv")).write_text(
            _tsv(ev, ["onset", "duration", "trial_type"]), encoding="utf-8")
    return data_path
