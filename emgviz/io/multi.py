"""Several uploaded files at once: WFDB header + signal files, or one recording among many."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Callable, Sequence

from ..errors import NeedsChoice, ReadError
from ..recording import Recording
from . import wfdbio
from ._files import read_bounded
from ._guard import guarded

__all__ = ["read_files", "wfdb_signal_files", "IGNORED_NAMES"]

#: File names (lower case, regex) that never hold samples and are skipped in multi-file uploads.
IGNORED_NAMES = re.compile(r"(^readme|^licen[cs]e|^notice|^sha256sums|\.(md|pdf|html?|png|jpe?g|gif|rst)$|"
                           r"^\.ds_store$|^\._)", re.IGNORECASE)
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9._+\-]+$")


def wfdb_signal_files(header: bytes) -> list[str]:
    """Names of the signal files a WFDB ``.hea`` header refers to (in order, without repeats).

    Parameters
    ----------
    header : bytes
        The text of the ``.hea`` file.
    """
    return wfdbio.header_files(header)[1]


def _basename(name: str) -> str:
    return PurePosixPath(str(name).replace("\\", "/")).name


class _WfdbRecord:
    """A ``.hea`` among the files, and the uploaded (or neighbouring) files that belong to it."""

    def __init__(self, hea_name: str, header: bytes, by_name: dict, folder):
        header_files, match_files = wfdbio.header_files, wfdbio.match_files
        self.name = hea_name
        self.header = header
        record, self.wanted = header_files(header)
        stems = [Path(hea_name).stem] + ([record] if record else [])
        names = list(by_name)
        if folder is not None:  # read_file on a .hea path: the record's files beside it
            names += [n for n in _folder_names(folder) if n not in by_name]
        self.signals, self.annotations = match_files(self.wanted, names, record=stems)
        # a header wfdb cannot parse names no file: keep its namesakes (rec.dat) out of the
        # candidates, so choosing the record gives the header's own error, not a NeedsChoice
        self.namesakes = [] if record else [n for n in by_name if n != hea_name
                                            and Path(n).stem.lower() == stems[0].lower()]
        self.by_name = by_name
        self.folder = folder

    @property
    def members(self) -> set[str]:
        return set(self.signals.values()) | set(self.annotations) | set(self.namesakes)

    def files(self) -> dict[str, bytes]:
        """The record's files by name (signal files first); ReadError when a signal file is missing."""
        missing = [f for f in self.wanted if f not in self.signals]
        if missing:
            raise ReadError(self.name, f"the WFDB header refers to {', '.join(missing)}, which was not uploaded",
                            "upload the .hea file together with its signal file(s) "
                            f"({', '.join(self.wanted)}), or a zip holding both")
        out = {}
        for n in list(self.signals.values()) + self.annotations:
            out[n] = self.by_name[n] if n in self.by_name else read_bounded(Path(self.folder) / n)
        return out


def _folder_names(folder) -> list[str]:
    """Plain file names in ``folder`` (no paths, nothing that climbs out)."""
    try:
        with os.scandir(folder) as it:
            return [e.name for e in it if _PLAIN_NAME.match(e.name) and e.is_file()]
    except OSError:
        return []


def _read_wfdb(rec: _WfdbRecord, fs, options) -> Recording:
    files = rec.files()
    return guarded(wfdbio, rec.name, wfdbio.read_record, rec.header, rec.name, files, fs=fs, **options)


