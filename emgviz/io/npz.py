"""emgviz's own .npz format: plain arrays and a JSON string, never pickled objects."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from ..errors import ReadError
from ..recording import Recording
from ._build import make_recording
from . import limits

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "write_npz"]

FORMAT = "NPZ (emgviz)"
SUFFIXES = (".npz",)
_REQUIRED = ("data", "fs", "ch_names")


def sniff(head: bytes, name: str) -> bool:
    """A zip (``PK\\x03\\x04``) whose member list names ``data.npy`` and ``fs.npy``."""
    return head.startswith(b"PK\x03\x04") and b"data.npy" in head and b"fs.npy" in head


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def write_npz(rec: Recording, path_or_buffer) -> None:
    """Write ``rec`` to an uncompressed ``.npz`` that :func:`read` (and ``np.load``) opens without pickle.

    Parameters
    ----------
    rec : Recording
    path_or_buffer : str, os.PathLike or binary file object
        Where to write. A path gets the ``.npz`` suffix from NumPy if it lacks one.

    Examples
    --------
    >>> import io, numpy as np
    >>> buf = io.BytesIO()
    >>> write_npz(Recording(np.zeros((1, 10)), fs=1000, ch_names=["EMG"]), buf)
    >>> read(buf.getvalue(), "x.npz").fs
    1000.0
    """
    ev = rec.events
    meta = dict(rec.meta)
    arrays = {  # small members first, so sniff() sees fs.npy and data.npy in the first bytes
        "fs": np.array(rec.fs, dtype=np.float64),
        "ch_names": np.array(rec.ch_names, dtype=str),
        "unit": np.array(rec.unit, dtype=str),
        "ch_units": np.array(rec.ch_units, dtype=str),
        "ch_kinds": np.array(rec.ch_kinds, dtype=str),
        "t0": np.array(rec.t0, dtype=np.float64),
        "source": np.array(rec.source, dtype=str),
        "data": np.ascontiguousarray(rec.data, dtype=np.float64),
        "event_time_s": ev["time_s"].to_numpy(dtype=np.float64),
        "event_duration_s": ev["duration_s"].to_numpy(dtype=np.float64),
        "event_label": np.array([str(x) for x in ev["label"]], dtype=str).reshape(-1),
        "meta_json": np.array(json.dumps(meta, default=_json_default), dtype=str),
    }
    np.savez(path_or_buffer, **arrays)


def _str(arr) -> str:
    return str(arr.item()) if arr.ndim == 0 else str(arr)


def read(content: bytes, name: str, *, fs: float | None = None) -> Recording:
    """Read a file written by :func:`write_npz` (loaded with ``allow_pickle=False``).

    Parameters
    ----------
    content : bytes
    name : str
    fs : float, optional
        Overrides the stored rate (noted in ``meta["warnings"]``).
    """
    return _read(io.BytesIO(content), name, fs=fs)


def read_path(path, name: str, *, fs: float | None = None) -> Recording:
    """As :func:`read`, from a path: numpy reads the members straight from the file (no bytes copy)."""
    return _read(path, name, fs=fs)


def _read(source, name: str, *, fs: float | None = None) -> Recording:
    try:
        npz = np.load(source, allow_pickle=False)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(name, f"the .npz archive is damaged ({exc})", "write it again with emgviz.io.npz.write_npz") from None
    with npz:
        missing = [k for k in _REQUIRED if k not in npz.files]
        if missing:
            raise ReadError(name, f"the .npz holds {sorted(npz.files)[:10]} but lacks {missing}",
                            "write it with emgviz.io.npz.write_npz, or save data, fs and ch_names arrays")
        try:
            _check_declared(name, npz.zip, npz.files)
            arrays = {k: npz[k] for k in npz.files}
        except ReadError:
            raise
        except ValueError as exc:
            if "pickle" in str(exc).lower() or "object" in str(exc).lower():
                raise ReadError(name, "the .npz holds pickled Python objects, which emgviz never loads",
                                "save plain numeric and string arrays (write_npz does)") from None
            raise ReadError(name, f"an array in the .npz cannot be read ({exc})", "write it again") from None
    data = arrays["data"]
    if data.dtype.kind not in "fiu":
        raise ReadError(name, f"data.npy holds {data.dtype} values, not numbers", "store float samples")
    if data.ndim == 1:  # one channel saved as a plain vector
        data = data[np.newaxis, :]
    try:
        file_fs = float(arrays["fs"])
        meta = json.loads(_str(arrays["meta_json"])) if "meta_json" in arrays else {}
    except (TypeError, ValueError) as exc:
        raise ReadError(name, f"fs or meta_json in the .npz is not valid ({exc})", "write it again") from None
    if not isinstance(meta, dict):
        meta = {"stored_meta": meta}
    meta["format"] = FORMAT
    if fs is not None and float(fs) != file_fs:
        meta.setdefault("warnings", []).append(f"fs={float(fs):g} Hz given by the caller overrides {file_fs:g} Hz")
    events = None
    if "event_time_s" in arrays and len(arrays["event_time_s"]):
        parts = {k: np.atleast_1d(arrays[k]) for k in ("event_time_s", "event_duration_s", "event_label")
                 if k in arrays}
        sizes = {k: len(v) for k, v in parts.items()}
        if len(parts) != 3 or len(set(sizes.values())) != 1:
            raise ReadError(name, f"the event arrays disagree in length ({sizes}); their events cannot be paired",
                            "write the file again with emgviz.io.npz.write_npz")
        events = list(zip(parts["event_time_s"].tolist(), parts["event_duration_s"].tolist(),
                          [str(x) for x in parts["event_label"].tolist()]))

    def opt(key, default=None):
        if key not in arrays:
            return default
        a = arrays[key]
        return _str(a) if a.ndim == 0 else tuple(str(x) for x in a.tolist())

    try:
        # np.load made a fresh array nobody else holds: hand it over without another copy.
        return make_recording(np.ascontiguousarray(data, dtype=np.float64), fs=fs if fs is not None else file_fs,
                         ch_names=tuple(str(x) for x in np.atleast_1d(arrays["ch_names"]).tolist()),
                         unit=opt("unit", "V"), source=opt("source", name) or name, meta=meta, events=events,
                         ch_units=opt("ch_units"), ch_kinds=opt("ch_kinds"),
                         t0=float(arrays["t0"]) if "t0" in arrays else 0.0)
    except ValueError as exc:
        raise ReadError(name, f"the stored arrays do not make a recording: {exc}", "write it again") from None


#: Largest size in bytes of a member other than data.npy (names, units, events, meta JSON).
MAX_SIDE_BYTES = 64 * 1024 ** 2


def _check_declared(name: str, zf: zipfile.ZipFile, keys) -> None:
    """Every member's declared shape and dtype against the limits, before numpy allocates it."""
    if zf is None:
        return
    for key in keys:
        header = _peek_header(zf, key + ".npy")
        if header is None:
            continue  # numpy's own error follows when it loads it
        shape, dtype = header
        count = int(np.prod(shape, dtype=object)) if shape else 1
        if key == "data":
            limits.check_declared(name, "data.npy", shape, dtype.itemsize)
            if len(shape) == 1:
                limits.check_size(name, 1, shape[0])
            elif len(shape) == 2:
                limits.check_size(name, shape[0], shape[1])
        elif count * max(dtype.itemsize, 1) > MAX_SIDE_BYTES:
            raise ReadError(name, f"{key}.npy declares {count:,} values of {dtype.itemsize} bytes (shape {shape}), "
                                  f"far more than names, units or events need", "write the file again with write_npz")


def _peek_header(zf: zipfile.ZipFile, member: str):
    """(shape, dtype) of one .npy member from its header, without loading its data."""
    try:
        with zf.open(member) as fh:
            version = np.lib.format.read_magic(fh)
            reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                      else np.lib.format.read_array_header_2_0)
            shape, _, dtype = reader(fh)
            return shape, dtype
    except (KeyError, ValueError, zipfile.BadZipFile, OSError):
        return None
