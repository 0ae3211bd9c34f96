"""Reading and writing recordings: one entry point, readers chosen by content first, suffix second.

Reader modules (``emgviz/io/<name>.py``) each define:

``FORMAT`` : str
    Human name shown in the app ("EDF/BDF", "C3D", ...).
``SUFFIXES`` : tuple of str
    Lower-case suffixes with the dot (".edf", ".bdf").
``sniff(head: bytes, name: str) -> bool``
    True when the first bytes (up to 64 KiB) look like this format. Content only; never the suffix.
``read(content: bytes, name: str, *, fs=None, **options) -> Recording``
    Parse the whole file. Raise :class:`~emgviz.errors.ReadError` (never another type)
    naming the file, the problem and the fix. Sets ``meta["format"] = FORMAT`` and builds its
    Recording with :func:`make_recording` (rate and length checks, ``meta["notes"]``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..errors import NeedsChoice, NeedsSamplingRate, ReadError
from ..recording import Recording
from . import (c3d, datalog, delsys, edf, matlab, multi, noraxon, npz, opensignals, text, vicon, wfdbio,
               zipped)
from ._build import MAX_FS_HZ, MIN_FS_HZ, check_rate, make_recording
from ._guard import guarded as _guarded
from . import isolate, limits
from ._files import read_bounded, regular_size

__all__ = ["read_file", "read_bytes", "read_files", "ReadError", "NeedsSamplingRate", "NeedsChoice",
           "READERS", "READER_MODULES", "SNIFF_BYTES", "supported_formats", "supported_suffixes", "make_recording",
           "choose_reader", "regular_size", "read_bounded"]

#: The readers, in sniffing order (most specific magic first; generic text last). One literal
#: table, imported by name: a broken reader fails at import, never silently. Adding a reader is
#: one module (FORMAT, SUFFIXES, sniff, read) and one row here.
READERS = (npz, zipped, edf, c3d, matlab, opensignals, wfdbio, vicon, delsys, datalog, noraxon, text)
#: The reader modules' names, in the same order (kept for callers that list them by name).
READER_MODULES = tuple(mod.__name__.rsplit(".", 1)[1] for mod in READERS)
#: How many leading bytes a reader's ``sniff`` sees.
SNIFF_BYTES = 65536


def supported_formats() -> list[dict]:
    """The formats emgviz reads: the one list behind the README table, the uploader and the CLI help.

    Returns
    -------
    list of dict
        One per reader, in sniffing order: ``format`` (human name), ``suffixes`` (tuple of
        lower-case suffixes with the dot; empty for layouts recognised by content only) and
        ``module`` (the reader module's name).

    Examples
    --------
    >>> [f["format"] for f in supported_formats()][:3]
    ['NPZ (emgviz)', 'ZIP archive', 'EDF/BDF']
    """
    return [{"format": mod.FORMAT, "suffixes": tuple(mod.SUFFIXES), "module": name}
            for mod, name in zip(READERS, READER_MODULES)]


def supported_suffixes() -> tuple[str, ...]:
    """Every suffix some reader claims, sorted (``(".asc", ".bdf", ...)``), plus ``.dat`` for WFDB pairs."""
    return tuple(sorted({s for mod in READERS for s in mod.SUFFIXES} | {".dat"}))


def choose_reader(content: bytes, name: str):
    """The reader module for ``content``: by content sniffing first, then by suffix."""
    head = bytes(content[:SNIFF_BYTES])
    for mod in READERS:
        if mod.sniff(head, name):
            return mod
    suffix = Path(name).suffix.lower()
    for mod in READERS:
        if suffix in mod.SUFFIXES:
            return mod
    known = sorted({s for mod in READERS for s in mod.SUFFIXES})
    raise ReadError(name, "the content matches no format emgviz reads",
                    f"use one of {', '.join(known)} (see the format table in the README)")


def _call(mod, func, content, name: str, fs, options, *, head: bytes | None = None,
          size: int | None = None) -> Recording:
    """Call a reader; the zip reader gets the one-file reader passed in (no import cycle).

    A reader whose native library can crash on damaged bytes (C3D, HDF5: its module's
    ``needs_isolation(head)``) runs in a child process with time and memory limits
    (:mod:`.isolate`); ``content`` is then the bytes or the path the child reads.
    """
    if mod is zipped:
        options = {**options, "read_one": read_bytes}
    if head is None and isinstance(content, (bytes, bytearray)):
        head, size = bytes(content[:SNIFF_BYTES]), len(content)
    if head is not None and _isolated(mod, head):
        return _guarded(mod, name, isolate.run, mod.__name__, content, name, {"fs": fs, **options}, size=size or 0)
    return _guarded(mod, name, func, content, name, fs=fs, **options)


def _isolated(mod, head: bytes) -> bool:
    """True when ``mod`` parses ``head``'s file with a native library that must run in a child process."""
    check = getattr(mod, "needs_isolation", None)
    return bool(check is not None and check(bytes(head)) and isolate.enabled())


def read_bytes(content: bytes, name: str, *, fs: float | None = None, **options) -> Recording:
    """Read a recording from the bytes of one file.

    Parameters
    ----------
    content : bytes
        The whole file.
    name : str
        Its file name (used in messages and as a hint for the format).
    fs : float, optional
        Sampling rate in Hz, for files that state none.
    **options
        Reader-specific choices (e.g. ``variable=`` for MATLAB, ``group=`` for mixed rates).

    Returns
    -------
    Recording

    Raises
    ------
    ReadError
        For anything that cannot be read; the message names the file, problem and fix.
    """
    fs = _checked_fs(fs, name)
    if not content:
        raise ReadError(name, "the file is empty (0 bytes)", "check that the upload or export finished")
    mod = choose_reader(content, name)
    return _call(mod, mod.read, bytes(content), name, fs, options)


def _checked_fs(fs, name: str) -> float | None:
    """``fs`` as a float, or None; a ReadError naming the file when it is no rate in Hz."""
    if fs is None:
        return None
    return check_rate(fs, name, "fs=")


def read_file(path: str | os.PathLike, *, fs: float | None = None, **options) -> Recording:
    """Read a recording from a path. For WFDB pass the ``.hea`` path; the ``.dat`` beside it is read.

    Only regular files are read (a FIFO, ``/dev/zero`` or another device is refused at once),
    and only up to :func:`~emgviz.io.limits.max_file_bytes` (checked before reading).
    See :func:`read_bytes` for the parameters.
    """
    path = Path(path)
    fs = _checked_fs(fs, path.name)
    try:
        size = regular_size(path)
        if path.suffix.lower() == ".hea":
            return read_files([(path.name, read_bounded(path, 16 * 1024 ** 2))], fs=fs, _folder=path.parent,
                              **options)
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
        if not head:
            return read_bytes(b"", path.name)  # the "empty file" message
        mod = choose_reader(head, path.name)
        if _isolated(mod, head):  # the child reads the file from its path
            return _call(mod, None, path, path.name, fs, options, head=head, size=size)
        if hasattr(mod, "read_path"):  # the reader's library reads the file itself: no bytes copy
            return _call(mod, mod.read_path, path, path.name, fs, options, head=head, size=size)
        return _call(mod, mod.read, read_bounded(path), path.name, fs, options)
    except OSError as exc:  # permissions, a file removed meanwhile, a device error
        raise ReadError(str(path), f"the file cannot be opened ({exc.strerror or exc})",
                        "check that it exists and that you may read it") from exc


def read_files(files: Sequence[tuple[str, bytes]], *, fs: float | None = None, **options) -> Recording:
    """Read one recording that arrives as several files (WFDB ``.hea`` + ``.dat``) or a zip.

    Parameters
    ----------
    files : sequence of (name, bytes)
        The uploaded files. A single ordinary file is read as by :func:`read_bytes`.
    """
    files = list(files)
    fs = _checked_fs(fs, str(files[0][0]) if files else "(no file)")
    return multi.read_files(files, read_one=read_bytes, fs=fs, **options)
