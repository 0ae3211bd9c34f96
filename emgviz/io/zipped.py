"""Zip uploads: expanded in memory within size limits, then read like several uploaded files."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from ..errors import NeedsChoice, ReadError, within_archive
from ..recording import Recording
from . import limits, multi, npz
from ._guard import guarded

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "expand", "MAX_TOTAL_BYTES", "MAX_RATIO", "MAX_MEMBERS"]

FORMAT = "ZIP archive"
SUFFIXES = (".zip",)
#: Largest total uncompressed size accepted (bytes); env ``EMGVIZ_MAX_UNZIPPED_BYTES`` overrides.
MAX_TOTAL_BYTES = limits.DEFAULT_MAX_UNZIPPED_BYTES
#: Largest compression ratio of a member above 1 MB (zip bombs reach 1000:1 and more).
MAX_RATIO = 200
#: Most members expanded.
MAX_MEMBERS = 1000


def sniff(head: bytes, name: str) -> bool:
    """A zip archive that is not an emgviz ``.npz``."""
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06")) and not npz.sniff(head, name)


def _limit(name: str) -> int:
    try:
        return limits.max_unzipped_bytes(MAX_TOTAL_BYTES)
    except ValueError as exc:
        raise ReadError(name, str(exc), "set EMGVIZ_MAX_UNZIPPED_BYTES to a number of bytes, or unset it") from None


def _skip(member: str) -> bool:
    parts = PurePosixPath(member).parts
    base = parts[-1] if parts else ""
    return (not parts or parts[0] == "__MACOSX" or base.startswith("._") or base == ".DS_Store"
            or member.endswith("/"))


def expand(content: bytes, name: str) -> list[tuple[str, bytes]]:
    """The members of a zip as (name, bytes), checked for zip bombs and unsafe names; never on disk.

    Raises
    ------
    ReadError
        For a damaged zip, encrypted members, a name that climbs out of the archive
        (``../x``, ``/etc/x``), more than :data:`MAX_MEMBERS` members, a total above
        1 GB uncompressed, or a member compressed more than :data:`MAX_RATIO`:1.
    """
    with _open(content, name) as zf:
        return _expand(zf, _checked_members(zf, name), name)


def _open(content: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(name, f"the zip archive is damaged ({exc})", "zip the files again") from None


def _checked_members(zf: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    """The members to expand, after the checks of :func:`expand` on the zip's directory."""
    limit = _limit(name)
    infos = [i for i in zf.infolist() if not i.is_dir() and not _skip(i.filename)]
    if len(infos) > MAX_MEMBERS:
        raise ReadError(name, f"the zip holds {len(infos):,} files, above the limit of {MAX_MEMBERS:,}",
                        "zip only the recording's files")
    total = 0
    for info in infos:
        fname = info.filename.replace("\\", "/")
        parts = PurePosixPath(fname).parts
        if fname.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
            raise ReadError(name, f"the zip member {info.filename!r} points outside the archive",
                            "zip the files again without absolute or '..' paths")
        if info.flag_bits & 0x1:
            raise ReadError(name, f"the zip member {info.filename!r} is encrypted", "zip it without a password")
        total += info.file_size
        if info.file_size > 1024 ** 2 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(name, f"the zip member {info.filename!r} expands from {info.compress_size:,} to "
                                  f"{info.file_size:,} bytes ({info.file_size // max(info.compress_size, 1):,}:1), "
                                  "which looks like a zip bomb", "upload the files unzipped")
    if total > limit:
        raise ReadError(name, f"the zip expands to {total:,} bytes, above the limit of {limit:,} bytes",
                        "upload fewer or smaller files")
    if not infos:
        raise ReadError(name, "the zip archive holds no files (only folders or __MACOSX entries)",
                        "zip the recording's files")
    return infos


def _expand(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str) -> list[tuple[str, bytes]]:
    limit = _limit(name)
    out = []
    seen = 0
    for info in infos:
        with zf.open(info) as fh:
            data = fh.read(info.file_size + 1)
        seen += len(data)
        if len(data) > info.file_size or seen > limit:  # the directory lied about the size
            raise ReadError(name, f"the zip member {info.filename!r} holds more bytes than its directory "
                                  f"states ({info.file_size:,})", "zip the files again")
        out.append((info.filename, data))
    return out


def read(content: bytes, name: str, *, fs: float | None = None, read_one=None, member: str | None = None,
         **options) -> Recording:
    """Read the recording inside a zip (WFDB pair, or one data file; ``member=`` picks among several).

    ``read_one(content, name, fs=..., **options)`` reads one member (the dispatcher's
    ``read_bytes``, passed in by :mod:`emgviz.io` so this module never imports the package).
    """
    if read_one is None:
        raise ReadError(name, "a zip is read through emgviz.io.read_bytes or read_file",
                        "call emgviz.read_file on the zip")

    with _open(content, name) as zf:
        infos = _checked_members(zf, name)
        names = [i.filename for i in infos]
        if all(n.endswith(".npy") for n in names) and any(PurePosixPath(n).name == "data.npy" for n in names):
            members = None  # an .npz that npz.sniff missed: numpy reads it, once
        else:
            members = _expand(zf, _needed(zf, infos, name, member), name)  # only what the choice needs
    if members is None:
        return guarded(npz, name, npz.read, content, name, fs=fs, **options)
    nested = [n for n, c in members if c.startswith(b"PK\x03\x04") and not n.endswith(".npz")]
    if nested:
        raise ReadError(name, f"the zip holds another zip archive ({nested[0]!r}), which emgviz does not expand",
                        "zip the data files directly")
    try:
        rec = multi.read_files(members, read_one=read_one, fs=fs, member=member, **options)
    except ReadError as exc:
        raise within_archive(exc, name) from exc
    return rec.with_data(rec.data, meta={**rec.meta, "archive": name})  # the frozen array is shared, not copied


#: Largest WFDB header expanded to plan which members a recording needs (bytes).
MAX_HEADER_BYTES = 16 * 1024 ** 2


def _needed(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str, member: str | None):
    """The members to expand for ``member`` (or for the only recording); NeedsChoice when ambiguous.

    Decided from the zip's directory (names, sizes) and its WFDB headers only, so a zip of many
    recordings asks which one before expanding any of them.
    """
    base = {i.filename: multi.basename(i.filename) for i in infos}
    headers = {}
    for i in infos:
        if base[i.filename].lower().endswith(".hea"):
            if i.file_size > MAX_HEADER_BYTES:
                raise ReadError(name, f"the WFDB header {i.filename!r} holds {i.file_size:,} bytes, far more "
                                      "than a header needs", "zip the record's real .hea file")
            headers[base[i.filename]] = _expand(zf, [i], name)[0][1]
    sizes = {base[i.filename]: i.file_size for i in infos}
    try:
        keep = multi.plan(sizes, headers, member)
    except NeedsChoice as exc:
        raise NeedsChoice(name, exc._bare_problem.replace("arrived together", "are in the zip"), exc.option,
                          exc.candidates) from None
    except ReadError as exc:
        raise within_archive(exc, name) from exc
    return [i for i in infos if base[i.filename] in keep]
