"""PLUX OpenSignals / BITalino recordings: the TXT export with its JSON header, and the HDF5 export."""

from __future__ import annotations

import io
import json
import re

import numpy as np

from ..errors import NeedsChoice, ReadError
from ..recording import Recording
from . import text as _text
from . import units as _units
from ._matcheck import check_h5_dataset
from ._build import check_rate, make_recording
from ._groups import group_key, match_group
from ._names import unique_names
from ._table import drop_padding_columns
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


def read(content: bytes, name: str, *, fs: float | None = None, device: str | None = None,
         group: str | float | None = None) -> Recording:
    """Read an OpenSignals recording (one or several devices).

    Parameters
    ----------
    content : bytes
        The whole file (TXT or HDF5).
    name : str
        File name, for messages.
    fs : float, optional
        Sampling rate in Hz; wins over the header's.
    device : str, optional
        MAC address (or device name) to read only that device. All devices are listed in
        ``meta["devices"]``.
    group : str or float, optional
        When the devices record at different rates: the rate group to read (``"10 Hz"``, see
        ``meta["groups"]``). Default: the group with the most EMG channels, then the most
        channels, then the fastest. Signals are never resampled.

    Returns
    -------
    Recording
        Raw ADC counts (``unit="a.u."``). All devices of the chosen rate in one recording; when
        the file holds several devices, channels are named by device (``"A8:82 CH5"``). Muscle
        names written in the JSON ``comments`` (``ch1_flexor_digitorum_superficialis``) are
        added to the channel names. ``meta``: ``devices``, ``device`` (the first device read),
        ``groups``, ``group``, ``adc_resolution_bits``, ``transfer_function`` for EMG sensors.
    """
    if content.startswith(_HDF5_MAGIC):
        devices = _devices_h5(content, name)
    else:
        devices = _devices_txt(content, name)
    return _assemble(name, devices, fs=fs, device=device, group=group)


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


def _rate(name: str, mac: str, header: dict, fs) -> float:
    """The device's rate in Hz (the caller's ``fs`` wins); a bool, text or absurd value is refused."""
    if fs is not None:
        return float(fs)
    if "sampling rate" not in header:
        raise ReadError(name, f"the header of device {mac} states no 'sampling rate'", "pass fs= (Hz)")
    value = header["sampling rate"]
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    return check_rate(value, name, f"the header of device {mac} ('sampling rate')")


_MUSCLE = re.compile(r"\bch(\d+)_([A-Za-z][A-Za-z_]*)", re.IGNORECASE)
_SENSOR_KINDS = {"XYZ": "acc", "ACC": "acc", "EMG": "emg", "ECG": "ecg", "EEG": "eeg", "EOG": "eog",
                 "RESP": "resp", "PZT": "resp", "RIP": "resp", "TEMP": "temp", "SPO2": "spo2", "GONI": "gonio",
                 "FORCE": "force", "LOAD": "force", "RAW": "other", "LUX": "other", "EDA": "other",
                 "BVP": "spo2", "PPG": "spo2"}


def _muscles(comments: str) -> dict[int, str]:
    """Muscle names the JSON ``comments`` give per channel: ``ch1_flexor_digitorum`` → {1: "flexor digitorum"}."""
    return {int(m.group(1)): m.group(2).replace("_", " ").strip() for m in _MUSCLE.finditer(str(comments or ""))}


def _kind(sensor, label: str) -> str:
    sensor = str(sensor or "").strip().upper()
    if sensor in _SENSOR_KINDS:
        return _SENSOR_KINDS[sensor]
    k = _units.guess_kind(sensor, None) if sensor else "other"
    if k == "other":
        k = _units.guess_kind(label, None)
    return "emg" if k == "other" and not sensor else k


def _device(mac: str, header: dict, labels: list[str], arrays: list, sensors: list, bits: list) -> dict:
    muscles = _muscles(header.get("comments", ""))
    names = []
    for lab in labels:
        m = re.search(r"(\d+)$", lab)
        muscle = muscles.get(int(m.group(1))) if m else None
        names.append(f"{lab} {muscle}" if muscle else lab)
    return {"mac": mac, "header": header, "labels": labels, "names": names, "arrays": arrays,
            "sensors": sensors, "bits": bits, "type": str(header.get("device", ""))}


