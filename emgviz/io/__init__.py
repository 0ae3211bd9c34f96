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
    naming the file, the problem and the fix. Sets ``meta["format"] = FORMAT``.
"""

from __future__ import annotations

import importlib
import os
import stat
from pathlib import Path
from typing import Sequence

from .._checks import check_fs
from ..errors import NeedsChoice, NeedsSamplingRate, ReadError
from ..recording import Recording
from . import isolate, limits

__all__ = ["read_file", "read_bytes", "read_files", "regular_size", "read_bounded", "ReadError", "NeedsSamplingRate", "NeedsChoice",
           "READER_MODULES", "SNIFF_BYTES"]

#: Reader modules, in sniffing order (most specific magic first; generic text last).
READER_MODULES = ("npz", "zipped", "edf", "c3d", "matlab", "opensignals", "wfdbio", "vendor", "text")
#: How many leading bytes a reader's ``sniff`` sees.
SNIFF_BYTES = 65536


def _reader(name: str):
    return importlib.import_module(f"{__name__}.{name}")


def _available_readers():
    for name in READER_MODULES:
        try:
            yield _reader(name)
        except ImportError:  # a module not written yet, or its library missing
            continue


def choose_reader(content: bytes, name: str):
    """The reader module for ``content``: by content sniffing first, then by suffix."""
    head = bytes(content[:SNIFF_BYTES])
    readers = list(_available_readers())
    for mod in readers:
        if mod.sniff(head, name):
            return mod
    suffix = Path(name).suffix.lower()
    for mod in readers:
        if suffix in mod.SUFFIXES:
            return mod
    known = sorted({s for mod in readers for s in mod.SUFFIXES})
    raise ReadError(name, "the content matches no format emgviz reads",
                    f"use one of {', '.join(known)} (see the format table in the README)")


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
    if _isolated(mod, content[:SNIFF_BYTES]):
        return _guarded(mod, name, isolate.run, mod.__name__, bytes(content), name, {"fs": fs, **options},
                        size=len(content))
    return _guarded(mod, name, mod.read, bytes(content), name, fs=fs, **options)


def _isolated(mod, head: bytes) -> bool:
    """True when ``mod`` parses ``head``'s file with a native library that must run in a child process."""
    check = getattr(mod, "needs_isolation", None)
    return bool(check is not None and check(bytes(head)) and isolate.enabled())


def _guarded(mod, name: str, func, *args, **kwargs) -> Recording:
    """Call a reader; any error that escapes it becomes a ReadError naming the file.

    Every call of a reader (``read``, ``read_path``, ``wfdbio.read_record``) goes through
    here, so callers see one exception type whatever the reader or its library raises.
    """
    try:
        return func(*args, **kwargs)
    except ReadError:
        raise
    except Exception as exc:
        if isinstance(exc, TypeError) and "unexpected keyword" in str(exc):
            raise ReadError(name, f"option not understood by the {mod.FORMAT} reader ({exc})",
                            "remove it") from exc
        detail = str(exc) or "no message"
        raise ReadError(name, f"the {mod.FORMAT} reader failed ({type(exc).__name__}: {detail})",
                        "check the file is complete and of this format") from exc


def _checked_fs(fs, name: str) -> float | None:
    """``fs`` as a float, or None; a ReadError naming the file when it is no rate in Hz."""
    if fs is None:
        return None
    try:
        return check_fs(fs)
    except ValueError as exc:
        raise ReadError(name, str(exc).split(";")[0], "pass the sampling rate in Hz, e.g. fs=1000") from None


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
            return read_files([(path.name, read_bounded(path, 16 * 1024 ** 2))], fs=fs, _folder=path.parent, **options)
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
        if not head:
            return read_bytes(b"", path.name)  # the "empty file" message
        mod = choose_reader(head, path.name)
        if _isolated(mod, head):
            return _guarded(mod, path.name, isolate.run, mod.__name__, path, path.name, {"fs": fs, **options},
                            size=size)
        if hasattr(mod, "read_path"):  # the reader's library reads the file itself: no bytes copy
            return _guarded(mod, path.name, mod.read_path, path, path.name, fs=fs, **options)
        return _guarded(mod, path.name, mod.read, read_bounded(path), path.name, fs=fs, **options)
    except OSError as exc:  # permissions, a file removed meanwhile, a device error
        raise ReadError(str(path), f"the file cannot be opened ({exc.strerror or exc})",
                        "check that it exists and that you may read it") from exc


def regular_size(path: str | os.PathLike) -> int:
    """The size in bytes of ``path`` when it is a regular file within the size limit; else ReadError.

    Checked with one ``stat`` before anything is opened, so a FIFO (which would block), a
    device (``/dev/zero`` never ends) or a huge sparse file is refused at once.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ReadError(str(path), "no such file", "check the path") from None
    except OSError as exc:
        raise ReadError(str(path), f"the file cannot be opened ({exc.strerror or exc})",
                        "check that it exists and that you may read it") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadError(str(path), "this is a folder, not a file", "pass one file (for WFDB, the .hea file)")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise ReadError(str(path), f"this is {kind}, not a regular file", "pass a file saved on disk")
    limit = limits.max_file_bytes()
    if st.st_size > limit:
        raise ReadError(str(path), f"the file holds {st.st_size:,} bytes, above the limit of {limit:,}",
                        "cut the file or raise EMGVIZ_MAX_FILE_BYTES")
    return st.st_size


def read_bounded(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a regular file, never more than ``limit`` (default: the file-size limit)."""
    size = regular_size(path)
    limit = limits.max_file_bytes() if limit is None else limit
    if size > limit:
        raise ReadError(str(path), f"the file holds {size:,} bytes, above the limit of {limit:,} for this kind",
                        "check that this is the right file")
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:  # it grew while we read it
        raise ReadError(str(path), f"the file grew above {limit:,} bytes while it was read", "read it again later")
    return data


def read_files(files: Sequence[tuple[str, bytes]], *, fs: float | None = None, **options) -> Recording:
    """Read one recording that arrives as several files (WFDB ``.hea`` + ``.dat``) or a zip.

    Parameters
    ----------
    files : sequence of (name, bytes)
        The uploaded files. A single ordinary file is read as by :func:`read_bytes`.
    """
    from . import multi

    files = list(files)
    fs = _checked_fs(fs, str(files[0][0]) if files else "(no file)")
    return multi.read_files(files, fs=fs, **options)
