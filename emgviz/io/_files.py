"""Reading files from disk safely: regular files only, size checked first, never an unbounded read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import ReadError
from . import limits

__all__ = ["regular_size", "read_bounded"]


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
