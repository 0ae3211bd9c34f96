"""Declared sizes in a MAT-file checked before scipy or h5py allocate anything.

A MAT-file states each variable's dimensions and byte counts in small headers; scipy and h5py
believe them. A 2 kB file can declare a 10^10-element array (or a compressed block that
inflates to gigabytes): these checks read only the headers and refuse such a file with a
:class:`~emgviz.errors.ReadError` before any allocation.

MAT v5 layout (MathWorks, "MAT-File Format", R2024a, ch. 1): a 128-byte header (endian
indicator ``"IM"``/``"MI"`` at bytes 126-127), then data elements, each an 8-byte tag
(type, byte count) or a 4-byte "small element" tag. ``miMATRIX`` (14) holds array flags,
dimensions (``miINT32``), the name, then the data; ``miCOMPRESSED`` (15) holds one zlib-deflated
``miMATRIX``.
"""

from __future__ import annotations

import struct
import zlib

from ..errors import ReadError
from . import limits

__all__ = ["check_v5", "check_h5_dataset"]

_MI_MATRIX, _MI_COMPRESSED = 14, 15
#: mxCELL_CLASS, mxSTRUCT_CLASS, mxOBJECT_CLASS: containers whose parts are whole matrices.
_CONTAINERS = {1, 2, 3}
#: Most variables (top-level data elements) a file may hold.
MAX_VARIABLES = 100_000
_PEEK = 4096


def _tag(buf: bytes, pos: int, order: str) -> tuple[int, int, int]:
    """(type, byte count, header length) of the data element at ``pos``."""
    word = struct.unpack_from(order + "I", buf, pos)[0]
    if word >> 16:  # small data element: count in the upper half, data in the next 4 bytes
        return word & 0xFFFF, word >> 16, 4
    return word, struct.unpack_from(order + "I", buf, pos + 4)[0], 8


def _matrix_header(buf: bytes, order: str) -> tuple[int, list[int], int | None]:
    """(class, dims, byte count of the real-part data element or None) of an miMATRIX body."""
    pos = 0
    _, n, h = _tag(buf, pos, order)  # array flags
    flags = struct.unpack_from(order + "I", buf, pos + h)[0]
    cls = flags & 0xFF
    pos += h + ((n + 7) // 8 * 8 if h == 8 else 4)
    _, n, h = _tag(buf, pos, order)  # dimensions
    dims = list(struct.unpack_from(order + f"{n // 4}i", buf, pos + h))
    pos += h + ((n + 7) // 8 * 8 if h == 8 else 4)
    _, n, h = _tag(buf, pos, order)  # name
    pos += h + ((n + 7) // 8 * 8 if h == 8 else 4)
    data_bytes = None
    if cls not in _CONTAINERS and pos + 8 <= len(buf):
        data_bytes = _tag(buf, pos, order)[1]
    return cls, dims, data_bytes


def _check_matrix(name: str, body: bytes, order: str, what: str) -> int:
    """Check one matrix header; returns its class."""
    try:
        cls, dims, data_bytes = _matrix_header(body, order)
    except struct.error:
        raise ReadError(name, f"{what} has a damaged header", "check that the file is complete") from None
    limits.check_declared(name, what, dims, 1)
    count = 1
    for d in dims:
        count *= max(d, 0)
    if data_bytes is not None and data_bytes > 8 * count + 8:
        raise ReadError(name, f"{what} declares {data_bytes:,} bytes of data for {count:,} values",
                        "check that the file is complete and not damaged")
    return cls


def _inflated_size(name: str, blob: bytes, cap: int, what: str) -> None:
    """Inflate ``blob`` chunk by chunk, counting (not keeping) the bytes; refuse above ``cap``."""
    d = zlib.decompressobj()
    total = 0
    view = memoryview(blob)
    for start in range(0, len(blob), 1 << 16):
        chunk = view[start:start + (1 << 16)]
        while chunk:
            out = d.decompress(chunk, 1 << 20)
            total += len(out)
            if total > cap:
                raise ReadError(name, f"{what} inflates to more than {cap:,} bytes",
                                "check that the file is not damaged, or raise EMGVIZ_MAX_SAMPLES")
            chunk = d.unconsumed_tail
        if d.eof:
            return


def check_v5(content: bytes, name: str) -> None:
    """Refuse a MAT v5/v7 file whose variables declare more than the sample limit (headers only).

    Raises
    ------
    ReadError
        A variable declares more values than ``EMGVIZ_MAX_SAMPLES``, a data element more
        bytes than its dimensions need, a compressed variable inflates past the limit,
        or the file holds more than :data:`MAX_VARIABLES` variables.
    """
    if len(content) < 128 or not content.startswith(b"MATLAB 5.0"):
        return
    order = "<" if content[126:128] == b"IM" else ">"
    cap = 8 * limits.max_samples() + (1 << 20)
    pos, k = 128, 0
    while pos + 8 <= len(content):
        k += 1
        if k > MAX_VARIABLES:
            raise ReadError(name, f"the file holds more than {MAX_VARIABLES:,} variables",
                            "save only the recording's variables")
        mtype, nbytes, h = _tag(content, pos, order)
        body = content[pos + h:pos + h + nbytes]
        what = f"variable {k}"
        if mtype == _MI_MATRIX:
            _check_matrix(name, body, order, what)
        elif mtype == _MI_COMPRESSED:
            d = zlib.decompressobj()
            try:
                head = d.decompress(body, _PEEK)
            except zlib.error:
                raise ReadError(name, f"{what} is compressed but its data are damaged",
                                "check that the file is complete") from None
            if len(head) >= 8:
                itype, inbytes, ih = _tag(head, 0, order)
                if itype == _MI_MATRIX:
                    if inbytes > cap:
                        raise ReadError(name, f"{what} declares {inbytes:,} bytes once inflated, above the "
                                              f"limit of {cap:,}", "check that the file is not damaged, or "
                                                                   "raise EMGVIZ_MAX_SAMPLES")
                    cls = _check_matrix(name, head[ih:], order, what)
                    if cls in _CONTAINERS:  # a struct or cell: its parts are matrices of their own
                        _inflated_size(name, body, cap, what)
        pos += h + (nbytes if h == 4 else (nbytes + 7) // 8 * 8 if mtype != _MI_COMPRESSED else nbytes)


def check_h5_dataset(name: str, what: str, dataset) -> None:
    """Refuse an HDF5 dataset whose declared shape is above the sample limit (nothing is read)."""
    shape = dataset.shape or ()
    try:
        itemsize = int(dataset.dtype.itemsize)
    except (TypeError, ValueError):  # an unusual dtype h5py cannot map: its own error follows
        itemsize = 1
    limits.check_declared(name, what, shape, itemsize)
