"""PLUX OpenSignals / BITalino recordings: the TXT export with its JSON header, and the HDF5 export."""

from __future__ import annotations

import io
import json

import numpy as np

from ..errors import NeedsChoice, ReadError
from ..recording import Recording
from . import text as _text
from ._names import unique_names
from . import units as _units
from ._matcheck import check_h5_dataset
from .limits import check_size, max_channels

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "transfer_function"]

FORMAT = "OpenSignals"
SUFFIXES = (".h5", ".hdf5")

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_TXT_MAGIC = b"OpenSignals Text File Format"
# PLUX EMG sensor datasheets: EMG(mV) = (ADC / 2**n - 1/2) * VCC / G_EMG * 1000
_EMG_TF = {"bitalino": (3.3, 1009.0), "biosignalsplux": (3.0, 1000.0)}


def sniff(head: bytes, name: str) -> bool:
    """OpenSignals TXT (``# OpenSignals Text File Format``) or an HDF5 file (magic at byte 0)."""
    return _TXT_MAGIC in head[:256] or head.startswith(_HDF5_MAGIC)


def transfer_function(device: str, resolution_bits: int) -> dict:
    """The PLUX EMG transfer function from raw ADC counts to mV (offered, never applied).

    Parameters
    ----------
    device : str
        Device name from the header (``"bitalino_rev"``, ``"biosignalsplux"``, ...).
    resolution_bits : int
        ADC resolution n in bits.

    Returns
    -------
    dict
        ``formula``, ``vcc_v``, ``gain`` and ``resolution_bits``: EMG in mV is
        ``(adc / 2**n - 0.5) * vcc_v / gain * 1000``.
    """
    key = "bitalino" if "bitalino" in str(device).lower() else "biosignalsplux"
    vcc, gain = _EMG_TF[key]
    return {"formula": "EMG_mV = (ADC / 2**n - 0.5) * VCC / G * 1000", "vcc_v": vcc, "gain": gain,
            "resolution_bits": int(resolution_bits), "source": f"PLUX {key} EMG sensor datasheet"}


def read(content: bytes, name: str, *, fs: float | None = None, device: str | None = None) -> Recording:
    """Read an OpenSignals recording.

    Parameters
    ----------
    content : bytes
        The whole file (TXT or HDF5).
    name : str
        File name, for messages.
    fs : float, optional
        Sampling rate in Hz; wins over the header's.
    device : str, optional
        MAC address (or name) of the device to read when the file holds several; default:
        the first device with an EMG sensor. All devices are listed in ``meta["devices"]``.

    Returns
    -------
    Recording
        Raw ADC counts (``unit="a.u."``), ``meta["adc_resolution_bits"]`` and, for EMG
        sensors, ``meta["transfer_function"]`` (see :func:`transfer_function`).
    """
    if content.startswith(_HDF5_MAGIC):
        return _read_h5(content, name, fs=fs, device=device)
    return _read_txt(content, name, fs=fs, device=device)


def _choose(name: str, devices: dict, device: str | None) -> str:
    if device is not None:
        for mac, h in devices.items():
            if device in (mac, str(h.get("device name", "")), str(h.get("device", ""))):
                return mac
        raise NeedsChoice(name, f"no device {device!r} in this OpenSignals file", "device", list(devices))
    for mac, h in devices.items():
        if any(str(s).upper() == "EMG" for s in _as_list(h.get("sensor"))):
            return mac
    return next(iter(devices))


def _as_list(v) -> list:
    if v is None:
        return []
    if isinstance(v, (str, bytes)):
        v = v.decode() if isinstance(v, bytes) else v
        try:
            parsed = json.loads(v)
            return list(parsed) if isinstance(parsed, list) else [parsed]
        except ValueError:
            return [v]
    if isinstance(v, np.ndarray):
        return [x.decode() if isinstance(x, bytes) else x.item() if hasattr(x, "item") else x for x in v]
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _finish(name, data, *, fs, header, mac, devices, labels, sensors, bits) -> Recording:
    file_fs = float(header.get("sampling rate", 0) or 0)
    if fs is None and not file_fs > 0:
        raise ReadError(name, f"the header of device {mac} states no 'sampling rate'", "pass fs= (Hz)")
    meta = {"format": FORMAT, "device": mac, "device_type": str(header.get("device", "")),
            "devices": {m: [str(x) for x in _as_list(h.get("label"))] for m, h in devices.items()},
            "sensors": [str(s) for s in sensors], "adc_resolution_bits": int(max(bits)) if bits else None,
            "unit_note": "raw ADC counts as recorded (a.u.); meta['transfer_function'] gives the PLUX "
                         "conversion to mV, which emgviz does not apply by itself"}
    if fs is not None and file_fs and abs(fs - file_fs) > 1e-9:
        meta["warnings"] = [f"fs={fs:g} Hz given by the caller overrides {file_fs:g} Hz from the header"]
    if any(str(s).upper() == "EMG" for s in sensors) and bits:
        meta["transfer_function"] = transfer_function(meta["device_type"], int(max(bits)))
    kinds = []
    for s, lab in zip(sensors, labels):
        k = _units.guess_kind(str(s), None)
        k = k if k != "other" else _units.guess_kind(str(lab), None)
        kinds.append(k)
    names = [f"{s} {lab}" if s and str(s).upper() not in str(lab).upper() else str(lab)
             for s, lab in zip(sensors, labels)]
    names = unique_names(names)
    return Recording._trusted(data, fs=float(fs if fs is not None else file_fs), ch_names=tuple(names),
                              unit="a.u.", source=name, meta=meta, ch_units=tuple(["a.u."] * len(names)),
                              ch_kinds=tuple(kinds))


