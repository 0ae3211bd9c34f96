"""Run a batch: find the recordings, send each to an engine, write rows as they come back."""

from __future__ import annotations

import glob
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..settings import Settings
from . import engines
from .output import TableWriter, read_done
from .work import FileResult, FileTask, file_sha256

__all__ = ["BatchResult", "run_batch", "find_recordings", "find_tasks", "readable_suffixes", "not_a_recording"]

# Names of files that document a folder rather than record from a muscle (README.md, LICENSE.txt,
# BioSPPy_BSD-3-Clause.txt, kineticstoolkit_NOTICE.txt, ...).
_DOC_NAMES = re.compile(r"^(readme|licen[cs]e|notice|copying|changes|changelog|authors|citation|sources)\b|"
                        r"_(licen[cs]e|notice)\b|(^|[_-])(bsd|mit|apache|gpl|lgpl|cc)[-_.0-9a-z]*\.txt$",
                        re.IGNORECASE)
_TEXT_SUFFIXES = {".txt", ".csv", ".tsv"}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True, eq=False)
class BatchResult:
    """What :func:`run_batch` did.

    Attributes
    ----------
    table : DataFrame or None
        The rows written (one per file × EMG channel), or None with ``keep_table=False``.
    failures : DataFrame
        ``file`` and ``error`` (the ReadError message, or the error type and message).
    skipped : tuple of (str, str)
        Files found in a folder but not read, with the reason (documentation, not a recording,
        or already in the output with ``resume=True``).
    out : Path
        The table written.
    n_files : int
        How many files were processed in this run.
    n_rows : int
        Rows in the output after the run.
    seconds : float
        Wall time of the run in s.
    engine : str
        ``"serial"``, ``"processes (N)"`` or ``"dask (ADDRESS)"``.
    """

    table: object
    failures: object
    out: Path
    n_files: int
    n_rows: int
    seconds: float
    engine: str
    skipped: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def n_ok(self) -> int:
        """Files that gave rows in this run."""
        return self.n_files - len(self.failures)

    @property
    def exit_code(self) -> int:
        """0 when the output holds rows (this run's or a resumed one's), else 1."""
        return 0 if self.n_rows > 0 else 1


def readable_suffixes() -> tuple[str, ...]:
    """Suffixes a batch looks for in folders: :func:`emgviz.io.supported_suffixes` without ``.dat``
    (a WFDB record is read through its ``.hea``)."""
    from ..io import supported_suffixes

    return tuple(s for s in supported_suffixes() if s != ".dat")


def not_a_recording(path: str | os.PathLike) -> str | None:
    """Why a file found in a folder is not a recording, or None when it may be one.

    Documentation (a ``LICENSES`` folder, README/LICENSE/NOTICE names, ``.md``, ``.json``) and
    text files without rows of numbers in their first 8 KiB are not recordings.

    Examples
    --------
    >>> not_a_recording("LICENSES/BioSPPy_BSD-3-Clause.txt"), not_a_recording("s01/emg.edf")
    ('documentation, not a recording', None)
    """
    path = Path(path)
    if (_DOC_NAMES.search(path.name) or path.suffix.lower() in {".md", ".json", ".html", ".pdf"}
            or any(part.upper() in ("LICENSES", "LICENCES") for part in path.parts[:-1])):
        return "documentation, not a recording"
    if path.suffix.lower() in _TEXT_SUFFIXES:
        try:
            with path.open("rb") as fh:
                head = fh.read(8192).decode("utf-8", "replace")
        except OSError:
            return None  # let the reader report it
        lines = [ln for ln in head.splitlines()[:-1] if ln.strip() and not ln.lstrip().startswith("#")]
        numeric = sum(1 for ln in lines
                      if (cells := [c for c in re.split(r"[,;\t ]+", ln.strip()) if c])
                      and sum(bool(_NUMBER.match(c)) for c in cells) >= 0.8 * len(cells))
        if numeric < 3:
            return "no rows of numbers in its first 8 KiB: not a recording"
    return None


def find_recordings(paths_or_glob) -> list[Path]:
    """The recording files a batch would read (see :func:`find_tasks`)."""
    return [Path(t.path) for t in find_tasks(paths_or_glob)[0]]