def _devices_txt(content: bytes, name: str) -> list[dict]:
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
    ordered = sorted(devices.items(), key=lambda kv: kv[1].get("position", 0) if isinstance(
        kv[1].get("position", 0), (int, float)) else 0)
    layout = _text.scan_layout(content, name)
    columns = _text.parse_columns(content, name, layout)
    _, columns, _ = drop_padding_columns([""] * len(columns), columns)
    total = sum(len(_as_list(h.get("column"))) for _, h in ordered)
    if len(columns) != total:
        raise ReadError(name, f"the rows hold {len(columns)} columns but the header lists {total}",
                        "export again; the file may be cut")
    out, offset = [], 0
    for mac, h in ordered:
        cols = [str(c) for c in _as_list(h.get("column"))]
        labels = [str(x) for x in _as_list(h.get("label"))]
        idx = [offset + cols.index(lab) for lab in labels if lab in cols]
        if len(idx) != len(labels) or not idx:
            raise ReadError(name, f"the header labels {labels} of device {mac} are not among its columns {cols}",
                            "export again")
        sensors = _as_list(h.get("sensor"))
        sensors = sensors if len(sensors) == len(labels) else [""] * len(labels)
        res = _as_list(h.get("resolution"))
        bits = [int(res[cols.index(lab)]) for lab in labels] if len(res) == len(cols) else []
        out.append(_device(mac, h, labels, [(columns[i], layout, labels[k]) for k, i in enumerate(idx)],
                           sensors, bits))
        offset += len(cols)
    return out


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


def _devices_h5(content: bytes, name: str) -> list[dict]:
    import h5py

    try:
        f = h5py.File(io.BytesIO(content), "r")
    except OSError as exc:
        raise ReadError(name, f"the HDF5 file cannot be opened ({exc})", "check the file is complete") from None
    out = []
    with f:
        for mac in f.keys():
            g = f[mac]
            if not (isinstance(g, h5py.Group) and "raw" in g):
                continue
            h = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in g.attrs.items()}
            raw = g["raw"]
            chans = sorted((k for k in raw.keys() if k.startswith("channel_") and k[8:].isdigit()),
                           key=lambda k: int(k[8:]))
            if not chans:
                raise ReadError(name, f"device {mac} has no raw/channel_N datasets", "export again")
            if len(chans) > max_channels():
                check_size(name, len(chans), 1)
            for c in chans:  # declared shapes first: an unwritten dataset reads as gigabytes of fill values
                check_h5_dataset(name, f"dataset {mac}/raw/{c}", raw[c])
            check_size(name, len(chans), max(int(np.prod(raw[c].shape)) for c in chans))
            arrays = []
            for c in chans:
                arr = np.empty(int(np.prod(raw[c].shape)), dtype=np.float64)
                _read_into(raw[c], arr)
                if not np.isfinite(arr).all():
                    raise ReadError(name, f"dataset {mac}/raw/{c} holds NaN or infinite values", "export again")
                arrays.append(arr)
            labels = [str(x) for x in _as_list(h.get("label"))]
            if len(labels) != len(chans):
                labels = [f"CH{c[8:]}" for c in chans]
            sensors = _as_list(h.get("sensor"))
            sensors = sensors if len(sensors) == len(chans) else [""] * len(chans)
            res = _as_list(h.get("resolution"))
            bits = [int(b) for b in res if int(b) > 1] if res else []
            out.append(_device(mac, h, labels, arrays, sensors, bits))
    if not out:
        raise ReadError(name, "this HDF5 file holds no OpenSignals device group (<MAC>/raw/channel_N)",
                        "emgviz reads HDF5 only as OpenSignals exports; export as EDF or CSV otherwise")
    return out


