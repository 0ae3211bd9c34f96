"""WFDB records (PhysioNet): a ``.hea`` header plus its ``.dat`` signal file(s), read with ``wfdb``."""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from pathlib import PurePath
from typing import Mapping

import numpy as np

from ..errors import NeedsSamplingRate, ReadError
from ..recording import Recording
from ._build import check_rate, make_recording
from . import limits, units
from ._names import unique_names
from .wfdb_comments import parse_wfdb_comments

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "read_record", "header_files", "match_files",
           "ANNOTATION_SUFFIXES"]

FORMAT = "WFDB"
SUFFIXES = (".hea",)

#: Annotation file suffixes read as events when uploaded with the record (WFDB conventions).
ANNOTATION_SUFFIXES = (".atr", ".ann", ".qrs", ".ecg", ".event", ".trigger")

_RECORD = "record"  # the safe name the header is written under in the temporary folder
_QUICK = re.compile(rb"^(?:\s*#[^\n]*\n)*\s*[\w\-]+(?:/\d+)?[ \t]+\d+[^\n]*\r?\n(?:\s*#[^\n]*\n)*\s*[\w\-.+~]+\.[A-Za-z]\w*[ \t]+\d")
_SIGNAL_FILE = re.compile(r"^[\w.\-+~]+\.[A-Za-z][\w]*$")


def _header_parts(text: str):
    """(record fields, signal fields, comments) of a header, parsed by wfdb's own parser."""
    from wfdb.io import _header, header

    _count_signal_lines(text)
    lines, comments = header.parse_header_content(text)
    if not lines:
        raise ValueError("the header has no record line")
    record = _header._parse_record_line(lines[0])
    signals = _header._parse_signal_lines(lines[1:]) if len(lines) > 1 else None
    return lines, record, signals, [c.strip(" \t#") for c in comments]


def _count_signal_lines(text: str) -> None:
    """Refuse a header with more signal lines than the channel limit, before wfdb parses them.

    wfdb's parser takes minutes on 100,000 signal lines (its time grows faster than
    linearly); counting lines takes milliseconds.
    """
    limit = limits.max_channels()
    n = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            n += 1
            if n > limit + 1:
                break
    if n > limit + 1:
        raise ReadError("the WFDB header", f"it holds more than {limit:,} signal lines, above the channel "
                                           f"limit of {limit:,}", "split the record or raise EMGVIZ_MAX_CHANNELS")


def header_files(header: bytes) -> tuple[str | None, list[str]]:
    """The record name and the signal files (in order, without repeats or ``"~"``) a ``.hea`` names.

    ``(None, [])`` when the header cannot be parsed (:func:`read_record` then says why).
    """
    try:
        _, record, signals, _ = _header_parts(header.decode("ascii"))
    except Exception:  # not a header wfdb can parse
        return None, []
    needed = list(dict.fromkeys(signals["file_name"])) if signals else []
    return record.get("record_name"), [f for f in needed if f and f != "~"]


def _is_annotation(name: str) -> bool:
    return PurePath(name).suffix.lower() in ANNOTATION_SUFFIXES


def match_files(needed: list[str], uploaded, *, record: str | None = None) -> tuple[dict[str, str], list[str]]:
    """Which uploaded files belong to a record: its signal files, and its annotation files.

    Parameters
    ----------
    needed : list of str
        The signal files the header names (see :func:`header_files`).
    uploaded : iterable of str
        The names of the files at hand.
    record : str or sequence of str, optional
        The record's name(s) (record line, ``.hea`` stem): annotation files with such a
        stem (``rec.atr``, ``rec.qrs``, ...) belong to it. ``None``: every annotation file.

    Returns
    -------
    signal_files : dict
        Signal file the header names -> uploaded name (same name first, then same name in
        another letter case). Files not found are left out.
    annotations : list of str
        The uploaded annotation files of the record (:data:`ANNOTATION_SUFFIXES`).
    """
    uploaded = list(uploaded)
    by_base = {}
    for n in uploaded:
        by_base.setdefault(PurePath(n).name, n)
    lower = {}
    for base, n in by_base.items():
        lower.setdefault(base.lower(), n)
    out: dict[str, str] = {}
    for want in needed:
        base = PurePath(want).name
        hit = by_base.get(base) or lower.get(base.lower())
        if hit is not None:
            out[want] = hit
    stems = None if record is None else {r.lower() for r in ([record] if isinstance(record, str) else record) if r}
    annotations = [n for n in uploaded if _is_annotation(n) and n not in out.values()
                   and (stems is None or PurePath(n).stem.lower() in stems)]
    return out, annotations