def find_tasks(paths_or_glob: str | os.PathLike | Iterable[str | os.PathLike]
               ) -> tuple[list[FileTask], list[tuple[str, str]]]:
    """The files a batch reads, and the ones it skips with the reason.

    Parameters
    ----------
    paths_or_glob : path, glob pattern, or sequence of them
        A BIDS dataset (a folder holding ``dataset_description.json``) gives its
        ``sub-*/[ses-*/]emg/*_emg.edf|bdf`` files with their entities. Another folder is
        searched recursively for every readable suffix (hidden files, documentation and text
        files without rows of numbers are skipped with a note); a pattern (``*``, ``?``,
        ``[``) is expanded with ``recursive=True``; a file is taken as is. WFDB records are
        read through their ``.hea``: a ``.dat`` beside a ``.hea`` of the same name is skipped.

    Returns
    -------
    tasks : list of FileTask
        Sorted by path, without duplicates.
    skipped : list of (str, str)
    """
    from ..bids.layout import bids_entities, find_bids_root, list_bids_recordings

    items = [paths_or_glob] if isinstance(paths_or_glob, (str, os.PathLike)) else list(paths_or_glob)
    suffixes = set(readable_suffixes())
    found: dict[str, FileTask] = {}
    skipped: list[tuple[str, str]] = []

    def add(p: Path, *, from_folder: bool) -> None:
        if p.suffix.lower() == ".dat" and p.with_suffix(".hea").exists():
            return
        if from_folder and (why := not_a_recording(p)):
            skipped.append((str(p), why))
            return
        root = find_bids_root(p)
        ents = tuple(bids_entities(p).items()) if root is not None and p.name.split(".")[0].endswith("_emg") else ()
        found.setdefault(str(p), FileTask(str(p), ents))

    for item in items:
        text = os.fspath(item)
        if any(c in text for c in "*?["):
            for p in sorted(glob.glob(text, recursive=True)):
                if Path(p).is_file():
                    add(Path(p), from_folder=False)
        elif Path(text).is_dir() and (Path(text) / "dataset_description.json").is_file():
            for p in list_bids_recordings(Path(text)):
                add(p, from_folder=False)
        elif Path(text).is_dir():
            for p in sorted(Path(text).rglob("*")):
                rel = p.relative_to(text).parts
                if p.is_file() and p.suffix.lower() in suffixes and not any(x.startswith(".") for x in rel):
                    add(p, from_folder=True)
        else:
            add(Path(text), from_folder=False)  # a missing file is reported as a failure, not skipped
    return [found[k] for k in sorted(found)], skipped


class _Progress:
    """A dependency-free progress line on stderr: ``[3/10]  30% ok     name``."""

    def __init__(self, total: int, *, enabled: bool, stream=None):
        self.total, self.done, self.enabled = total, 0, enabled
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def step(self, name: str, ok: bool) -> None:
        self.done += 1
        if not self.enabled:
            return
        mark = "ok" if ok else "FAILED"
        line = f"[{self.done}/{self.total}] {100 * self.done // max(self.total, 1):3d}% {mark:6s} {name}"
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _header(settings: Settings, features: list[tuple[str, str]]) -> list[str]:
    """The provenance lines (:func:`emgviz.export.provenance_lines`, without the ``# ``)."""
    from ..export import provenance_lines

    units = (", ".join(f"{f} ({u})" if u else f for f, u in features)
             + "; SI as stored; for a row whose unit is not V (a.u.: raw ADC counts), read that unit for V")
    lines = provenance_lines(settings=settings, units=units,
                             what="batch: one row per file × EMG channel; features of the filtered signal",
                             extra={"inputs": "every row names its file and that file's SHA-256"})
    return [line[2:] for line in lines]


def _engine(tasks, sdict, fs, *, workers: int | None, scheduler: str | None):
    if scheduler:
        return engines.run_dask(tasks, sdict, fs, scheduler=scheduler), f"dask ({scheduler})"
    n = max(1, min(int(workers or engines.default_workers(len(tasks))), max(len(tasks), 1)))
    if n == 1 or len(tasks) <= 1:
        return engines.run_serial(tasks, sdict, fs), "serial"
    return engines.run_processes(tasks, sdict, fs, workers=n), f"processes ({n})"