def _pick_devices(name: str, devices: list[dict], device: str | None) -> list[dict]:
    if device is None:
        return devices
    for d in devices:
        if device in (d["mac"], str(d["header"].get("device name", "")), d["mac"][-5:]):
            return [d]
    raise NeedsChoice(name, f"no device {device!r} in this OpenSignals file", "device", [d["mac"] for d in devices])


def _assemble(name: str, devices: list[dict], *, fs, device, group) -> Recording:
    all_devices = devices
    chosen_devices = _pick_devices(name, devices, device)
    for d in all_devices:
        d["fs"] = _rate(name, d["mac"], d["header"], fs)
        d["kinds"] = [_kind(s, lab) for s, lab in zip(d["sensors"], d["labels"])]
    several = len(all_devices) > 1
    groups: dict[str, list[dict]] = {}
    for d in chosen_devices:
        groups.setdefault(group_key(d["fs"]), []).append(d)
    if group is not None:
        key = match_group(groups, group)
        if key is None:
            raise NeedsChoice(name, f"there is no rate group {group!r}", "group", list(groups))
    else:
        key = max(groups, key=lambda k: (sum(kd == "emg" for d in groups[k] for kd in d["kinds"]),
                                         sum(len(d["labels"]) for d in groups[k]), float(k.split()[0])))
    members = groups[key]
    names, kinds, sensors, bits, arrays = [], [], [], [], []
    for d in members:
        prefix = f"{d['mac'][-5:]} " if several else ""
        names += [prefix + n for n in d["names"]]
        kinds += d["kinds"]
        sensors += [str(s) for s in d["sensors"]]
        bits += d["bits"]
        arrays += d["arrays"]
    lengths = [len(a[0]) if isinstance(a, tuple) else len(a) for a in arrays]
    n = min(lengths)
    notes = []
    if n != max(lengths):
        notes.append(f"the devices of the {key} group hold {min(lengths):,} to {max(lengths):,} samples; all were "
                     f"cut to the common {n:,}")
    check_size(name, len(arrays), n)
    data = np.empty((len(arrays), n), dtype=np.float64)
    for r, a in enumerate(arrays):
        if isinstance(a, tuple):  # a TXT column: copied once, checked for gaps
            col, layout, label = a
            data[r] = _text.columns_to_array(name, [_text.head(col, n)], [label], layout)[0]
        else:
            data[r] = a[:n]
    unknown = sum(not str(x).strip() for x in sensors)
    if unknown:
        which = "any channel" if unknown == len(sensors) else f"{unknown} of {len(sensors)} channels"
        notes.append(f"the header states no sensor type for {which}; they are taken as EMG")
    first = members[0]
    meta = {"format": FORMAT, "device": first["mac"], "device_type": first["type"],
            "devices": {d["mac"]: list(d["names"]) for d in all_devices},
            "groups": {k: [f"{d['mac'][-5:]} {x}" if several else x for d in ds for x in d["names"]]
                       for k, ds in groups.items()},
            "group": key, "sensors": sensors, "adc_resolution_bits": int(max(bits)) if bits else None,
            "unit_note": "raw ADC counts as recorded (a.u.); meta['transfer_function'] gives the PLUX "
                         "conversion to mV, which emgviz does not apply by itself"}
    if len(members) > 1:
        meta["group_devices"] = [d["mac"] for d in members]
    if len(groups) > 1:
        meta["group_note"] = (f"the devices record at {len(groups)} rates; {key} is shown, the others are read "
                              "with group=... (never resampled)")
    file_fs = float(first["header"].get("sampling rate", 0) or 0) if not isinstance(
        first["header"].get("sampling rate"), (bool, str)) else 0.0
    if fs is not None and file_fs and abs(fs - file_fs) > 1e-9:
        meta["warnings"] = [f"fs={fs:g} Hz given by the caller overrides {file_fs:g} Hz from the header"]
    if "emg" in kinds and bits:
        meta["transfer_function"] = transfer_function(meta["device_type"], int(max(bits)))
    return make_recording(data, fs=first["fs"], ch_names=unique_names(names), unit="a.u.", source=name,
                          meta=meta, ch_units=["a.u."] * len(names), ch_kinds=kinds, notes=notes)
