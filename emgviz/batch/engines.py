"""Where the per-file work of a batch runs: here, in local worker processes, or on a Dask cluster.

Every engine yields results in INPUT order with a bounded number of files in flight, so the
client's memory stays bounded whatever the number of files and the output is the same
whatever the engine and the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from .work import FileResult, FileTask, process_file

__all__ = ["run_serial", "run_processes", "run_dask", "IN_FLIGHT_PER_WORKER"]

#: Files submitted ahead per worker: enough to keep every worker busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2


def run_serial(tasks: Sequence[FileTask], settings_dict: dict, fs: float | None) -> Iterator[FileResult]:
    """Run each file in this process, one after the other."""
    for task in tasks:
        yield process_file(task, settings_dict, fs)


def _in_order(tasks: Sequence[FileTask], submit: Callable, wait_any: Callable, result_of: Callable,
              window: int) -> Iterator[FileResult]:
    """Keep ``window`` tasks in flight; yield finished results in input order.

    ``submit(task) -> handle``; ``wait_any(handles) -> finished handles``;
    ``result_of(handle, task) -> FileResult``. At most ``window`` results wait in memory.
    """
    pending: dict = {}        # handle -> index
    ready: dict[int, FileResult] = {}
    next_submit = next_yield = 0
    while next_yield < len(tasks):
        while next_submit < len(tasks) and len(pending) + len(ready) < window:
            pending[submit(tasks[next_submit])] = next_submit
            next_submit += 1
        if next_yield not in ready:
            for handle in wait_any(list(pending)):
                index = pending.pop(handle)
                ready[index] = result_of(handle, tasks[index])
        while next_yield in ready:
            yield ready.pop(next_yield)
            next_yield += 1


def run_processes(tasks: Sequence[FileTask], settings_dict: dict, fs: float | None, *,
                  workers: int) -> Iterator[FileResult]:
    """Run the files in ``workers`` local processes (:class:`ProcessPoolExecutor`)."""
    # import the processing stack once here: forked workers inherit it instead of each paying for it
    from .. import features, pipeline  # noqa: F401

    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from _in_order(
            tasks,
            submit=lambda t: pool.submit(process_file, t, settings_dict, fs),
            wait_any=lambda hs: wait(hs, return_when=FIRST_COMPLETED).done,
            result_of=_future_result,
            window=max(1, workers) * IN_FLIGHT_PER_WORKER)


def run_dask(tasks: Sequence[FileTask], settings_dict: dict, fs: float | None, *,
             scheduler: str) -> Iterator[FileResult]:
    """Run the files as tasks on an existing ``dask.distributed`` cluster.

    Parameters
    ----------
    scheduler : str
        The scheduler's address, e.g. ``"tcp://127.0.0.1:8786"``. Each file is read on a
        worker, so the paths must be valid there (a shared file system); only the small
        per-channel results travel back.
    """
    from distributed import Client, as_completed

    with Client(scheduler, timeout="10s", set_as_default=False) as client:
        n_workers = max(1, sum(client.nthreads().values()))
        finished = as_completed(loop=client.loop)

        def submit(task):
            # pure=False: a file whose content changed between runs is read again
            future = client.submit(process_file, task, settings_dict, fs, pure=False)
            finished.add(future)
            return future

        yield from _in_order(tasks, submit=submit, wait_any=lambda hs: [next(finished)],
                             result_of=_future_result, window=n_workers * IN_FLIGHT_PER_WORKER)


def _future_result(future, task: FileTask) -> FileResult:
    """A future's FileResult; a worker that died on the file becomes that file's error."""
    try:
        return future.result()
    except Exception as exc:  # a crashed worker process (BrokenProcessPool, Dask's KilledWorker)
        return FileResult(task.path, error=f"the worker running this file failed: {type(exc).__name__}: {exc}")


def default_workers(n_files: int) -> int:
    """``min(os.cpu_count(), n_files)``, at least 1."""
    return max(1, min(os.cpu_count() or 1, max(n_files, 1)))
