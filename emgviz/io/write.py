"""Write a Recording to CSV, EDF/EDF+, BDF/BDF+ or NPZ (the formats emgviz reads back).

EDF or BDF
----------
EDF stores 16-bit samples: one digital step is ``(physical_max - physical_min) / 65535``
with the physical range taken from each channel's data. Its quantisation noise has an RMS
of ``step / sqrt(12)``. When that noise is more than 1/1000 of a channel's (robust) RMS
(a signal-to-quantisation ratio under 60 dB, e.g. a small EMG beside a large artefact
that sets the range), 16 bits cannot hold the dynamic range at the signal's resolution and
BDF (24-bit, a 256× finer step) is written instead. See :func:`needs_24_bits`.
"""

from __future__ import annotations

import datetime
import io
import math
import os
import warnings
from pathlib import Path

import numpy as np

from ..recording import Recording

__all__ = ["write_file", "needs_24_bits", "FORMATS", "SQNR_MIN_RATIO"]

#: Formats :func:`write_file` writes, by suffix.
FORMATS = {".csv": "csv", ".edf": "edf", ".bdf": "bdf", ".npz": "npz"}
#: Largest allowed ratio of EDF quantisation-noise RMS to a channel's RMS (60 dB) before BDF is used.
SQNR_MIN_RATIO = 1e-3
_EDF_DIGITAL = (-32768, 32767)
_BDF_DIGITAL = (-8388608, 8388607)
_EDF_UNIT_SCALE = {"V": (1e6, "uV")}  # volts are stored as uV so the 8-character range fields keep digits


def write_file(rec: Recording, path: str | os.PathLike, *, format: str | None = None) -> Path:
    """Write ``rec`` to ``path`` in a format emgviz reads back.

    Parameters
    ----------
    rec : Recording
        The recording.
    path : str or PathLike
        Where to write. An existing file is replaced.
    format : {"csv", "edf", "bdf", "npz"}, optional
        Default: from the suffix of ``path``.

        - ``"csv"``: ``# emgviz`` comment lines (sampling rate in Hz, unit, t0 in s, one
          ``# event: time_s, duration_s, label`` line per event), a ``time (s)`` column and
          one ``name (unit)`` column per channel, numbers written to full float64 precision.
        - ``"edf"``: EDF+ via edfio, 16-bit; volts stored as uV, physical range from the
          data, events as EDF+ annotations (times relative to the first sample: EDF holds
          no t0). Written as BDF (suffix changed to ``.bdf``, with a warning) when 16 bits
          are too coarse, see :func:`needs_24_bits`.
        - ``"bdf"``: the same with 24-bit samples.
        - ``"npz"``: NumPy archive via :func:`emgviz.io.npz.write_npz` (everything kept).

    Returns
    -------
    Path
        The file written (its suffix is ``.bdf`` if an EDF had to become BDF).

    Raises
    ------
    ValueError
        Unknown format or suffix; channel names that collide once cut to EDF's 16 characters.
    """
    path = Path(path)
    fmt = (format or FORMATS.get(path.suffix.lower(), "")).lower().lstrip(".")
    if fmt not in FORMATS.values():
        raise ValueError(f"cannot tell the format of {path.name!r}: pass format= one of "
                         f"{sorted(set(FORMATS.values()))} or use a suffix {sorted(FORMATS)}")
    if fmt == "csv":
        _write_csv(rec, path)
    elif fmt == "npz":
        from . import npz

        npz.write_npz(rec, path)
    else:
        bdf = fmt == "bdf"
        if not bdf:
            coarse = needs_24_bits(rec)
            if coarse:
                bdf = True
                path = path.with_suffix(".bdf")
                warnings.warn(f"16-bit EDF is too coarse for channel(s) {coarse}: its quantisation noise would "
                              f"exceed 1/{1 / SQNR_MIN_RATIO:g} of their RMS; wrote 24-bit BDF to {path.name}",
                              stacklevel=2)
        path.write_bytes(edf_bytes(rec, bdf=bdf))
    return path


def needs_24_bits(rec: Recording) -> list[str]:
    """Channels whose 16-bit EDF quantisation noise exceeds :data:`SQNR_MIN_RATIO` × their RMS.

    One EDF step is ``(max - min) / 65535`` over the channel; the rounding error is
    uniform with RMS ``step / sqrt(12)``. A channel is too coarse for EDF when that is
    above ``SQNR_MIN_RATIO`` (1e-3, i.e. 60 dB) times the channel's RMS, measured robustly
    (1.4826 × median absolute deviation, so the artefact that stretches the range does not
    also inflate the RMS; the standard deviation for mostly-constant channels).
    A constant channel never needs BDF.

    Returns
    -------
    list of str
        The names of those channels (empty: EDF is fine).
    """
    data = rec.data
    span = data.max(axis=1) - data.min(axis=1)
    noise = span / (_EDF_DIGITAL[1] - _EDF_DIGITAL[0]) / math.sqrt(12)
    rms = _robust_rms(data)
    bad = (span > 0) & (noise > SQNR_MIN_RATIO * rms)
    return [rec.ch_names[i] for i in np.flatnonzero(bad)]


