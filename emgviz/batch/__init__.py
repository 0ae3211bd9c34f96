"""Batch: the same processing over many recordings — here, on local processes or on a Dask
cluster — into one table (CSV or Parquet), one row per file × EMG channel, with provenance.

Modules: :mod:`.run` (find the files, run, write), :mod:`.work` (the per-file work),
:mod:`.engines` (serial, processes, Dask), :mod:`.output` (the table on disk).
The command line is ``python -m emgviz batch`` (see :mod:`emgviz.cli`).
"""

from .output import BIDS_COLUMNS
from .run import BatchResult, find_recordings, find_tasks, not_a_recording, readable_suffixes, run_batch
from .work import FileResult, FileTask, process_file

__all__ = ["BatchResult", "run_batch", "find_recordings", "find_tasks", "readable_suffixes",
           "FileTask", "FileResult", "process_file", "BIDS_COLUMNS", "not_a_recording"]
