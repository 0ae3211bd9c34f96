"""Byte-flipped copies of real binary files, read one after another in this (limited) process.

``python tests/fuzz_binary.py FORMAT N [SEED]`` prints one JSON line per input:
``{"i": 3, "outcome": "readerror", "s": 0.21, "rss_mb": 212}``. Outcomes: ``ok`` (loaded),
``readerror`` (a ReadError), ``contained`` (a ReadError saying the native reader crashed, ran out
of time or memory in its child process), ``exception`` (any other exception: a bug). This process
caps its own address space at its start size + 2 GB, so growth past 2 GB ends as ``exception``
(MemoryError) or kills it (the caller sees the missing lines). Used by ``test_fuzz_binary.py``.

Base files: real ones from the shared data folder (``EMGVIZ_SHARED_DATA``; GPL files are read
there, never copied) and small generated ones (MAT v5/v7.3, C3D) where no real file is shared.
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

FORMATS = ("c3d", "edf", "hdf5", "mat", "wfdb")
SHARED = Path(os.environ.get("EMGVIZ_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def _mat_bases() -> list[tuple[str, bytes]]:
    from scipy.io import savemat

    rng = np.random.default_rng(0)
    out = []
    for compress in (False, True):
        buf = io.BytesIO()
        savemat(buf, {"emg": rng.normal(size=(2, 3000)), "fs": 1000.0, "labels": np.array(["biceps", "triceps"])},
                do_compression=compress)
        out.append(("rec.mat", buf.getvalue()))
    out.append(("rec73.mat", mat73_bytes(rng.normal(size=(2, 3000)))))
    return out


def mat73_bytes(emg: np.ndarray, *, declared: tuple | None = None) -> bytes:
    """A MAT v7.3 file (HDF5 with the 512-byte MATLAB userblock) holding ``emg`` and ``fs``.

    ``declared``: instead of writing ``emg``, declare a chunked dataset of that shape and
    write nothing into it (HDF5 then returns fill values for all of it).
    """
    import tempfile

    import h5py

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.mat"
        with h5py.File(path, "w", userblock_size=512) as f:
            if declared is None:
                d = f.create_dataset("emg", data=emg.T)
            else:
                d = f.create_dataset("emg", shape=declared, dtype="f8", chunks=(1, min(declared[1], 1 << 16)))
            d.attrs["MATLAB_class"] = np.bytes_("double")
            fs = f.create_dataset("fs", data=np.array([[1000.0]]))
            fs.attrs["MATLAB_class"] = np.bytes_("double")
        raw = bytearray(path.read_bytes())
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 ."
    raw[:128] = header.ljust(116) + b"\x00" * 8 + b"\x00\x02IM"
    return bytes(raw)


def c3d_bytes(n_analog: int = 2, n_frames: int = 2000) -> bytes:
    """A small C3D written by ezc3d: ``n_analog`` analog channels at 1000 Hz, points at 100 Hz."""
    import tempfile

    import ezc3d

    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [100]
    c["parameters"]["ANALOG"]["RATE"]["value"] = [1000]
    c["parameters"]["ANALOG"]["LABELS"]["value"] = tuple(f"EMG {i + 1}" for i in range(n_analog))
    c["data"]["analogs"] = np.sin(np.arange(n_analog * n_frames, dtype=float)).reshape(1, n_analog, n_frames) * 1e-3
    c["data"]["points"] = np.ones((4, 1, n_frames // 10))
    c["parameters"]["POINT"]["LABELS"]["value"] = ("m1",)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.c3d"
        c.write(str(path))
        return path.read_bytes()


def bases(fmt: str) -> list[list[tuple[str, bytes]]]:
    """Base inputs of a format: each a list of (name, bytes) files read together."""
    real = SHARED / "real"
    if fmt == "c3d":
        out = [[("synthetic.c3d", c3d_bytes())]]
        p = SHARED / "qualisys_ezc3d_testfile.c3d"
        if p.exists():
            out.append([(p.name, p.read_bytes())])
        return out
    if fmt == "edf":
        return [[(p.name, p.read_bytes())] for p in sorted(real.glob("*.edf"))]
    if fmt == "hdf5":
        return [[(p.name, p.read_bytes())] for p in sorted(real.glob("*.h5")) if p.stat().st_size < 700_000]
    if fmt == "mat":
        return [[f] for f in _mat_bases()]
    if fmt == "wfdb":
        out = []
        for hea in sorted(SHARED.glob("emg_*.hea")):
            out.append([(hea.name, hea.read_bytes()), (hea.with_suffix(".dat").name, hea.with_suffix(".dat").read_bytes())])
        return out
    raise ValueError(f"unknown format {fmt!r}; formats are {FORMATS}")


def flipped(files: list[tuple[str, bytes]], rng: np.random.Generator) -> list[tuple[str, bytes]]:
    """A copy with 1-8 bytes set to random values (half of them in the first 4 KiB: the headers)."""
    k = int(rng.integers(0, len(files)))
    name, content = files[k]
    b = bytearray(content)
    for _ in range(int(rng.integers(1, 9))):
        hi = min(len(b), 4096) if rng.random() < 0.5 else len(b)
        b[int(rng.integers(0, hi))] = int(rng.integers(0, 256))
    return [f if i != k else (name, bytes(b)) for i, f in enumerate(files)]


def _vm_size() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def main(argv: list[str]) -> int:
    fmt, n = argv[0], int(argv[1])
    seed = int(argv[2]) if len(argv) > 2 else 0
    import emgviz
    from emgviz import ReadError

    base = bases(fmt)
    if not base:
        print(json.dumps({"skip": f"no base file for {fmt} under {SHARED}"}), flush=True)
        return 0
    for files in base:  # warm up: imports, and the fork server of the native readers (~7 s to start)
        emgviz.read_files(files)
    limit = _vm_size() + 2 * 1024 ** 3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    rng = np.random.default_rng([seed, FORMATS.index(fmt)])
    for i in range(n):
        files = flipped(base[i % len(base)], rng)
        t = time.perf_counter()
        try:
            emgviz.read_files(files)
            outcome = "ok"
        except ReadError as exc:
            msg = str(exc)
            outcome = ("contained" if ("reader library" in msg or "took longer than" in msg
                                       or "MB allowed to a reader" in msg) else "readerror")
        except BaseException as exc:  # noqa: BLE001 - reported, the test fails on it
            outcome = "exception"
            print(json.dumps({"i": i, "error": f"{type(exc).__name__}: {exc}"[:500]}), flush=True)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"i": i, "outcome": outcome, "s": round(time.perf_counter() - t, 3),
                          "rss_mb": round(rss)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
