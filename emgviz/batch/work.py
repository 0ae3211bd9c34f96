"""The per-file work of a batch: read one recording, process it, measure every EMG channel.

Runs on whatever executes the batch (this process, a local worker process or a Dask worker),
so it takes and returns only small, picklable values and never raises.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..export import file_sha256

__all__ = ["FileTask", "FileResult", "process_file", "file_sha256", "feature_name", "feature_unit"]

_UNIT_IN_NAME = re.compile(r"^(?P<name>.*?) \((?P<unit>[^()]*)\)$")


@dataclass(frozen=True)
class FileTask:
    """One input of a batch.

    Attributes
    ----------
    path : str
        The file, as the batch found it.
    entities : tuple of (str, str)
        BIDS entities of the file (``("subject", "01"), ("task", "grip"), ...``); empty for
        a plain file.
    """

    path: str
    entities: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FileResult:
    """What the work on one file gave: rows, or the error that stopped it.

    Attributes
    ----------
    path : str
    sha256 : str
        SHA-256 of the file's bytes (for a WFDB record, of its header), ``""`` if unreadable.
    rows : tuple of dict
        One dict per EMG channel: ``channel``, ``unit`` (the signal's unit, ``"V"`` or
        ``"a.u."``) and one value per feature (float, keyed by :func:`feature_name`).
    units : tuple of (str, str)
        ``(feature, unit)`` as :func:`emgviz.feature_table` names them for this file.
    error : str or None
    warnings : tuple of str
    """

    path: str
    sha256: str = ""
    rows: tuple[dict, ...] = ()
    units: tuple[tuple[str, str], ...] = ()
    error: str | None = None
    warnings: tuple[str, ...] = field(default=())


def feature_name(column: str) -> str:
    """``"RMS (V)"`` → ``"RMS"``: a feature table column without its unit."""
    m = _UNIT_IN_NAME.match(column)
    return m["name"] if m else column


def feature_unit(column: str) -> str:
    """``"iEMG (V·s)"`` → ``"V·s"``; ``""`` when the column states no unit."""
    m = _UNIT_IN_NAME.match(column)
    return m["unit"] if m else ""


def _read(task: FileTask, fs: float | None):
    from ..bids.read import read_bids_file
    from ..io import read_file

    if task.entities:
        return read_bids_file(task.path, fs=fs)
    return read_file(task.path, fs=fs)


def process_file(task: FileTask, settings_dict: dict, fs: float | None = None) -> FileResult:
    """Read, process and measure one file; never raises (a batch must keep going).

    The EMG-kind channels are kept when the file marks any (else every channel), processed
    with ``preprocess(rec, Settings.from_dict(settings_dict), envelope=False)`` and measured
    with :func:`emgviz.feature_table` on the filtered signal.
    """
    from ..errors import ReadError

    path = task.path
    try:
        from ..features import feature_table
        from ..pipeline import preprocess
        from ..settings import Settings

        sha = file_sha256(path) if os.path.isfile(path) else ""
        rec = _read(task, fs)
        if "emg" in rec.ch_kinds:
            rec = rec.pick_kind("emg")
        out = preprocess(rec, Settings.from_dict(settings_dict), envelope=False)
        table = feature_table(out.filtered)
        columns = [c for c in table.columns if c != "channel"]
        # units as for a signal in volts; a row's own unit is in its "unit" column
        signal_unit = out.filtered.unit
        units = tuple((feature_name(c), feature_unit(c).replace(signal_unit, "V") if signal_unit != "V"
                       else feature_unit(c)) for c in columns)
        rows = []
        for i, row in enumerate(table.itertuples(index=False)):
            values = dict(zip(table.columns, row))
            item = {"channel": str(values["channel"]), "unit": str(out.filtered.ch_units[i])}
            for c in columns:
                item[feature_name(c)] = float(values[c])
            rows.append(item)
        notes = [str(n) for n in (rec.meta.get("notes") or ())]
        return FileResult(path, sha, tuple(rows), units, None, tuple(list(out.warnings) + notes))
    except ReadError as exc:
        return FileResult(path, error=str(exc))
    except Exception as exc:  # one bad file never stops the batch; the summary names it
        return FileResult(path, error=f"{type(exc).__name__}: {exc}")