def read_files(files: Sequence[tuple[str, bytes]], *, read_one: Callable[..., Recording],
               fs: float | None = None, _folder=None, member: str | None = None, **options) -> Recording:
    """Read one recording from several uploaded files.

    Parameters
    ----------
    files : sequence of (name, bytes)
        The uploaded files (or the members of a zip). WFDB ``.hea`` files are paired with the
        signal files they name and the annotation files named after the record (``rec.atr``,
        see ``wfdbio.ANNOTATION_SUFFIXES``; read as events), from ``files`` or, for
        :func:`emgviz.read_file`, from ``_folder``.
    fs : float, optional
        Sampling rate in Hz, for files that state none.
    _folder : path, optional
        Folder to look for WFDB signal and annotation files in (set by ``read_file`` for a
        ``.hea`` path).
    member : str, optional
        Which recording to read when the files hold several (a file name, e.g. ``"trial2.csv"``
        or ``"rec01.hea"``).
    read_one : callable
        ``read_one(content, name, fs=..., **options)`` reads one ordinary file (the dispatcher's
        ``read_bytes``, passed in so this module never imports the package: no import cycle).
    **options
        Passed on to the reader.

    Raises
    ------
    NeedsChoice
        With ``option="member"`` when several independent recordings arrive and no ``member``.
    """
    files = [(str(n), bytes(c)) for n, c in files]
    if not files:
        raise ReadError("(no file)", "no file was given", "upload or pass at least one file")
    by_name: dict[str, bytes] = {}
    for n, c in files:
        base = _basename(n)
        if base in by_name and by_name[base] != c:
            raise ReadError(n, f"two different files are named {base!r}", "rename one of them")
        by_name[base] = c
    chosen, records = _choose(files, by_name, _folder, member)
    if chosen in records:
        return _read_wfdb(records[chosen], fs, options)
    if member is not None and _basename(member) != chosen:  # the member is inside the chosen zip
        options = {**options, "member": member}
    return read_one(by_name[chosen], chosen, fs=fs, **options)


def basename(name: str) -> str:
    """The file name without folders (``a/b\\c.csv`` → ``c.csv``)."""
    return _basename(name)


def _choose(files, by_name: dict, folder, member):
    """(the chosen file name, the WFDB records by header name) among the files; NeedsChoice when ambiguous."""
    headers = [n for n in by_name if n.lower().endswith(".hea")]
    used: set[str] = set()
    candidates: list[str] = []
    records: dict[str, _WfdbRecord] = {}
    for h in headers:
        records[h] = _WfdbRecord(h, by_name[h], by_name, folder)
        used.update(records[h].members)
        candidates.append(h)
    for n in by_name:
        if n in used or n in candidates or IGNORED_NAMES.search(n):
            continue
        if not len(by_name[n]):
            continue
        candidates.append(n)
    if not candidates:
        raise ReadError(files[0][0], f"none of the {len(files)} file(s) holds a recording "
                                     f"({', '.join(sorted(by_name))[:200]})", "upload the data file")
    if member is not None:
        want = _basename(member)
        if want in candidates:
            return want, records
        zips = [c for c in candidates if c.lower().endswith(".zip")]
        if len(candidates) == 1 and zips:  # one zip uploaded: the member is one of its files
            return zips[0], records
        raise NeedsChoice(files[0][0], f"no recording named {member!r} among the files", "member", candidates)
    if len(candidates) == 1:
        return candidates[0], records
    raise NeedsChoice(files[0][0] if len(files) == 1 else "the uploaded files",
                      f"{len(candidates)} independent recordings arrived together", "member", candidates)


class _Sized(bytes):
    """Stands in for a file not expanded yet: only its length is known (``len()``)."""

    def __new__(cls, size: int):
        obj = super().__new__(cls)
        obj.size = size
        return obj

    def __len__(self):
        return self.size


def plan(sizes: dict[str, int], headers: dict[str, bytes], member: str | None) -> set[str]:
    """Which files (by base name) the chosen recording needs, from names, sizes and WFDB headers only.

    Used by the zip reader to expand only those members. Raises NeedsChoice as
    :func:`read_files` would.
    """
    by_name = {n: headers[n] if n in headers else _Sized(sizes[n]) for n in sizes}
    files = list(by_name.items())
    chosen, records = _choose(files, by_name, None, member)
    if chosen in records:
        rec = records[chosen]
        return {chosen} | set(rec.signals.values()) | set(rec.annotations)
    return {chosen}
