"""MATLAB .mat files: v4/v5/v7 through ``scipy.io.loadmat``, v7.3 (HDF5) through ``h5py``.

The file is searched for numeric signal arrays, a sampling-rate scalar, channel names and
an ADC scale factor; when several arrays could be the signal the caller must choose one.
"""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np

from ..errors import NeedsChoice, NeedsSamplingRate, ReadError
from ..recording import Recording
from ._build import make_recording
from . import _matcheck, limits, units
from ._names import unique_names

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "FS_NAMES", "SCALE_NAMES", "NAME_VARIABLES"]

FORMAT = "MATLAB"
SUFFIXES = (".mat",)

#: Variable names (lower case, without ``_``/spaces) read as the sampling rate in Hz.
FS_NAMES = ("fs", "srate", "samplingrate", "samplerate", "samplingfrequency", "samplingfreq", "freq",
            "frequency", "sf", "rate", "fsamp", "fsample", "samplefreq", "samplefrequency", "hz")
#: Variable names read as the ADC scale factor (volts per count, or per ``units``).
SCALE_NAMES = ("gain", "scale", "lsb", "scalefactor", "adcgain", "conversionfactor", "voltsperbit", "vperbit")
#: Variable names read as channel names (a cell array of strings or a char matrix).
NAME_VARIABLES = ("labels", "label", "names", "channels", "channelnames", "chnames", "chanlabels", "chans",
                  "chan", "channellabels", "electrodes", "muscles", "signalnames", "colheaders")
_UNIT_NAMES = ("unit", "units", "physicalunit", "physdim")
_TIME_NAMES = ("t", "time", "times", "timestamp", "timestamps", "times", "timevector", "tvec")
_MIN_SAMPLES = 16  # an array needs this many samples along its longer axis to be a signal
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def sniff(head: bytes, name: str) -> bool:
    """True for a v5/v7 header (``"MATLAB 5.0 MAT-file"``) or a v7.3 userblock before HDF5 magic."""
    if head.startswith(b"MATLAB 5.0 MAT-file"):
        return True
    return head.startswith(b"MATLAB 7.3 MAT-file") and head[512:520] == _HDF5_MAGIC


def needs_isolation(head: bytes) -> bool:
    """True for v7.3 (HDF5) files: h5py's C library reads them, in a child process."""
    return head[512:520] == _HDF5_MAGIC or head[:8] == _HDF5_MAGIC


def _key(varname: str) -> str:
    """The last part of a (struct) variable name, lower case, without separators: ``"data.Fs"`` → ``"fs"``."""
    return re.sub(r"[\s_\-]", "", varname.rsplit(".", 1)[-1].lower())


# ---- loading into a flat {name: value} dict -----------------------------------------------
def _flatten_v5(value: Any, prefix: str, out: dict, depth: int = 0) -> None:
    if isinstance(value, dict):
        if depth < 4:
            for k, v in value.items():
                if not k.startswith("__"):
                    _flatten_v5(v, f"{prefix}.{k}" if prefix else k, out, depth + 1)
        return
    if isinstance(value, str):
        out[prefix] = value
    elif isinstance(value, (list, tuple)):
        if value and all(isinstance(v, str) for v in value):
            out[prefix] = [v.strip() for v in value]
    elif isinstance(value, np.ndarray):
        if value.dtype.kind == "U":
            out[prefix] = [str(v).strip() for v in value.ravel()]
        elif value.dtype == object:
            items = list(value.ravel())
            if items and all(isinstance(v, str) for v in items):
                out[prefix] = [v.strip() for v in items]
        elif value.dtype.kind in "iufb":
            out[prefix] = value
    elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        out[prefix] = np.asarray(value)


