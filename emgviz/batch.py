"""Batch: the same processing over many recordings, in parallel, into one tidy feature table."""

from __future__ import annotations

import argparse
import glob
import importlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from .errors import ReadError
from .settings import Settings

__all__ = ["BatchResult", "run_batch", "find_recordings", "readable_suffixes", "main", "TABLE_COLUMNS"]

#: Columns of the batch table, in this order.
TABLE_COLUMNS = ("file", "channel", "feature", "value")
# Suffixes read when the reader modules cannot be imported (kept in step with emgviz/io).
_FALLBACK_SUFFIXES = (".csv", ".txt", ".tsv", ".edf", ".bdf", ".c3d", ".mat", ".hea", ".npz", ".zip", ".h5")


@dataclass(frozen=True, eq=False)
class BatchResult:
    """What :func:`run_batch` did.

    Attributes
    ----------
    table : DataFrame
        Tidy: ``file``, ``channel``, ``feature`` (with unit, e.g. ``"RMS (V)"``), ``value``.
    failures : DataFrame
        ``file`` and ``error`` (the ReadError message, or the error type and message).
    out : Path
        The CSV written.
    n_files : int
        How many files were found.
    seconds : float
        Wall time of the run in s.
    """

    table: pd.DataFrame
    failures: pd.DataFrame
    out: Path
    n_files: int
    seconds: float
    warnings: tuple[str, ...] = field(default=())

    @property
    def n_ok(self) -> int:
        """Files that gave rows."""
        return self.n_files - len(self.failures)

    @property
    def exit_code(self) -> int:
        """0 when at least one file succeeded, else 1."""
        return 0 if self.n_ok > 0 else 1


def readable_suffixes() -> tuple[str, ...]:
    """Lower-case file suffixes (with the dot) that some installed reader claims."""
    from . import io as eio

    found: set[str] = set()
    for name in eio.READER_MODULES:
        try:
            mod = importlib.import_module(f"{eio.__name__}.{name}")
        except ImportError:
            continue
        found.update(s.lower() for s in getattr(mod, "SUFFIXES", ()))
    return tuple(sorted(found or _FALLBACK_SUFFIXES))


