"""EDF, EDF+, BDF and BDF+ files, read with ``edfio``: physical units to volts, rate groups, annotations."""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np

from .._threads import thread_map, workers
from ..errors import NeedsChoice, ReadError
from ..recording import Recording
from ._build import make_recording
from . import limits, units
from ._groups import group_key, match_group
from ._names import unique_names

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "group_key"]

FORMAT = "EDF/BDF"
SUFFIXES = (".edf", ".bdf", ".rec")

_EDF_MAGIC = b"0       "
_BDF_MAGIC = b"\xffBIOSEMI"


def sniff(head: bytes, name: str) -> bool:
    """True for an EDF (``"0       "``) or BDF (``b"\\xffBIOSEMI"``) version field at byte 0."""
    return head[:8] in (_EDF_MAGIC, _BDF_MAGIC)


def _open(content: bytes, name: str, is_bdf: bool):
    """The edfio object, with edfio's warnings about short or lying files turned into ReadError."""
    import edfio

    kind = "BDF" if is_bdf else "EDF"
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # EDF: lazy, so the samples stay one view of the bytes until _channel scales them
            edf = edfio.read_bdf(content) if is_bdf else edfio.read_edf(content, lazy_load_data=True)
    except Exception as exc:
        raise ReadError(name, f"edfio cannot parse the {kind} header ({type(exc).__name__}: {exc})",
                        f"check that the file is a complete {kind} file") from exc
    messages = [str(w.message) for w in caught]
    declared = _declared_records(content)
    for msg in messages:
        if "Incomplete data record" in msg:
            raise ReadError(name, f"the file ends inside a data record ({len(content):,} bytes; the last "
                            f"record is cut off)", f"upload the complete {kind} file; the copy or export "
                            "was truncated")
        if "header indicates" in msg and declared != -1:
            raise ReadError(name, f"the header declares {declared} data records but the file holds "
                            f"{edf.num_data_records} ({len(content):,} bytes)",
                            f"upload the complete {kind} file, or repair the record count in its header")
    if edf.num_data_records < 1:
        raise ReadError(name, "the file holds no data records (header only)",
                        f"upload a {kind} file with samples")
    return edf


