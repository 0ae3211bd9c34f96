"""Native readers (ezc3d, h5py) on untrusted bytes run in a child process with time and memory limits.

A C3D or HDF5 file with a few bytes changed can make a C/C++ library crash (segfault), loop
or allocate gigabytes. In the server's own process that would end every user's session. Here
the reader runs in a process forked from a "fork server" that has already imported emgviz
(so a read starts in milliseconds, not seconds): its address space is capped
(``RLIMIT_AS``), it is killed after a timeout, and a crash, a timeout or running out of memory
become a :class:`~emgviz.errors.ReadError` naming the file.

Environment
-----------
``EMGVIZ_ISOLATE=0``
    Run native readers in-process (trusted files only; faster for batch work).
``EMGVIZ_READER_TIMEOUT_S``
    Seconds a child may take (default: 15 s + 0.25 s per MB of file).
``EMGVIZ_READER_MEMORY_MB``
    Address space (MB) the child may add to what the fork server already uses (default:
    512 MB + 48 × the file size: ezc3d keeps every analog value as an object, and the
    declared-size checks refuse files above ``EMGVIZ_MAX_SAMPLES`` before they are read).
"""

from __future__ import annotations

import io
import multiprocessing as mp
import os
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver, spawn, util
import signal
import tempfile
import threading

from ..errors import ReadError

__all__ = ["enabled", "run", "timeout_s", "memory_bytes"]

_PRELOAD = ["emgviz.io._child"]
_LOCK = threading.Lock()
_CTX = None


def enabled() -> bool:
    """True unless ``EMGVIZ_ISOLATE=0``."""
    return os.environ.get("EMGVIZ_ISOLATE", "1").strip() not in ("0", "false", "no", "off")


def timeout_s(size: int) -> float:
    """Seconds a child reader may take for a file of ``size`` bytes."""
    raw = os.environ.get("EMGVIZ_READER_TIMEOUT_S", "").strip()
    if raw:
        return float(raw)
    return 15.0 + size / 4e6


def memory_bytes(size: int) -> int:
    """Address space (bytes) a child reader may add for a file of ``size`` bytes."""
    raw = os.environ.get("EMGVIZ_READER_MEMORY_MB", "").strip()
    if raw:
        return int(float(raw) * 1024 ** 2)
    return 512 * 1024 ** 2 + 48 * int(size)


def _context():
    global _CTX
    with _LOCK:
        if _CTX is None:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            _CTX = ctx
    return _CTX


class _Popen(popen_forkserver.Popen):
    """A fork-server child that does not re-import the parent's ``__main__``.

    multiprocessing's children import the parent's main script again (``__mp_main__``); a
    script without an ``if __name__ == "__main__"`` guard (a notebook, a quick script,
    Streamlit's app) would then run in the child. The reader needs nothing from it.
    """

    def _launch(self, process_obj):
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            mp_context.reduction.dump(prep_data, buf)
            mp_context.reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(mp_context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def run(module: str, source, name: str, options: dict, *, size: int) -> "object":
    """Run ``module.read`` (bytes) or ``module.read_path`` (path) in a limited child process.

    Parameters
    ----------
    module : str
        The reader module (``"emgviz.io.c3d"``).
    source : bytes or path
        The file's bytes, or its path (the child reads it itself).
    name : str
        The file name, for messages.
    options : dict
        Keyword arguments of the reader (``fs=`` included).
    size : int
        The file size in bytes (sets the limits).

    Returns
    -------
    Recording

    Raises
    ------
    ReadError
        The reader's own ReadError, or one saying the reader crashed, ran out of time
        or of memory.
    """
    from ._child import child_main, receive

    _context()
    timeout, memory = timeout_s(size), memory_bytes(size)
    env = {k: v for k, v in os.environ.items() if k.startswith("EMGVIZ_")}
    with tempfile.TemporaryDirectory(prefix="emgviz-iso-") as tmp:
        if isinstance(source, (bytes, bytearray, memoryview)):
            path, from_path = os.path.join(tmp, "input"), False
            with open(path, "wb") as fh:
                fh.write(source)
        else:
            path, from_path = os.fspath(source), True
        out = os.path.join(tmp, "data.npy")
        parent, child = mp.Pipe(duplex=False)
        proc = _Process(target=child_main, daemon=True,
                           args=(child, module, path, from_path, name, options, memory, out, env))
        proc.start()
        child.close()
        try:
            message = parent.recv() if parent.poll(timeout) else "timeout"
        except (EOFError, OSError):
            message = None
        finally:
            parent.close()
        if message == "timeout" or message is None:
            proc.join(0.5 if message is None else 0)
            if proc.is_alive():
                proc.kill()
            proc.join(10)
        else:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
        fmt = module.rsplit(".", 1)[-1].upper()
        if message == "timeout":
            raise ReadError(name, f"reading it took longer than {timeout:.0f} s, so it was stopped "
                                  f"({size:,} bytes)",
                            "check that the file is complete and of this format (a damaged header can "
                            "make the reader loop), or raise EMGVIZ_READER_TIMEOUT_S for a huge file")
        if message is None:
            code = proc.exitcode
            what = f"crashed ({_signal_name(code)})" if code is not None and code < 0 else f"exited ({code})"
            raise ReadError(name, f"the {fmt} reader library {what} while parsing the file ({size:,} bytes); "
                                  "the file is damaged or not of this format",
                            "re-export the file from the recording software")
        return receive(message, out, name, memory)
