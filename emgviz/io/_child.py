"""The child side of :mod:`.isolate`: limits, the reader call, and the result sent back.

Imported by the fork server before any read (``set_forkserver_preload``), so it imports the
readers and their libraries once; every child is a fork of that warm process.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import resource

import numpy as np

from ..errors import ReadError
from ..recording import Recording
from . import c3d, matlab, opensignals  # noqa: F401  (warm imports for the fork server)

try:  # the native libraries themselves, so a child does not import them again
    import ezc3d  # noqa: F401
    import h5py  # noqa: F401
except ImportError:  # pragma: no cover
    pass

__all__ = ["child_main", "receive"]


def _vm_size() -> int:
    """This process's address space in bytes (``VmSize``), or 0 when unknown."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def child_main(conn, module: str, path: str, from_path: bool, name: str, options: dict, memory: int,
               out: str, env: dict) -> None:
    """Set the limits, run the reader, send ``("ok", fields)`` or ``("error", ReadError)``."""
    for k in [k for k in os.environ if k.startswith("EMGVIZ_")]:
        del os.environ[k]
    os.environ.update(env)
    try:
        soft = _vm_size() + int(memory)
        resource.setrlimit(resource.RLIMIT_AS, (soft, soft))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):  # pragma: no cover - a platform without these limits
        pass
    try:
        mod = importlib.import_module(module)
        if from_path and hasattr(mod, "read_path"):
            rec = mod.read_path(path, name, **options)
        else:
            with open(path, "rb") as fh:
                content = fh.read()
            rec = mod.read(content, name, **options)
        np.save(out, rec.data, allow_pickle=False)
        fields = {f.name: getattr(rec, f.name) for f in dataclasses.fields(rec) if f.name != "data"}
        fields["meta"] = dict(rec.meta)
        conn.send(("ok", fields))
    except ReadError as exc:
        conn.send(("error", exc))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as exc:  # noqa: BLE001 - everything else becomes a ReadError in the parent
        try:
            conn.send(("failed", f"{type(exc).__name__}: {exc}"[:2000]))
        except Exception:  # pragma: no cover
            pass
    finally:
        conn.close()


def receive(message, out: str, name: str, memory: int) -> Recording:
    """The Recording (or the ReadError) a child sent; the samples are read from ``out`` once."""
    kind, payload = message
    if kind == "ok":
        data = np.load(out, allow_pickle=False)
        return Recording._trusted(np.ascontiguousarray(data, dtype=np.float64), **payload)
    if kind == "error":
        raise payload
    if kind == "memory" or (kind == "failed" and "bad_alloc" in str(payload)):
        raise ReadError(name, f"reading it needed more than the {memory / 1024 ** 2:,.0f} MB allowed to a reader "
                              "(its header may declare far more data than the file holds)",
                        "check that the file is complete; for a genuinely huge file raise "
                        "EMGVIZ_READER_MEMORY_MB")
    raise ReadError(name, f"the reader failed ({payload})", "check the file is complete and of this format")