def sniff(head: bytes, name: str) -> bool:
    """True when ``head`` starts with a WFDB record line followed by a signal line naming a file."""
    if not head or head[:1] in (b"\x00", b"\xff") or b"\x00" in head[:4096]:
        return False
    if not _QUICK.match(head[:4096]):  # cheap check first: wfdb is slow to import
        return False
    try:
        text = head[:4096].decode("ascii")
        lines, record, signals, _ = _header_parts(text.rsplit("\n", 1)[0] if len(head) > 4096 else text)
    except Exception:  # anything wfdb cannot parse is simply not a WFDB header
        return False
    if record.get("n_seg") is not None or not record.get("n_sig") or signals is None:
        return False
    first_file = signals["file_name"][0]
    return bool(first_file and _SIGNAL_FILE.match(first_file))


def read(content: bytes, name: str, *, fs: float | None = None, **options) -> Recording:
    """A lone ``.hea`` cannot be read: its samples live in the ``.dat`` file(s) it names."""
    try:
        _, _, signals, _ = _header_parts(content.decode("ascii", errors="replace"))
        needed = sorted(set(signals["file_name"])) if signals else []
    except Exception:
        needed = []
    listing = f" ({', '.join(needed)})" if needed else ""
    raise ReadError(name, f"a WFDB header holds no samples; they are in the signal file{listing} it names",
                    "upload the .hea and .dat together, or a zip holding both")


def _match_files(header_name: str, needed: list[str], dat_files: Mapping[str, bytes]) -> dict[str, str]:
    """Map each signal file the header names to one uploaded file name (see :func:`match_files`).

    One file needed and one other (non-annotation) file uploaded: that file is used.
    """
    out, _ = match_files(needed, dat_files)
    missing = [want for want in needed if want not in out]
    if missing:
        spare = [n for n in dat_files if n not in out.values()
                 and PurePath(n).suffix.lower() not in ANNOTATION_SUFFIXES + (".hea",)]
        if len(missing) == 1 and len(spare) == 1:
            out[missing[0]] = spare[0]  # one file needed, one uploaded under another name
        else:
            have = ", ".join(sorted(dat_files)) or "none"
            raise ReadError(header_name, f"the header names the signal file(s) {', '.join(missing)} but the "
                            f"upload holds {have}",
                            "upload the .dat file(s) the header names (same names), or a zip of the record")
    return out


def _rewrite_header(lines: list[str], files: dict[str, str]) -> str:
    """The header with the record named ``record`` and the signal files under safe fixed names."""
    record_line = lines[0].split(maxsplit=1)
    out = [" ".join([_RECORD] + record_line[1:])]
    for line in lines[1:]:
        parts = line.split(maxsplit=1)
        out.append(" ".join([files[parts[0]]] + parts[1:]))
    return "\n".join(out) + "\n"


