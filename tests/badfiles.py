"""The hostile-input corpus: files people drop on the uploader that emgviz must refuse clearly.

Each case is (name, bytes, words): the file name, its content, and a regex the ReadError message
must match (it names the problem). Generated, never stored: ``python tests/badfiles.py OUTDIR``
writes them out for manual tries in the app.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import numpy as np

from emgviz.samples import SAMPLE_DIR as SAMPLES


def _edf_bytes(n_records: int = 4, fs: int = 256) -> bytes:
    from edfio import Edf, EdfSignal

    t = np.arange(n_records * fs) / fs
    sig = EdfSignal(1e3 * np.sin(2 * np.pi * 10 * t), sampling_frequency=fs, label="EMG biceps",
                    physical_dimension="uV")
    buf = io.BytesIO()
    Edf([sig]).write(buf)
    return buf.getvalue()


def _c3d_bytes() -> bytes | None:
    try:
        import ezc3d
    except ImportError:  # pragma: no cover
        return None
    import tempfile

    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [100]
    c["parameters"]["ANALOG"]["RATE"]["value"] = [1000]
    c["parameters"]["ANALOG"]["LABELS"]["value"] = ("EMG 1",)
    c["data"]["analogs"] = np.sin(np.arange(1000, dtype=float)).reshape(1, 1, 1000) * 1e-3
    c["data"]["points"] = np.ones((4, 0, 100))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.c3d"
        c.write(str(path))
        return path.read_bytes()


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        chunk = b"0" * (1 << 20)
        with z.open("huge.csv", "w", force_zip64=True) as f:
            for _ in range(1100):  # 1.1 GB of zeros, a few MB zipped
                f.write(chunk)
    return buf.getvalue()


def _pickled_npz() -> bytes:
    buf = io.BytesIO()
    np.savez(buf, data=np.array([{"evil": 1}], dtype=object), fs=np.array(1000.0))
    return buf.getvalue()


def _npy_header(shape: tuple, dtype: str = "<f8") -> bytes:
    """A .npy header declaring ``shape`` (the data after it are not written)."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()  # magic string + header