def run_batch(paths_or_glob, *, out: str | os.PathLike, settings: Settings = Settings(),
              workers: int | None = None, scheduler: str | None = None, resume: bool = False,
              progress: bool = True, fs: float | None = None, keep_table: bool = True) -> BatchResult:
    """Process many recordings with the same settings into one table (CSV or Parquet).

    Every file is read where the work runs (:func:`emgviz.read_file`, or the BIDS reader for
    a file of a BIDS dataset), its EMG channels processed with ``preprocess(rec, settings)``
    and measured with ``feature_table(filtered)``. Rows are written as results come back, in
    input order, so the output is the same whatever the engine and the number of workers; a
    file that fails is listed with its error and never stops the others.

    Parameters
    ----------
    paths_or_glob : path, glob pattern, or sequence of them
        See :func:`find_tasks`.
    out : path
        ``.csv`` or ``.parquet`` (a folder gets ``emgviz_batch.csv`` inside). See
        :mod:`emgviz.batch.output` for the columns; the CSV's leading ``#`` lines state the
        version, the processing, the settings as JSON, the feature units and the library
        versions; trailing ``# failed:`` lines name the files that failed.
    settings : Settings, default=Settings()
    workers : int, optional
        Local worker processes; default ``min(os.cpu_count(), n_files)``; 1 runs in this
        process. Ignored with ``scheduler``.
    scheduler : str, optional
        Address of an existing ``dask.distributed`` scheduler (``"tcp://host:8786"``): every
        file becomes a task on its workers.
    resume : bool, default=False
        Skip files already in ``out`` with the same SHA-256 and add the others to it. The
        settings must be the ones ``out`` was made with.
    progress : bool, default=True
        A ``[i/n]`` line per file on stderr.
    fs : float, optional
        Sampling rate in Hz for files that state none.
    keep_table : bool, default=True
        Also return the rows as a DataFrame (False keeps memory bounded for huge batches).

    Returns
    -------
    BatchResult
    """
    import pandas as pd

    from ..export import library_versions

    if not isinstance(settings, Settings):
        raise ValueError(f"settings must be an emgviz Settings, got {type(settings).__name__}")
    t_start = time.perf_counter()
    tasks, skipped = find_tasks(paths_or_glob)
    out = Path(out)
    if out.is_dir():
        out = out / "emgviz_batch.csv"
    sdict = settings.to_dict()
    settings_json = json.dumps(sdict, sort_keys=True)
    if resume:
        done, made_with = read_done(out)
        if made_with is not None and made_with != settings_json:
            raise ValueError(f"{out} was made with other settings ({made_with}); resume with those "
                             f"settings or write to a new file")
        todo = []
        for t in tasks:
            if t.path in done and os.path.isfile(t.path) and file_sha256(t.path) == done[t.path]:
                skipped.append((t.path, "already in the output (same SHA-256)"))
            else:
                todo.append(t)
        tasks = todo
    versions = library_versions()
    versions_json = json.dumps(versions, sort_keys=True)
    bids = any(t.entities for t in tasks)
    results, engine = _engine(tasks, sdict, fs, workers=workers, scheduler=scheduler)
    counter = _Progress(len(tasks), enabled=progress)
    writer, kept, fails, warns = None, [], [], []
    try:
        for task, res in zip(tasks, results):
            counter.step(Path(task.path).name, res.error is None)
            if res.error is not None:
                fails.append((task.path, res.error))
                continue
            if writer is None:
                features = list(res.units)
                writer = TableWriter(out, header=_header(settings, features), features=features,
                                     bids=bids, append=resume)
            rows = _rows(task, res, settings_json, versions_json)
            writer.write(rows)
            if keep_table:
                kept += rows
            warns += [f"{Path(task.path).name}: {w}" for w in res.warnings]
    finally:
        if writer is not None:
            writer.close([f"failed: {f}: {e}" for f, e in fails])
    if writer is not None:
        n_rows = writer.n_rows
    else:
        n_rows = _count_rows(out) if resume and out.exists() else 0
    table = pd.DataFrame(kept, columns=writer.columns if writer else None) if keep_table else None
    return BatchResult(table=table, failures=pd.DataFrame(fails, columns=["file", "error"]), out=out,
                       n_files=len(tasks), n_rows=int(n_rows or 0), seconds=time.perf_counter() - t_start,
                       engine=engine, skipped=tuple(skipped), warnings=tuple(warns))


def _rows(task: FileTask, res: FileResult, settings_json: str, versions_json: str) -> list[dict]:
    base = {"file": task.path, "sha256": res.sha256, **dict(task.entities),
            "settings": settings_json, "versions": versions_json}
    return [{**base, **r} for r in res.rows]


def _count_rows(out: Path) -> int:
    import pandas as pd

    if out.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(out).metadata.num_rows
    return len(pd.read_csv(out, comment="#", usecols=["file"]))
