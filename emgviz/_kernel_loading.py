"""What the optional numba kernels (:mod:`emgviz.iir_simd`, :mod:`emgviz.td_kernel`,
:mod:`emgviz.plotting.overview_kernel`) share: importing one once, an environment switch, and
loading it in a background thread once per process.

Each kernel module keeps its own state (the loaded kernel, the warm-up thread) as module
globals; these helpers only hold the steps they all take.
"""

from __future__ import annotations

import os
import threading
from typing import Callable

__all__ = ["import_kernel", "env_mode", "start_once"]


def import_kernel(load: Callable[[], object]) -> tuple[object, str | None]:
    """``(load(), None)``, or ``(False, "<exception type>: <message>")`` when it raises.

    Any exception counts (no numba, a broken install, LLVM): the caller keeps its NumPy/SciPy path.
    """
    try:
        return load(), None
    except Exception as exc:  # noqa: BLE001 - see the docstring
        return False, f"{type(exc).__name__}: {exc}"


def env_mode(variable: str, choices: tuple[str, str]) -> str:
    """The environment variable ``variable`` when it is one of ``choices`` (any case, spaces ignored), else ``"auto"``."""
    value = os.environ.get(variable, "").strip().lower()
    return value if value in choices else "auto"


def start_once(current: threading.Thread | None, target: Callable[[], object], name: str) -> threading.Thread:
    """``current`` when a thread was started already, else a new daemon thread running ``target``, started.

    Call it holding the kernel module's lock and store the result, so the thread starts once per process.
    """
    if current is not None:
        return current
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
