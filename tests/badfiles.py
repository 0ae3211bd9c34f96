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