def _declared_records(content: bytes) -> int:
    """The header's record count field (bytes 236–244); -1 means 'unknown' in the EDF spec."""
    try:
        return int(content[236:244].decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return -2


def _decode(raw: bytes) -> str:
    """Header text as written: UTF-8 when it is valid UTF-8, else Latin-1 (never replacement marks)."""
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return raw.decode("latin-1").strip()


def _header_texts(content: bytes, n_signals: int) -> tuple[list[str], list[str], list[str]] | None:
    """Labels, transducer types and physical dimensions of the ordinary signals, decoded from the bytes.

    edfio decodes these fields as ASCII and turns "Bíceps" into "B��ceps" and "µV" into "�V" (so
    the samples would not be scaled). The EDF+ annotation signals are left out, as edfio does.
    None when the header does not parse (edfio's own values are used then).
    """
    try:
        ns = int(content[252:256].decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None
    if ns < 1 or len(content) < 256 + 256 * ns:
        return None
    labels = [_decode(content[256 + 16 * i:256 + 16 * (i + 1)]) for i in range(ns)]
    trans = [_decode(content[256 + 16 * ns + 80 * i:256 + 16 * ns + 80 * (i + 1)]) for i in range(ns)]
    dims = [_decode(content[256 + 96 * ns + 8 * i:256 + 96 * ns + 8 * (i + 1)]) for i in range(ns)]
    keep = [i for i in range(ns) if labels[i] not in ("EDF Annotations", "BDF Annotations")]
    if len(keep) != n_signals:
        return None
    return [labels[i] for i in keep], [trans[i] for i in keep], [dims[i] for i in keep]


def _digital_view(sig) -> np.ndarray:
    """The signal's digital samples as (n_records, samples_per_record), without a copy when edfio loads lazily.

    Falls back to edfio's public ``digital`` (a flat copy) if its lazy loader ever changes.
    """
    loader = getattr(sig, "_lazy_loader", None)
    buffer = getattr(loader, "buffer", None)
    if isinstance(buffer, np.ndarray) and buffer.ndim == 2:
        view = buffer[:, loader.start_sample:loader.end_sample]
        if view.shape[1] == sig.samples_per_data_record:
            return view
    return sig.digital.reshape(-1, sig.samples_per_data_record)


#: Data records decoded per step: about 64k samples, so the scaled block is still in cache for the offset.
_BLOCK_SAMPLES = 1 << 16


def _scaling(sig, dimension: str) -> tuple[float, float, str]:
    """(scale, offset·scale, unit) of one edfio signal: physical = digital·scale + offset·scale.

    physical = (digital + offset) · gain is edfio's formula, with gain = (pmax − pmin) / (dmax − dmin)
    and offset = pmax / gain − dmax; ``scale`` is gain times the volts factor of ``dimension`` (the
    physical dimension as decoded from the header bytes). The digital range and physical range
    must not be empty (checked by :func:`read`).
    """
    factor, unit = units.volts_scale(dimension)
    pmin, pmax = sig.physical_min, sig.physical_max
    dmin, dmax = sig.digital_min, sig.digital_max
    gain = (pmax - pmin) / (dmax - dmin)
    scale = gain * factor
    offset = pmax / gain - dmax
    return scale, offset * scale, unit


def _scale_into(digital: np.ndarray, out: np.ndarray, scale: float, shift: float) -> None:
    """``out[:] = float64(digital) · scale``, then ``out += shift`` (when not 0), block by block of records.

    ``digital`` is (n_records, samples_per_record), any strides (a view of the file's records);
    ``out`` the matching C-contiguous float64 rows. Each block is converted, scaled and shifted
    while it is in cache: one pass over the output from memory, no temporary, and the same two
    roundings as scaling the whole row and then shifting it (bit-identical to that).
    """
    per_block = max(1, _BLOCK_SAMPLES // max(1, digital.shape[1]))
    for r0 in range(0, digital.shape[0], per_block):
        block = out[r0:r0 + per_block]
        block[...] = digital[r0:r0 + per_block]   # exact: every int16 and int32 is a float64
        block *= scale
        if shift:
            block += shift


def _channel(sig, out: np.ndarray, dimension: str) -> tuple[str, float]:
    """Write one edfio signal's physical samples (volts for voltages) into ``out``.

    Returns its unit and its resolution (one digital step, in that unit). The digital range
    and physical ranges must not be empty (checked by :func:`read`). ``dimension`` is the
    physical dimension as decoded from the header bytes.
    """
    scale, shift, unit = _scaling(sig, dimension)
    spr = sig.samples_per_data_record
    _scale_into(_digital_view(sig), out.reshape(-1, spr), scale, shift)
    return unit, abs(scale)


def _decode_rows(signals, rows, dims, data: np.ndarray) -> list[tuple[str, float]]:
    """Decode ``signals[rows[k]]`` into ``data[k]``: channels on two threads when a core is free.

    NumPy's conversion, multiply and add release the GIL, so two channels decode at once; each thread writes
    rows of its own. Returns (unit, resolution) per row.
    """
    n_workers = workers(len(rows), data.size)
    return thread_map(lambda k: _channel(signals[rows[k]], data[k], dims[rows[k]]), range(len(rows)), n_workers)


def _kind(label: str, transducer: str, unit: str) -> str:
    """A signal's kind: its label first, then its transducer type ("EMG electrode"), then its unit."""
    kind = units.guess_kind(label, None)
    if kind == "other" and transducer.strip():
        kind = units.guess_kind(transducer, None)
        if kind == "other" and "electrode" in transducer.lower() and units.is_voltage(unit):
            kind = "other"  # a surface electrode says nothing about EMG vs EEG: let the unit decide below
    if kind == "other":
        kind = units.guess_kind(label, unit or None)
    return kind


def _choose_group(name, groups: dict[str, list[int]], kinds: list[str], group, channels, labels):
    """Indices of the signals to read, and the group they come from."""
    if channels is not None:
        if isinstance(channels, str):
            channels = [channels]
        missing = [c for c in channels if c not in labels]
        if missing:
            raise ReadError(name, f"no channel(s) {missing} in the file; channels are {labels}",
                            "pass names exactly as listed")
        idx = [labels.index(c) for c in channels]
        in_groups = {g for g, members in groups.items() for i in idx if i in members}
        if len(in_groups) > 1:
            raise ReadError(name, f"the chosen channels have different sampling rates ({', '.join(sorted(in_groups))})",
                            "choose channels of one rate (emgviz never resamples), or use group=...")
        return idx, in_groups.pop()
    if group is not None:
        key = match_group(groups, group)
        if key is None:
            raise NeedsChoice(name, f"there is no rate group {group!r}", "group", list(groups))
        return groups[key], key

    def score(item):
        key, members = item
        n_emg = sum(kinds[i] == "emg" for i in members)
        return (n_emg, len(members), float(key.split()[0]))

    key = max(groups.items(), key=score)[0]
    return groups[key], key


def read(content: bytes, name: str, *, fs: float | None = None, group: str | float | None = None,
         channels: Sequence[str] | None = None) -> Recording:
    """Read an EDF/EDF+/BDF/BDF+ file.

    Parameters
    ----------
    content : bytes
        The whole file.
    name : str
        Its name, for messages.
    fs : float, optional
        Ignored: EDF states the rate of every signal.
    group : str or float, optional
        The rate group to read when signals have different rates, e.g. ``"100 Hz"``
        (see ``meta["groups"]``). Default: the group with the most EMG channels, then
        the most channels. Signals are never resampled.
    channels : list of str, optional
        Read exactly these signals (all must share one rate).

    Returns
    -------
    Recording
        Voltages (uV, mV, V in any case) in volts; other physical dimensions kept per
        channel in ``ch_units``; kinds from the label and unit. EDF+/BDF+ annotations
        become events (onset s, duration s, text). ``meta`` holds ``variant``
        (``"EDF"``, ``"EDF+C"``, ``"BDF+D"``...), ``start`` (ISO date-time when not
        anonymised), ``groups`` ({"2000 Hz": [names], ...}), ``group`` (the one read),
        ``resolution`` (one digital step per channel, in the channel's unit).

    Raises
    ------
    ReadError
        Header not parseable, file truncated, record count in the header not matching
        the file, unknown channels, channels of several rates.
    NeedsChoice
        ``group=`` names no group of the file (``candidates`` lists them).
    """
    is_bdf = content[:8] == _BDF_MAGIC
    edf = _open(content, name, is_bdf)
    signals = list(edf.signals)
    if not signals:
        raise ReadError(name, "the file holds only annotations, no signals", "upload a file with signal channels")
    texts = _header_texts(content, len(signals))
    if texts is None:
        texts = ([s.label for s in signals], [s.transducer_type for s in signals],
                 [s.physical_dimension.strip() for s in signals])
    raw_labels, transducers, raw_units = texts
    labels = unique_names(raw_labels, blank="signal {}")
    kinds = [_kind(lab, tr, u) for lab, tr, u in zip(labels, transducers, raw_units)]
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(signals):
        groups.setdefault(group_key(s.sampling_frequency), []).append(i)
    idx, key = _choose_group(name, groups, kinds, group, channels, labels)
    n_samples = int(edf.num_data_records) * int(signals[idx[0]].samples_per_data_record)
    limits.check_size(name, len(idx), n_samples)
    for i in idx:
        s = signals[i]
        for what, lo, hi in (("digital", s.digital_min, s.digital_max), ("physical", s.physical_min, s.physical_max)):
            if lo == hi:
                raise ReadError(name, f"signal {labels[i]!r} has {what} minimum = {what} maximum ({lo:g}), "
                                      "so its samples cannot be scaled to physical values",
                                f"repair the {what} range in the header (or export the file again)")
    data = np.empty((len(idx), n_samples), dtype=np.float64)
    decoded = _decode_rows(signals, idx, raw_units, data)
    ch_units = [unit for unit, _ in decoded]
    resolution = [step for _, step in decoded]
    ch_kinds = [units.guess_kind(labels[i], u) if kinds[i] == "other" else kinds[i] for i, u in zip(idx, ch_units)]
    unit = units.record_unit(ch_units, ch_kinds)
    events = [(float(a.onset), float(a.duration or 0.0), a.text) for a in edf.annotations if a.text.strip()]
    meta = _meta(edf, is_bdf, groups, labels, key, resolution)
    return make_recording(data, fs=float(signals[idx[0]].sampling_frequency),
                              ch_names=tuple(labels[i] for i in idx), unit=unit, source=name, meta=meta,
                              events=events or None, ch_units=tuple(ch_units), ch_kinds=tuple(ch_kinds))


def _meta(edf, is_bdf, groups, labels, key, resolution) -> dict:
    reserved = (edf.reserved or "").strip()
    base = "BDF" if is_bdf else "EDF"
    variant = base + reserved[len("EDF"):] if reserved.startswith(("EDF+", "BDF+")) else base
    meta = {"format": FORMAT, "variant": variant,
            "groups": {g: [labels[i] for i in members] for g, members in groups.items()},
            "group": key, "resolution": resolution, "data_record_duration_s": float(edf.data_record_duration),
            "n_data_records": int(edf.num_data_records)}
    try:
        meta["start"] = edf.startdatetime.isoformat()
    except Exception:  # anonymised dates ("X" or 01.01.85) have no datetime
        try:
            meta["start_time"] = edf.starttime.isoformat()
        except Exception:
            pass
    for field in ("local_patient_identification", "local_recording_identification"):
        try:
            text = str(getattr(edf, field)).strip()
        except Exception:
            continue
        if text and text not in ("X", "X X X X", "Startdate X X X X"):
            meta[field.replace("local_", "")] = text
    if variant.endswith("+D"):
        meta["note"] = "EDF+D (discontinuous): the data records are joined without gaps"
    return meta
