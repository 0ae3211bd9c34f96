"""Several uploaded files at once: WFDB header + signal files, or one recording among many."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Sequence

from ..errors import NeedsChoice, ReadError
from ..recording import Recording

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
    text = header.decode("latin-1")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    record = lines[0].split()
    try:
        n_sig = int(record[1]) if len(record) > 1 else 0
    except ValueError:
        return []
    out: list[str] = []
    for ln in lines[1:1 + n_sig]:
        fname = ln.split()[0]
        if fname not in out and fname != "~":
            out.append(fname)
    return out


def _basename(name: str) -> str:
    return PurePosixPath(str(name).replace("\\", "/")).name


def _find_signal_files(hea_name: str, wanted: list[str], by_name: dict, folder) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for fname in wanted:
        if fname in by_name:
            found[fname] = by_name[fname]
        elif folder is not None and _PLAIN_NAME.match(fname) and ".." not in fname:
            path = Path(folder) / fname
            if path.is_file():
                found[fname] = path.read_bytes()
    missing = [f for f in wanted if f not in found]
    if missing:
        raise ReadError(hea_name, f"the WFDB header refers to {', '.join(missing)}, which was not uploaded",
                        "upload the .hea file together with its signal file(s) "
                        f"({', '.join(wanted)}), or a zip holding both")
    return found


def _read_wfdb(hea_name: str, header: bytes, signal_files: dict, fs, options) -> Recording:
    try:
        from .wfdbio import read_record
    except ImportError:
        raise ReadError(hea_name, "this emgviz build cannot read WFDB records (emgviz.io.wfdbio is missing)",
                        "install emgviz with its WFDB support, or convert the record to EDF") from None
    return read_record(header, hea_name, signal_files, fs=fs, **options)


def read_files(files: Sequence[tuple[str, bytes]], *, fs: float | None = None, _folder=None,
               member: str | None = None, **options) -> Recording:
    """Read one recording from several uploaded files.

    Parameters
    ----------
    files : sequence of (name, bytes)
        The uploaded files (or the members of a zip). WFDB ``.hea`` files are paired with the
        signal files they name (from ``files`` or, for :func:`emgviz.read_file`, from ``_folder``).
    fs : float, optional
        Sampling rate in Hz, for files that state none.
    _folder : path, optional
        Folder to look for WFDB signal files in (set by ``read_file`` for a ``.hea`` path).
    member : str, optional
        Which recording to read when the files hold several (a file name, e.g. ``"trial2.csv"``
        or ``"rec01.hea"``).
    **options
        Passed on to the reader.

    Raises
    ------
    NeedsChoice
        With ``option="member"`` when several independent recordings arrive and no ``member``.
    """
    from . import read_bytes

    files = [(str(n), bytes(c)) for n, c in files]
    if not files:
        raise ReadError("(no file)", "no file was given", "upload or pass at least one file")
    by_name: dict[str, bytes] = {}
    for n, c in files:
        base = _basename(n)
        if base in by_name and by_name[base] != c:
            raise ReadError(n, f"two different files are named {base!r}", "rename one of them")
        by_name[base] = c
    headers = [n for n in by_name if n.lower().endswith(".hea")]
    used: set[str] = set()
    candidates: list[str] = []
    wanted_for: dict[str, list[str]] = {}
    for h in headers:
        wanted = wfdb_signal_files(by_name[h])
        wanted_for[h] = wanted
        used.update(w for w in wanted if w in by_name)
        candidates.append(h)
    for n in by_name:
        if n in used or n in candidates or IGNORED_NAMES.search(n):
            continue
        if not by_name[n]:
            continue
        candidates.append(n)
    if not candidates:
        raise ReadError(files[0][0], f"none of the {len(files)} file(s) holds a recording "
                                     f"({', '.join(sorted(by_name))[:200]})", "upload the data file")
    if member is not None:
        want = _basename(member)
        if want not in candidates:
            raise NeedsChoice(files[0][0], f"no recording named {member!r} among the files", "member", candidates)
        chosen = want
    elif len(candidates) == 1:
        chosen = candidates[0]
    else:
        raise NeedsChoice(files[0][0] if len(files) == 1 else "the uploaded files",
                          f"{len(candidates)} independent recordings arrived together", "member", candidates)
    if chosen in wanted_for:
        sig = _find_signal_files(chosen, wanted_for[chosen], by_name, _folder)
        return _read_wfdb(chosen, by_name[chosen], sig, fs, options)
    return read_bytes(by_name[chosen], chosen, fs=fs, **options)