def _robust_rms(data: np.ndarray) -> np.ndarray:
    """RMS about the centre per channel, robust to artefacts: 1.4826 × median |x - median|.

    A channel that is mostly one value (a trigger, MAD = 0) falls back to its standard deviation.
    """
    centre = np.median(data, axis=1, keepdims=True)
    mad = 1.4826 * np.median(np.abs(data - centre), axis=1)
    return np.where(mad > 0, mad, data.std(axis=1))


# ---- CSV -----------------------------------------------------------------------------------
def _csv_text_field(text: str) -> str:
    return str(text).replace("\r", " ").replace("\n", " ")


def _write_csv(rec: Recording, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from .. import __version__
    from ..csvsafe import neutralise_cell

    lines = [f"# emgviz {__version__} export",
             f"# sampling rate (Hz): {rec.fs!r}",
             f"# unit: {rec.unit}",
             f"# t0 (s): {rec.t0!r}",
             f"# source: {_csv_text_field(rec.source)}" if rec.source else None]
    for t, d, label in rec.events.itertuples(index=False):
        lines.append(f"# event: {t!r}, {d!r}, {_csv_text_field(label)}")
    header = "\n".join(line for line in lines if line is not None) + "\n"
    columns = {"time (s)": rec.times}
    for name, unit, row in zip(rec.ch_names, rec.ch_units, rec.data):
        # a name a spreadsheet would run as a formula gets a leading "'" (the reader removes it)
        columns[neutralise_cell(f"{name} ({unit})")] = row
    table = pa.table(columns)
    with open(path, "wb") as fh:
        fh.write(header.encode("utf-8"))
        pacsv.write_csv(table, fh, pacsv.WriteOptions(quoting_style="needed"))


# ---- EDF / BDF -----------------------------------------------------------------------------
def _edf_label(name: str) -> str:
    return name.encode("ascii", "replace").decode("ascii")[:16]


def _record_layout(n: int, fs: float) -> tuple[float, float]:
    """A data-record duration (s) splitting n samples at fs into whole records of about 1 s, and the rate.

    EDF writes the duration in 8 characters. When no whole split is exact, the file gets
    one record holding everything, its duration rounded to 8 characters, and the rate
    written is ``n / duration`` (relative error below 1e-6).
    """
    if float(fs).is_integer():
        spr = max(d for d in _divisors(n) if d <= max(int(fs), 1))
        duration = spr / fs
        if (spr >= min(n, 100) or spr == n) and _fits(duration) and float(_short(duration)) * fs == spr:
            return duration, fs
    total = n / fs
    if _fits(total) and float(_short(total)) == total:
        return total, fs
    duration = float(_short(total))
    return duration, n / duration


def _short(value: float) -> str:
    """``value`` in at most 8 characters, as precise as fits."""
    for digits in range(8, 0, -1):
        text = f"{value:.{digits}g}"
        if len(text) <= 8:
            return text
    raise ValueError(f"{value} does not fit EDF's 8-character field")


def _fits(value: float) -> bool:
    try:
        _short(value)
    except ValueError:
        return False
    return True


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, int(math.isqrt(n)) + 1) if n % d == 0]
    return small + [n // d for d in small]


def edf_bytes(rec: Recording, *, bdf: bool = False) -> bytes:
    """The recording as EDF+ (16-bit) or BDF+ (24-bit) file bytes, via edfio."""
    import edfio

    labels = [_edf_label(n) for n in rec.ch_names]
    if len(set(labels)) != len(labels):
        raise ValueError(f"channel names {list(rec.ch_names)} collide when cut to EDF's 16 ASCII characters; "
                         "rename them first (rec.replace(ch_names=...))")
    signal_cls = edfio.BdfSignal if bdf else edfio.EdfSignal
    digital = _BDF_DIGITAL if bdf else _EDF_DIGITAL
    duration, fs = _record_layout(rec.n_samples, rec.fs)
    signals = []
    for label, unit, row in zip(labels, rec.ch_units, rec.data):
        scale, dim = _EDF_UNIT_SCALE.get(unit, (1.0, unit.replace("²", "^2")))
        values = row * scale if scale != 1.0 else row
        signals.append(signal_cls(values, fs, label=label, physical_dimension=dim[:8],
                                  digital_range=digital))
    annotations = [edfio.EdfAnnotation(float(t - rec.t0), float(d) if d > 0 else None, str(label))
                   for t, d, label in rec.events.itertuples(index=False)]
    kwargs = {}
    start = rec.meta.get("start")
    if isinstance(start, str):
        try:
            when = datetime.datetime.fromisoformat(start)
            kwargs["starttime"] = when.time().replace(microsecond=0)
            kwargs["recording"] = edfio.Recording(startdate=when.date())
        except ValueError:
            pass
    cls = edfio.Bdf if bdf else edfio.Edf
    edf = cls(signals, annotations=annotations, data_record_duration=duration,
              **kwargs)
    buf = io.BytesIO()
    edf.write(buf)
    return buf.getvalue()