def _read_txt(content: bytes, name: str, *, fs, device) -> Recording:
    head = content[:65536].decode("utf-8", errors="replace")
    header_line = next((ln for ln in head.splitlines()[:5] if ln.lstrip("# ").startswith("{")), None)
    if header_line is None:
        raise ReadError(name, "the OpenSignals header has no JSON line ('# {...}') in its first 5 lines",
                        "export again from OpenSignals with the header")
    try:
        devices = json.loads(header_line.lstrip("# ").strip())
    except ValueError as exc:
        raise ReadError(name, f"the OpenSignals JSON header is broken ({exc})", "export again") from None
    if not isinstance(devices, dict) or not devices or not all(isinstance(h, dict) for h in devices.values()):
        raise ReadError(name, "the OpenSignals JSON header lists no device", "export again")
    ordered = sorted(devices.items(), key=lambda kv: kv[1].get("position", 0))
    devices = dict(ordered)
    mac = _choose(name, devices, device)
    layout = _text.scan_layout(content, name)
    offset = 0
    for m, h in devices.items():
        if m == mac:
            break
        offset += len(_as_list(h.get("column")))
    h = devices[mac]
    cols = [str(c) for c in _as_list(h.get("column"))]
    labels = [str(x) for x in _as_list(h.get("label"))]
    sensors = _as_list(h.get("sensor")) or [""] * len(labels)
    res = _as_list(h.get("resolution"))
    total = sum(len(_as_list(d.get("column"))) for d in devices.values())
    if layout.n_cols != total:
        raise ReadError(name, f"the rows hold {layout.n_cols} columns but the header lists {total}",
                        "export again; the file may be cut")
    idx = [offset + cols.index(lab) for lab in labels if lab in cols]
    if len(idx) != len(labels) or not idx:
        raise ReadError(name, f"the header labels {labels} are not among the columns {cols}", "export again")
    columns = _text.parse_columns(content, name, layout)
    data = _text.columns_to_array(name, [columns[i] for i in idx], labels, layout)
    bits = [int(res[cols.index(lab)]) for lab in labels if len(res) == len(cols)]
    return _finish(name, data, fs=fs, header=h, mac=mac, devices=devices, labels=labels, sensors=sensors,
                   bits=bits)


def needs_isolation(head: bytes) -> bool:
    """True for OpenSignals HDF5 files: h5py's C library reads them, in a child process."""
    return head[:8] == b"\x89HDF\r\n\x1a\n"


def _read_into(dataset, out: np.ndarray) -> None:
    """The first ``len(out)`` values of an HDF5 dataset, read (and converted) straight into ``out``."""
    n = len(out)
    shape = dataset.shape
    if len(shape) == 1:
        dataset.read_direct(out, source_sel=np.s_[:n])
        return
    if len(shape) == 2 and 1 in shape:  # a column (n, 1), as OpenSignals writes, or a row (1, n)
        column = shape[1] == 1
        dataset.read_direct(out.reshape((n, 1) if column else (1, n)),
                            source_sel=np.s_[:n, :1] if column else np.s_[:1, :n])
        return
    out[:] = dataset[...].reshape(-1)[:n]  # a block of any other shape: in file order


def _read_h5(content: bytes, name: str, *, fs, device) -> Recording:
    import h5py

    try:
        f = h5py.File(io.BytesIO(content), "r")
    except OSError as exc:
        raise ReadError(name, f"the HDF5 file cannot be opened ({exc})", "check the file is complete") from None
    with f:
        devices = {}
        for key in f.keys():
            g = f[key]
            if isinstance(g, h5py.Group) and "raw" in g:
                devices[key] = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in g.attrs.items()}
        if not devices:
            raise ReadError(name, "this HDF5 file holds no OpenSignals device group (<MAC>/raw/channel_N)",
                            "emgviz reads HDF5 only as OpenSignals exports; export as EDF or CSV otherwise")
        mac = _choose(name, devices, device)
        raw = f[mac]["raw"]
        chans = sorted((k for k in raw.keys() if k.startswith("channel_")), key=lambda k: int(k.split("_")[1]))
        if not chans:
            raise ReadError(name, f"device {mac} has no raw/channel_N datasets", "export again")
        if len(chans) > max_channels():
            check_size(name, len(chans), 1)
        for c in chans:  # declared shapes first: an unwritten dataset reads as gigabytes of fill values
            check_h5_dataset(name, f"dataset {mac}/raw/{c}", raw[c])
        n = min(int(np.prod(raw[c].shape)) for c in chans)
        check_size(name, len(chans), n)
        data = np.empty((len(chans), n), dtype=np.float64)
        for r, c in enumerate(chans):
            _read_into(raw[c], data[r])
            if not np.isfinite(data[r]).all():
                raise ReadError(name, f"dataset {mac}/raw/{c} holds NaN or infinite values", "export again")
        h = devices[mac]
        sensors = _as_list(h.get("sensor")) or [""] * len(chans)
        labels = _as_list(h.get("label")) or chans
        res = _as_list(h.get("resolution"))
        bits = [int(b) for b in res if int(b) > 1] if res else []
        if len(sensors) != len(chans):
            sensors = [""] * len(chans)
        if len(labels) != len(chans):
            labels = chans
        return _finish(name, data, fs=fs, header=h, mac=mac, devices=devices, labels=[str(x) for x in labels],
                       sensors=sensors, bits=bits)