def read_record(header_bytes: bytes, header_name: str, dat_files: Mapping[str, bytes], *,
                fs: float | None = None) -> Recording:
    """Read a WFDB record from the bytes of its header and signal files.

    Parameters
    ----------
    header_bytes : bytes
        The ``.hea`` file.
    header_name : str
        Its name, for messages and :attr:`Recording.source`.
    dat_files : dict of str to bytes
        The uploaded signal files by name. The header decides which file holds which
        signal; uploads are matched by name (case-insensitive), or a single upload is
        used for a single named file. Annotation files (``.atr``, ``.ann``, ``.qrs``,
        ...) become events.
    fs : float, optional
        Sampling rate in Hz, used only when the header states none.

    Returns
    -------
    Recording
        Physical values; voltages (uV, mV, V) in volts with ``ch_units`` ``"V"``, other
        units kept per channel. ``ch_names`` are the header's signal names.

    Raises
    ------
    ReadError
        Unparseable header, missing or short ``.dat``, multi-segment records.
    NeedsSamplingRate
        The header states no sampling rate and ``fs`` was not given.
    """
    try:
        text = header_bytes.decode("ascii")
    except UnicodeDecodeError:
        raise ReadError(header_name, "the header is not ASCII text, so it is not a WFDB .hea file",
                        "upload the record's .hea text file") from None
    try:
        lines, record, signals, comments = _header_parts(text)
    except ReadError as exc:
        raise ReadError(header_name, exc.problem, exc.fix) from None
    except Exception as exc:
        raise ReadError(header_name, f"wfdb cannot parse the header ({exc})",
                        "check that this is a WFDB .hea file (first line: record n_signals fs n_samples)") from exc
    if record.get("n_seg") is not None:
        raise ReadError(header_name, f"this is a multi-segment record ({record['n_seg']} segments), which "
                        "emgviz does not read", "convert it to a single-segment record with wfdb first")
    n_sig = int(record.get("n_sig") or 0)
    n_lines = len(lines) - 1
    if n_sig < 1 or signals is None:
        raise ReadError(header_name, "the header declares no signals", "upload a record with at least one signal")
    if n_lines != n_sig:
        raise ReadError(header_name, f"the record line declares {n_sig} signals but {n_lines} signal "
                        "lines follow", "repair the header so both agree")
    header_fs = record.get("fs")
    if not re.match(r"^\S+\s+\d+\s+[0-9.]", lines[0]):
        header_fs = None  # wfdb fills in its default of 250 Hz; we never assume a rate
    if header_fs is not None and fs is None:
        _check_stated_rate(lines[0], header_fs, header_name)
    if header_fs is None:
        if fs is None:
            raise NeedsSamplingRate(header_name, "the WFDB header states no sampling rate",
                                    "pass the sampling rate in Hz, e.g. fs=1000")
        lines[0] = " ".join(lines[0].split()[:2] + [f"{float(fs):.12g}"])
    sig_len = record.get("sig_len")
    if sig_len:
        limits.check_size(header_name, n_sig, int(sig_len))
    needed = list(dict.fromkeys(signals["file_name"]))
    if "~" in needed:
        raise ReadError(header_name, "the header names no signal file ('~') for some signals",
                        "upload a record whose signals are stored in .dat files")
    files = _match_files(header_name, needed, dat_files)
    safe = {want: f"signal{k}.dat" for k, want in enumerate(needed)}
    annotations = [n for n in dat_files if _is_annotation(n) and n not in files.values()]
    import wfdb

    with tempfile.TemporaryDirectory(prefix="emgviz-wfdb-") as tmp:
        with open(os.path.join(tmp, _RECORD + ".hea"), "w", encoding="ascii") as fh:
            fh.write(_rewrite_header(lines, safe))
        for want, upload in files.items():
            with open(os.path.join(tmp, safe[want]), "wb") as fh:
                fh.write(dat_files[upload])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rec = wfdb.rdrecord(os.path.join(tmp, _RECORD), physical=True)
        except Exception as exc:
            sizes = ", ".join(f"{u} holds {len(dat_files[u]):,} bytes" for u in files.values())
            raise ReadError(header_name, f"wfdb cannot read the samples ({type(exc).__name__}: {exc}); {sizes}, "
                            f"the header declares {sig_len or 'an unstated number of'} samples × {n_sig} "
                            f"signal(s) in format {'/'.join(dict.fromkeys(map(str, signals['fmt'])))}",
                            "upload the complete .dat file that belongs to this header "
                            "(it may be truncated, or the header may list the wrong length)") from exc
        events, ann_meta = _read_annotations(tmp, rec.fs, annotations, dat_files)
    rec.record_name = record["record_name"]
    return _to_recording(rec, header_name, sig_len, files, comments, events, ann_meta)


def _check_stated_rate(record_line: str, parsed_fs, header_name: str) -> None:
    """The rate as written on the record line, checked (wfdb reads "1e300" as 1 Hz without a word)."""
    tokens = record_line.split()
    text = re.split(r"[/(]", tokens[2])[0] if len(tokens) >= 3 else ""
    try:
        stated = float(text)
    except ValueError:
        raise ReadError(header_name, f"the record line states the sampling rate as {text!r}, not a number of Hz",
                        "repair the header, or pass fs= (Hz)") from None
    check_rate(stated, header_name, "the header's record line")
    if abs(stated - float(parsed_fs)) > 1e-9 * stated:
        raise ReadError(header_name, f"the record line states {text!r} Hz but wfdb reads {parsed_fs!r} Hz",
                        "write the rate as a plain number in the header")


#: A voltage channel whose gain is this many times the record's median gain is an unconnected input.
_GAIN_OUTLIER = 10.0