def _load_v5(content: bytes, name: str) -> dict:
    from scipy.io import loadmat

    _matcheck.check_v5(content, name)
    try:
        raw = loadmat(io.BytesIO(content), simplify_cells=True)
    except Exception as exc:
        raise ReadError(name, f"scipy cannot read the MAT-file ({type(exc).__name__}: {exc})",
                        "check that the file is complete; re-save it in MATLAB with save(..., '-v7')") from exc
    out: dict = {}
    for k, v in raw.items():
        if not k.startswith("__"):
            _flatten_v5(v, k, out)
    return out


def _h5_value(f, obj, name: str = "", depth: int = 0):
    """A v7.3 dataset as numpy (numeric), str (char) or list of str (cellstr); None otherwise.

    The declared shape is checked against the sample limit before anything is read.
    """
    _matcheck.check_h5_dataset(name, f"variable {obj.name!r}", obj)
    if depth > 4:
        return None
    cls = obj.attrs.get("MATLAB_class", b"")
    cls = cls.decode() if isinstance(cls, bytes) else str(cls)
    if obj.attrs.get("MATLAB_empty", 0):
        return None
    if cls == "char":
        arr = np.asarray(obj[()], dtype=np.uint16)
        rows = np.atleast_2d(arr).T  # HDF5 holds the transpose of the MATLAB array
        texts = ["".join(map(chr, r)).rstrip("\x00 ") for r in rows]
        return texts[0] if len(texts) == 1 else texts
    if cls == "cell":
        refs = np.asarray(obj[()]).ravel()
        texts = []
        for ref in refs:
            target = f[ref]
            if not hasattr(target, "shape"):
                return None
            text = _h5_value(f, target, name, depth + 1)
            if not isinstance(text, str):
                return None
            texts.append(text)
        return texts
    if cls in ("double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"):
        return np.asarray(obj[()])
    return None


def _load_v73(content: bytes, name: str) -> dict:
    import h5py

    out: dict = {}
    seen = [0, 0]  # datasets visited, values declared by them together
    try:
        with h5py.File(io.BytesIO(content), "r") as f:
            def visit(path, obj):
                if path.startswith("#refs#") or not isinstance(obj, h5py.Dataset):
                    return
                seen[0] += 1
                seen[1] += int(np.prod(obj.shape or (), dtype=object))
                if seen[0] > _matcheck.MAX_VARIABLES:
                    raise ReadError(name, f"the file holds more than {_matcheck.MAX_VARIABLES:,} variables",
                                    "save only the recording's variables")
                limits.check_declared(name, "the variables together", (seen[1],))
                value = _h5_value(f, obj, name)
                if value is not None:
                    out[path.replace("/", ".")] = value
            f.visititems(visit)
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(name, f"h5py cannot read the v7.3 MAT-file ({type(exc).__name__}: {exc})",
                        "check that the file is complete; or re-save it in MATLAB with save(..., '-v7')") from exc
    return out


# ---- finding the parts ------------------------------------------------------------------
def _scalar(value) -> float | None:
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        v = float(value.ravel()[0])
        return v if np.isfinite(v) else None
    return None


def _candidates(variables: dict, skip: set) -> dict[str, np.ndarray]:
    out = {}
    for k, v in variables.items():
        if k in skip or not isinstance(v, np.ndarray) or v.dtype.kind not in "iuf":
            continue
        arr = np.squeeze(v)
        if arr.ndim in (1, 2) and max(arr.shape) >= _MIN_SAMPLES:
            out[k] = arr
    return out


def _find(variables: dict, names: tuple, kind: str, near: str = ""):
    """The variable whose last name part is in ``names``; prefer one beside ``near`` in a struct."""
    hits = []
    for k, v in variables.items():
        if _key(k) not in names:
            continue
        if kind == "scalar" and _scalar(v) is None:
            continue
        if kind == "text" and not isinstance(v, str):
            continue
        hits.append(k)
    if not hits:
        return None
    parent = near.rsplit(".", 1)[0] if "." in near else ""
    hits.sort(key=lambda k: (k.rsplit(".", 1)[0] if "." in k else "") != parent)
    return hits[0]