def find_recordings(paths_or_glob: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """The recording files a batch would read.

    Parameters
    ----------
    paths_or_glob : path, glob pattern, or sequence of them
        A folder is searched recursively for every readable suffix (hidden files skipped); a
        pattern (``*``, ``?``, ``[``) is expanded with ``recursive=True`` (``**``); a file is taken
        as is. WFDB records are read through their ``.hea``: a ``.dat`` beside a ``.hea`` of the
        same name is skipped.

    Returns
    -------
    list of Path
        Sorted, without duplicates.
    """
    if isinstance(paths_or_glob, (str, os.PathLike)):
        items = [paths_or_glob]
    else:
        items = list(paths_or_glob)
    suffixes = set(readable_suffixes())
    found: list[Path] = []
    for item in items:
        text = os.fspath(item)
        if any(c in text for c in "*?["):
            candidates = [Path(p) for p in glob.glob(text, recursive=True)]
            found += [p for p in candidates if p.is_file()]
        elif Path(text).is_dir():
            for p in Path(text).rglob("*"):
                rel = p.relative_to(text).parts
                if p.is_file() and p.suffix.lower() in suffixes and not any(x.startswith(".") for x in rel):
                    found.append(p)
        else:
            found.append(Path(text))  # a missing file is reported as a failure, not skipped
    out = []
    for p in sorted(set(found)):
        if p.suffix.lower() == ".dat" and p.with_suffix(".hea").exists():
            continue
        out.append(p)
    return out


def _process_one(path: str, settings_dict: dict, fs: float | None) -> tuple[str, list | None, str | None, list]:
    """Worker: read, preprocess, measure one file. Never raises (the pool must keep going)."""
    try:
        from .features import feature_table
        from .io import read_file
        from .pipeline import preprocess

        rec = read_file(path, fs=fs)
        if "emg" in rec.ch_kinds:
            rec = rec.pick_kind("emg")
        out = preprocess(rec, Settings.from_dict(settings_dict), envelope=False)
        table = feature_table(out.filtered)
        long = table.melt(id_vars="channel", var_name="feature", value_name="value")
        long = long[pd.to_numeric(long["value"], errors="coerce").notna()]
        rows = [(str(c), str(f), float(v)) for c, f, v in long[["channel", "feature", "value"]].itertuples(index=False)]
        return path, rows, None, list(out.warnings)
    except ReadError as exc:
        return path, None, str(exc), []
    except Exception as exc:  # one bad file never stops the batch; the summary names it
        return path, None, f"{type(exc).__name__}: {exc}", []


class _Counter:
    """A dependency-free progress line on stderr: ``[3/10] 30% name``."""

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


def _header(settings: Settings, *, n_files: int, failures: pd.DataFrame) -> str:
    from . import __version__

    lines = [f"# emgviz {__version__} batch features; {n_files} file(s), {n_files - len(failures)} ok",
             f"# processing: {settings.describe()}; features of the filtered signal",
             f"# settings: {json.dumps(settings.to_dict())}"]
    for f, e in failures[["file", "error"]].itertuples(index=False):
        lines.append(f"# failed: {f}: {' '.join(str(e).split())}")
    return "\n".join(lines) + "\n"


def run_batch(paths_or_glob, *, out: str | os.PathLike, settings: Settings = Settings(),
              workers: int | None = None, progress: bool = True, fs: float | None = None) -> BatchResult:
    """Process many recordings with the same settings into one tidy CSV.

    Every file is read (:func:`emgviz.read_file`), its EMG channels processed with
    ``preprocess(rec, settings)`` and measured with ``feature_table(filtered)``. Files run in
    parallel worker processes (:class:`concurrent.futures.ProcessPoolExecutor`); a file that
    fails is listed with its error and never stops the others.

    Parameters
    ----------
    paths_or_glob : path, glob pattern, or sequence of them
        See :func:`find_recordings`.
    out : path
        The CSV to write (a folder gets ``emgviz_batch.csv`` inside). Its leading ``#`` lines
        state the version, the processing, the settings as JSON and every failed file; read it
        with ``pd.read_csv(out, comment="#")``.
    settings : Settings, default=Settings()
        The processing applied to every file.
    workers : int, optional
        Worker processes; default ``min(os.cpu_count(), n_files)``. 1 runs in this process.
    progress : bool, default=True
        Print a ``[i/n]`` counter line on stderr.
    fs : float, optional
        Sampling rate in Hz for files that state none.

    Returns
    -------
    BatchResult
    """
    if not isinstance(settings, Settings):
        raise ValueError(f"settings must be an emgviz Settings, got {type(settings).__name__}")
    t_start = time.perf_counter()
    files = find_recordings(paths_or_glob)
    out = Path(out)
    if out.is_dir():
        out = out / "emgviz_batch.csv"
    n_workers = max(1, min(int(workers or os.cpu_count() or 1), max(len(files), 1)))
    counter = _Counter(len(files), enabled=progress)
    results: dict[str, tuple] = {}
    sdict = settings.to_dict()
    if n_workers == 1 or len(files) <= 1:
        for p in files:
            res = _process_one(str(p), sdict, fs)
            results[res[0]] = res
            counter.step(p.name, res[2] is None)
    else:
        # import the processing stack once here: forked workers inherit it instead of each paying ~2 s
        from . import features, pipeline  # noqa: F401

        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            futures = [pool.submit(_process_one, str(p), sdict, fs) for p in files]
            for fut in as_completed(futures):
                res = fut.result()
                results[res[0]] = res
                counter.step(Path(res[0]).name, res[2] is None)
    rows, fails, warns = [], [], []
    for p in files:  # keep the input order, whatever order the workers finished in
        path, got, err, warn = results[str(p)]
        if err is None:
            rows += [(path, *r) for r in got]
            warns += [f"{Path(path).name}: {w}" for w in warn]
        else:
            fails.append((path, err))
    from .csvsafe import neutralise

    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    failures = pd.DataFrame(fails, columns=["file", "error"])
    if len(files) - len(failures) > 0:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as fh:
            fh.write(_header(settings, n_files=len(files), failures=failures))
            neutralise(table).to_csv(fh, index=False)
    return BatchResult(table=table, failures=failures, out=out, n_files=len(files),
                       seconds=time.perf_counter() - t_start, warnings=tuple(warns))


def _parser() -> argparse.ArgumentParser:
    from .cli import add_settings_args

    p = argparse.ArgumentParser(
        prog="python -m emgviz batch",
        description="Features of many recordings, processed with the same settings, into one tidy CSV "
                    "(file, channel, feature, value). Settings are written as # lines at its top.")
    p.add_argument("inputs", nargs="+", help="folders (searched recursively), files or glob patterns "
                                             "(quote them: 'data/**/*.edf')")
    p.add_argument("-o", "--out", required=True, help="the CSV file to write")
    p.add_argument("-j", "--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--fs", type=float, help="sampling rate in Hz, for files that state none")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress counter")
    add_settings_args(p)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m emgviz batch``: returns 0 when at least one file succeeded, 1 otherwise, 2 on bad usage."""
    from .cli import settings_from_args

    parser = _parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 1:
        print(f"error: --workers must be at least 1, got {args.workers}", file=sys.stderr)
        return 2
    result = run_batch(args.inputs, out=args.out, settings=settings, workers=args.workers,
                       progress=not args.quiet, fs=args.fs)
    err = sys.stderr
    if result.n_files == 0:
        print(f"error: no recordings found in {' '.join(args.inputs)} (readable suffixes: "
              f"{', '.join(readable_suffixes())})", file=err)
        return 1
    for w in result.warnings:
        print(f"warning: {w}", file=err)
    if len(result.failures):
        print(f"\n{len(result.failures)} of {result.n_files} file(s) failed:", file=err)
        for f, e in result.failures.itertuples(index=False):
            print(f"  {f}: {e}", file=err)
    if result.n_ok == 0:
        print("error: every file failed; nothing was written", file=err)
        return 1
    print(f"wrote {len(result.table)} rows from {result.n_ok} of {result.n_files} file(s) to {result.out} "
          f"in {result.seconds:.1f} s", file=err)
    return 0