def _npz_declaring(shape: tuple) -> bytes:
    """An emgviz-style .npz whose data.npy declares ``shape`` but holds 64 bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for key, arr in (("fs", np.array(1000.0)), ("ch_names", np.array(["EMG"]))):
            b = io.BytesIO()
            np.save(b, arr)
            z.writestr(f"{key}.npy", b.getvalue())
        z.writestr("data.npy", _npy_header(shape) + b"\0" * 64)
    return buf.getvalue()


def _h5_unwritten() -> bytes:
    """An OpenSignals-like HDF5 (8 kB) whose raw/channel_1 declares 10^9 samples never written."""
    import tempfile

    import h5py

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.h5"
        with h5py.File(path, "w") as f:
            g = f.create_group("00:07:80:D8:A8:82")
            g.attrs["sampling rate"] = 1000
            g.create_group("raw").create_dataset("channel_1", shape=(10 ** 9, 1), dtype="u2", chunks=(4096, 1))
        return path.read_bytes()


def _mat_v5_declaring(n: int, *, compressed: bool, data_bytes: int | None = None) -> bytes:
    """A MAT v5 file with one double variable ``emg`` declaring 1 × ``n`` values (64 bytes stored).

    ``data_bytes``: declare that many bytes in the data element instead (a lie about the size);
    compressed, the element really inflates to them (zeros compress 1000:1).
    """
    import struct
    import zlib

    def element(mtype, payload):
        pad = (-len(payload)) % 8
        return struct.pack("<II", mtype, len(payload)) + payload + b"\0" * pad

    flags = element(6, struct.pack("<II", 6, 0))  # miUINT32: mxDOUBLE_CLASS
    dims = element(5, struct.pack("<ii", 1, n))  # miINT32
    name = element(1, b"emg")
    stored = data_bytes if (compressed and data_bytes) else 64
    data = struct.pack("<II", 9, data_bytes or 8 * n) + b"\0" * stored
    matrix = flags + dims + name + data
    body = struct.pack("<II", 14, len(matrix)) + matrix
    header = b"MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024".ljust(116)
    header += b"\0" * 8 + b"\x00\x01IM"
    if compressed:
        blob = zlib.compress(body, 9)
        return header + struct.pack("<II", 15, len(blob)) + blob
    return header + body


def _zip_of_many(n: int = 1000, size: int = 1 << 20) -> bytes:
    """``n`` CSV members of ``size`` bytes each (1.1 MB zipped; 1 GB expanded)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        member = b"1\n" * (size // 2)
        for i in range(n):
            z.writestr(f"trial_{i:04d}.csv", member)
    return buf.getvalue()


def _wfdb_many_signals(n: int = 100_000) -> bytes:
    """A zip of a WFDB header with ``n`` signal lines (and a tiny .dat)."""
    hea = f"big {n} 1000 10\n" + "".join(f"big.dat 16 200/mV 16 0 0 0 0 ch{i}\n" for i in range(n))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.hea", hea)
        z.writestr("big.dat", b"\0" * 64)
    return buf.getvalue()


def declared_huge_cases() -> list[tuple[str, bytes, str]]:
    """Small files that declare arrays far above the sample limit, one per container."""
    from fuzz_binary import mat73_bytes

    return [
        ("huge_1d.npz", _npz_declaring((300_000_000,)), r"declares|limit"),
        ("huge_2d.npz", _npz_declaring((4, 100_000_000)), r"declares|limit"),
        ("unwritten.h5", _h5_unwritten(), r"declares|limit"),
        ("unwritten73.mat", mat73_bytes(np.zeros((1, 16)), declared=(300_000_000, 1)), r"declares|limit"),
        ("huge_v5.mat", _mat_v5_declaring(300_000_000, compressed=False), r"declares|limit"),
        ("huge_compressed.mat", _mat_v5_declaring(300_000_000, compressed=True), r"declares|limit"),
        ("lying_compressed.mat", _mat_v5_declaring(16, compressed=True, data_bytes=50_000_000),
         r"declares .* bytes|limit"),
        ("many_signals_wfdb.zip", _wfdb_many_signals(), r"signal lines|limit"),
    ]


#: Text a file or a link can set, trying to become a link, an image, HTML or a formula.
MARKUP_PAYLOADS = ("[Log in](https://evil.example/login)", "![b](http://evil.example/x.png)",
                   "<a href='https://evil.example/a'>a</a>", "<img src='http://evil.example/i.png'>",
                   "https://evil.example/bare", "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0")


def markup_csv() -> bytes:
    """A readable CSV whose channel names and events carry :data:`MARKUP_PAYLOADS`."""
    names = list(MARKUP_PAYLOADS)
    rng = np.random.default_rng(3)
    rows = [",".join(['"' + n.replace('"', '""') + '"' for n in names])]
    for _ in range(4000):
        rows.append(",".join(f"{v:.6f}" for v in rng.normal(0, 1e-4, len(names))))
    return ("# Sampling Rate (Hz):= 1000.00\n" + "\n".join(rows) + "\n").encode()


def cases(*, include_slow: bool = True) -> list[tuple[str, bytes, str]]:
    """The corpus. ``include_slow=False`` leaves out the 1 GB zip bomb (it takes seconds to build)."""
    out: list[tuple[str, bytes, str]] = []
    out.append(("empty.csv", b"", r"empty"))
    out.append(("one_byte.csv", b"7", r"sampl|fs=|one|too short|single"))
    rng = np.random.default_rng(1)
    out.append(("junk.csv", rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(), r"binary|not .*text|format|decode"))
    edf = _edf_bytes()
    out.append(("truncated.edf", edf[: len(edf) // 2], r"truncat|short|incomplete|records|size|bytes"))
    lying = bytearray(edf)
    lying[236:244] = b"999     "  # header says 999 data records; the file holds 4
    out.append(("lying_header.edf", bytes(lying), r"records|truncat|size|bytes|header"))
    hea = (SAMPLES / "emg_healthy.hea").read_bytes()
    dat = (SAMPLES / "emg_healthy.dat").read_bytes()
    wbuf = io.BytesIO()
    with zipfile.ZipFile(wbuf, "w") as z:
        z.writestr("emg_healthy.hea", hea)
        z.writestr("emg_healthy.dat", dat[:1001])  # odd byte count: half a sample
    out.append(("truncated_wfdb.zip", wbuf.getvalue(), r"truncat|short|samples|bytes|\.dat"))
    c3d = _c3d_bytes()
    if c3d is not None:
        out.append(("truncated.c3d", c3d[: len(c3d) // 3], r"truncat|short|C3D|incomplete|corrupt"))
    out.append(("nan.csv", b"time,biceps\n0,1\n0.001,nan\n0.002,3\n", r"NaN|missing|not a number"))
    out.append(("inf.csv", b"time,biceps\n0,1\n0.001,inf\n0.002,3\n", r"inf|NaN|finite"))
    out.append(("text_in_numbers.csv", b"time,biceps\n0,1\n0.001,abc\n0.002,3\n", r"abc|numeric|number|row"))
    out.append(("single_sample.csv", b"time,biceps\n0,1\n", r"one sample|single|too short|at least|fs"))
    wide = ",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("1" for _ in range(100_000)) + "\n"
    out.append(("wide.csv", wide.encode(), r"column|field|channel"))
    out.append(("latin1_junk.csv", "é,ü\n\xff\xfe,ß\n".encode("latin-1"), r"numeric|number|no .*data|text|format"))
    out.append(("pickled.npz", _pickled_npz(), r"pickle"))
    out += declared_huge_cases()
    if include_slow:
        out.append(("bomb.zip", _zip_bomb(), r"expand|uncompressed|limit|large|ratio"))
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/badfiles.py OUTDIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name, content, _ in cases():
        (folder / name).write_bytes(content)
        print(f"{name}: {len(content)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