def read(content: bytes, name: str, *, fs: float | None = None, variable: str | None = None) -> Recording:
    """Read a signal array from a MATLAB file.

    Parameters
    ----------
    content : bytes
        The whole file.
    name : str
        Its name, for messages.
    fs : float, optional
        Sampling rate in Hz, used when the file has no rate variable (``fs``, ``Fs``,
        ``srate``, ``sampling_rate``, ``SampleRate``, ``freq``...) and no time vector.
    variable : str, optional
        The signal variable when several numeric arrays qualify (struct fields as
        ``"data.emg"``).

    Returns
    -------
    Recording
        Shaped (n_channels, n_samples): the longer axis is time. Channel names from a
        cell array / char matrix (``labels``, ``names``, ``channels``...) with one name
        per channel, else ``ch1``, ``ch2``... Integer ADC codes times a scale variable
        (``gain``, ``scale``, ``lsb``...) in volts (or in ``units`` if stated); without
        one they stay ``"a.u."``; ``meta["note"]`` says which.

    Raises
    ------
    NeedsChoice
        Several candidate signal variables (``option="variable"``).
    NeedsSamplingRate
        No rate variable, no time vector and no ``fs``.
    ReadError
        Unreadable file, no numeric array.
    """
    if content.startswith(b"MATLAB 7.3 MAT-file") or content[512:520] == _HDF5_MAGIC or content[:8] == _HDF5_MAGIC:
        version = "7.3"
        variables = _load_v73(content, name)
    else:
        version = "5" if content.startswith(b"MATLAB 5.0") else "4"
        variables = _load_v5(content, name)
    time_var = next((k for k, v in variables.items() if _key(k) in _TIME_NAMES and isinstance(v, np.ndarray)
                     and np.squeeze(v).ndim == 1), None)
    fs_guess = _find(variables, FS_NAMES, "scalar")
    scale_guess = _find(variables, SCALE_NAMES, "any")
    skip = {k for k in (time_var, fs_guess, scale_guess) if k}
    cands = _candidates(variables, skip)
    if variable is not None:
        if variable not in cands:
            pool = cands or _candidates(variables, set())
            raise NeedsChoice(name, f"there is no signal variable {variable!r}", "variable", list(pool))
        chosen = variable
    elif len(cands) == 1:
        chosen = next(iter(cands))
    elif not cands:
        found = ", ".join(f"{k} {np.shape(v)}" for k, v in variables.items()) or "none"
        raise ReadError(name, f"no numeric array with at least {_MIN_SAMPLES} samples was found "
                        f"(variables: {found})", "save the signals as a numeric matrix (channels × samples)")
    else:
        raise NeedsChoice(name, f"{len(cands)} variables could be the signal", "variable", list(cands))
    arr = cands[chosen]
    raw = arr[np.newaxis, :] if arr.ndim == 1 else (arr if arr.shape[1] >= arr.shape[0] else arr.T)
    n_ch, n_samp = raw.shape
    limits.check_size(name, n_ch, n_samp)
    meta: dict = {"format": FORMAT, "version": version, "variable": chosen,
                  "variables": sorted(variables), "transposed": bool(arr.ndim == 2 and arr.shape[1] < arr.shape[0])}
    rate, t0 = _rate(name, variables, chosen, n_samp, time_var, fs, meta)
    data, unit, note = _scaled(name, variables, chosen, raw, meta)
    if note:
        meta["note"] = note
    ch_names = _names(variables, chosen, n_ch, meta)
    ch_kinds = [units.guess_kind(n, unit if unit != "a.u." else None) for n in ch_names]
    if "emg" not in ch_kinds and all(k == "other" for k in ch_kinds):
        ch_kinds = ["emg"] * n_ch  # a bare matrix in an EMG viewer: show it
    return make_recording(data, fs=rate, ch_names=tuple(ch_names), unit=unit, source=name, meta=meta,
                              ch_units=tuple([unit] * n_ch), ch_kinds=tuple(ch_kinds), t0=t0)