def _unconnected(names, gains, ch_units, ch_kinds) -> list[int]:
    """Voltage channels not labelled EMG whose gain is far above the others' (e.g. GRABMyo's U1–U4).

    An unused input has no electrode behind it, so the calibration gives it a gain one to two
    orders of magnitude above the connected channels' (GRABMyo: 1.7e6/mV against 2e4–2e5/mV).
    """
    volts = [i for i, u in enumerate(ch_units) if u == "V" and gains[i] > 0]
    if len(volts) < 4:
        return []
    median = float(np.median([gains[i] for i in volts]))
    return [i for i in volts if gains[i] > _GAIN_OUTLIER * median and ch_kinds[i] == "emg"
            and units.guess_kind(names[i], None) != "emg"]


def _read_annotations(tmp: str, fs: float, names: list[str], dat_files: Mapping[str, bytes]):
    """Events from uploaded annotation files (sample → s, label = aux note or symbol)."""
    import wfdb

    events: list[tuple[float, float, str]] = []
    skipped = []
    for k, name in enumerate(names):
        ext = f"ann{k}"
        with open(os.path.join(tmp, f"{_RECORD}.{ext}"), "wb") as fh:
            fh.write(dat_files[name])
        try:
            ann = wfdb.rdann(os.path.join(tmp, _RECORD), ext)
        except Exception as exc:  # an unreadable annotation file must not lose the signals
            skipped.append(f"{name}: {exc}")
            continue
        ann_fs = float(ann.fs or fs)
        notes = ann.aux_note or [""] * len(ann.sample)
        for sample, symbol, note in zip(ann.sample, ann.symbol, notes):
            label = (note or "").strip("\x00 ") or symbol
            events.append((float(sample) / ann_fs, 0.0, label))
    return events, ({"annotations_skipped": skipped} if skipped else {})


def _to_recording(rec, header_name, sig_len, files, comments, events, ann_meta) -> Recording:
    signal = rec.p_signal
    if signal is None or signal.ndim != 2 or signal.shape[0] == 0:
        raise ReadError(header_name, "the signal file holds no samples",
                        f"check that {', '.join(files.values())} is the complete .dat file")
    if sig_len and signal.shape[0] != int(sig_len):
        raise ReadError(header_name, f"the header says {int(sig_len)} samples per signal but the signal file "
                        f"holds {signal.shape[0]}", "upload the complete .dat file (it may be truncated)")
    data = np.array(signal.T, dtype=np.float64, order="C")
    invalid = ~np.isfinite(data)
    n_invalid = int(invalid.sum())
    if n_invalid == data.size:
        raise ReadError(header_name, f"every sample of the record ({n_invalid:,} in {data.shape[0]} signal(s)) "
                                     "is marked invalid (the WFDB 'no value' code)",
                        "check the .dat file belongs to this header and was written completely")
    if n_invalid:
        data[invalid] = 0.0  # WFDB marks invalid samples; Recording holds finite values only
    names = unique_names(rec.sig_name, blank="signal {}")
    ch_units = units.scale_to_volts(data, rec.units or [""] * len(names))
    ch_kinds = [units.guess_kind(label, u) for label, u in zip(names, ch_units)]
    unconnected = _unconnected(names, list(map(float, rec.adc_gain)), ch_units, ch_kinds)
    for i in unconnected:
        ch_kinds[i] = "other"
    unit = units.record_unit(ch_units, ch_kinds)
    meta = {"format": FORMAT, "record_name": rec.record_name, "files": dict(files),
            "adc_gain": list(map(float, rec.adc_gain)), "baseline": list(map(int, rec.baseline)),
            "units_in_file": list(rec.units or []), "fmt": list(rec.fmt or [])}
    if comments:
        meta["comments"] = comments
        meta.update(parse_wfdb_comments(comments))  # age, sex, diagnosis, muscle, electrode, task
    if rec.base_datetime is not None:
        meta["start"] = rec.base_datetime.isoformat()
    elif rec.base_time is not None:
        meta["start_time"] = rec.base_time.isoformat()
    if unconnected:
        meta["unconnected_channels"] = [names[i] for i in unconnected]
        meta.setdefault("warnings", []).append(
            f"{len(unconnected)} channel(s) ({', '.join(names[i] for i in unconnected[:8])}) have an ADC gain over "
            f"{_GAIN_OUTLIER:g}× the median of this record, as unconnected inputs do; they are not taken for EMG")
    if n_invalid:
        meta["invalid_samples"] = n_invalid
        meta["note"] = f"{n_invalid} samples marked invalid in the file were set to 0"
    meta.update(ann_meta)
    return make_recording(data, fs=float(rec.fs), ch_names=tuple(names), unit=unit, source=header_name,
                              meta=meta, events=events or None, ch_units=tuple(ch_units),
                              ch_kinds=tuple(ch_kinds))


