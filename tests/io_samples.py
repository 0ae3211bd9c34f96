"""Small files shared by the reader tests (tests/test_io_*.py): a CSV, a Delsys export, an EDF, zips."""

import datetime
import io
import zipfile

import numpy as np

#: Three samples at 1 kHz with a time column.
CSV = b"time,emg\n0.000,1\n0.001,2\n0.002,3\n"
#: Sampling rate (Hz) of the EDF of :func:`edf_bytes`.
FS = 2000
#: A Delsys EMGworks CSV with two rate groups (EMG at 2000 Hz, ACC at 1000 Hz).
DELSYS = (b"Label: EMG 1 Sampling frequency: 2000 Number of points: 4 start: 0 Unit: Volts Domain Unit: s\n"
          b"Label: ACC X 1 Sampling frequency: 1000 Number of points: 2 start: 0 Unit: g Domain Unit: s\n"
          b"\n"
          b"X[s],EMG 1,X[s],ACC X 1\n"
          b"0.0000,0.001,0.000,0.5\n0.0005,0.002,0.001,0.25\n0.0010,-0.001,,\n0.0015,0.003,,\n")


def zip_bytes(members) -> bytes:
    """A deflated zip of ``(name, content)`` members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, c in members:
            z.writestr(n, c)
    return buf.getvalue()


def edf_bytes() -> bytes:
    """2 s of two EMG signals at :data:`FS` (µV and mV), written by edfio."""
    import edfio

    t = np.arange(2 * FS) / FS
    signals = [edfio.EdfSignal(500 * np.sin(2 * np.pi * 40 * t), FS, label="EMG biceps", physical_dimension="uV",
                               physical_range=(-1000, 1000)),
               edfio.EdfSignal(np.cos(t), FS, label="EMG triceps", physical_dimension="mV",
                               physical_range=(-2, 2))]
    buf = io.BytesIO()
    edfio.Edf(signals, starttime=datetime.time(9, 30)).write(buf)
    return buf.getvalue()


def patch_edf_signal_field(content: bytes, signal: int, field: str, value: str) -> bytes:
    """Overwrite one per-signal header field (digital_max, ...) of an EDF."""
    widths = [("label", 16), ("transducer", 80), ("physical_dimension", 8), ("physical_min", 8),
              ("physical_max", 8), ("digital_min", 8), ("digital_max", 8)]
    ns = int(content[252:256])
    pos = 256
    for name, width in widths:
        if name == field:
            start = pos + signal * width
            out = bytearray(content)
            out[start:start + width] = value.ljust(width).encode("ascii")
            return bytes(out)
        pos += ns * width
    raise KeyError(field)