def _rate(name, variables, chosen, n_samp, time_var, fs, meta) -> tuple[float, float]:
    key = _find(variables, FS_NAMES, "scalar", near=chosen)
    if key is not None:
        rate = _scalar(variables[key])
        if rate and rate > 0:
            meta["fs_variable"] = key
            if fs is not None and abs(float(fs) - rate) > 1e-9 * rate:
                meta["fs_ignored"] = f"fs={fs} was passed but the file states {key} = {rate:g} Hz"
            return rate, 0.0
    if time_var is not None:
        t = np.asarray(np.squeeze(variables[time_var]), dtype=float)
        if len(t) == n_samp and len(t) > 1:
            steps = np.diff(t)
            step = float(np.median(steps))
            if step > 0 and np.all(steps > 0):
                meta["fs_from"] = f"median step of {time_var}"
                return 1.0 / step, float(t[0])
    if fs is None:
        raise NeedsSamplingRate(name, f"the file has no sampling-rate variable (looked for {', '.join(FS_NAMES[:6])}...) "
                                "and no time vector", "pass the sampling rate in Hz, e.g. fs=1000")
    return float(fs), 0.0


def _scaled(name, variables, chosen, raw, meta) -> tuple[np.ndarray, str, str]:
    """Samples as float64 and their unit; integers × scale → volts (or the stated unit)."""
    unit_key = _find(variables, _UNIT_NAMES, "text", near=chosen)
    unit_text = variables[unit_key] if unit_key else None
    data = np.array(raw, dtype=np.float64, order="C")
    note = ""
    scale_key = _find(variables, SCALE_NAMES, "any", near=chosen)
    if raw.dtype.kind in "iu":
        if scale_key is None:
            meta["adc"] = True
            return data, "a.u.", (f"integer ADC codes ({raw.dtype}) with no scale variable "
                                  f"({', '.join(SCALE_NAMES[:3])}...): kept as counts (a.u.)")
        scale = np.asarray(variables[scale_key], dtype=float).ravel()
        if scale.size not in (1, data.shape[0]):
            raise ReadError(name, f"the scale variable {scale_key!r} has {scale.size} values for "
                            f"{data.shape[0]} channels", "give one scale per channel, or one for all")
        data *= scale[:, np.newaxis] if scale.size > 1 else scale[0]
        meta["scale_variable"] = scale_key
        note = (f"integer ADC codes × {scale_key}" + (f" in {unit_text}" if unit_text else " taken as volts per count"))
        unit_text = unit_text or "V"
    elif not unit_text:
        return data, "a.u.", "no unit variable: values kept as stored (a.u.)"
    unit = units.scale_to_volts(data, [unit_text] * data.shape[0])[0]
    return data, unit, note


def _names(variables, chosen, n_ch, meta) -> list[str]:
    lists = {k: v for k, v in variables.items() if isinstance(v, list) or (isinstance(v, str) and n_ch == 1)}
    named = [k for k in lists if _key(k) in NAME_VARIABLES]
    fitting = [k for k in named + [k for k in lists if k not in named]
               if len(lists[k] if isinstance(lists[k], list) else [lists[k]]) == n_ch]
    if fitting:
        key = sorted(fitting, key=lambda k: (k not in named, (k.rsplit(".", 1)[0] if "." in k else "")
                                             != (chosen.rsplit(".", 1)[0] if "." in chosen else "")))[0]
        value = lists[key]
        names = value if isinstance(value, list) else [value]
        meta["names_variable"] = key
        return unique_names(names)
    for k in named:
        meta["names_ignored"] = f"{k} has {len(lists[k])} names for {n_ch} channels"
    return [f"ch{i + 1}" for i in range(n_ch)]
