"""The server's memory per MB uploaded, per format: the real app (AppTest of app.py) uploading a file.

    python benchmarks/bench_upload_memory.py [--sizes 20,100,380] [--formats edf,bdf,...] [--no-write]

For each format and file size a fresh Python process (the "server": AppTest runs app.py in-process,
so the process holding Streamlit's caches is this one) starts the app, chooses Upload, then uploads
the file and lets the default view (Overview) finish. From ``/proc/self/status`` it takes

- the resident memory before the upload (the app started, no file),
- the peak (``VmHWM``, reset just before the upload) while the file is read, filtered and drawn,
- the resident memory after that rerun (the recording and its processed copies cached).

Both are given as MB of RAM per MB of the file (the bytes of the upload themselves count: the
server holds them while the uploader shows the file). A last process uploads two different large
files in a row with ``EMGVIZ_CACHE_MB`` set, to check that the byte budget of the cache
(``emgviz/views/lru.py``) really bounds the memory: after the second upload the first recording
must be gone from RAM, not just from the store.

Files are made from ``bench_browser.synthetic`` (16 channels at 2 kHz, 20 µV rms with bursts) with
``emgviz.io.write`` (EDF 16-bit, BDF 24-bit, CSV, NPZ float64), ``numpy.savez`` (NPZ float32) and
``wfdb.wrsamp`` (WFDB format 16, .hea + .dat uploaded together). C3D is not measured: the only real
C3D file is 1.2 MB and C3D is parsed in a child process (``emgviz/io/isolate.py``).
Writes section "upload_memory" of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

FS, N_CH = 2000.0, 16
#: Stored bytes per sample of each format (CSV: measured on a short file at run time).
BYTES_PER_SAMPLE = {"edf": 2, "bdf": 3, "wfdb": 2, "npz32": 4, "npz64": 8}
FORMATS = ("edf", "bdf", "wfdb", "csv", "npz32", "npz64")
LABELS = {"edf": "EDF (16-bit)", "bdf": "BDF (24-bit)", "wfdb": "WFDB (format 16)", "csv": "CSV (emgviz export)",
          "npz32": "NPZ float32", "npz64": "NPZ float64"}
MB = 1024 ** 2


# ---- /proc --------------------------------------------------------------------------------------
def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def rss_mb() -> float:
    """Resident memory of this process now (MiB)."""
    return _status_kb("VmRSS") / 1024


def peak_mb() -> float:
    """Highest resident memory since the last :func:`reset_peak` (MiB)."""
    return _status_kb("VmHWM") / 1024


def reset_peak() -> None:
    """Reset ``VmHWM`` to the current RSS (Linux ≥ 4.0: write 5 to /proc/self/clear_refs)."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


# ---- files --------------------------------------------------------------------------------------
def _seconds_for(fmt: str, size_mb: float, csv_bps: float) -> float:
    bps = csv_bps if fmt == "csv" else BYTES_PER_SAMPLE[fmt]
    return size_mb * MB / (bps * N_CH * FS)


def make_file(fmt: str, seconds: float, folder: Path, tag: str = "", seed: int = 0) -> list[Path]:
    """The upload of ``fmt`` holding ``seconds`` of the synthetic recording; its files."""
    import numpy as np
    from bench_browser import synthetic

    from emgviz.io.write import write_file

    rec = synthetic(seconds=seconds, n_ch=N_CH, fs=FS, seed=seed)
    stem = folder / f"{fmt}{tag}_{int(seconds)}s"
    if fmt in ("edf", "bdf"):
        path = write_file(rec, stem.with_suffix(f".{fmt}"), format=fmt)
        if path.suffix != f".{fmt}":
            raise RuntimeError(f"{fmt} was written as {path.suffix}")
        return [path]
    if fmt in ("csv", "npz64"):
        return [write_file(rec, stem.with_suffix(".csv" if fmt == "csv" else ".npz"))]
    if fmt == "npz32":
        path = stem.with_suffix(".npz")
        np.savez(path, fs=np.array(rec.fs), ch_names=np.array(rec.ch_names), unit=np.array(rec.unit),
                 t0=np.array(0.0), data=rec.data.astype(np.float32))
        return [path]
    if fmt == "wfdb":
        import wfdb

        gain = 1 / 1e-6  # 1 µV per unit: 20 µV rms ×8 bursts stay far inside int16
        digital = np.clip(np.rint(rec.data.T * gain), -32767, 32767).astype(np.int16)
        del rec
        name = stem.name
        wfdb.wrsamp(name, fs=FS, units=["V"] * N_CH, sig_name=[f"m{c + 1:02d}" for c in range(N_CH)],
                    d_signal=digital, fmt=["16"] * N_CH, adc_gain=[gain] * N_CH, baseline=[0] * N_CH,
                    write_dir=str(folder))
        return [folder / f"{name}.hea", folder / f"{name}.dat"]
    raise ValueError(fmt)


def csv_bytes_per_sample(folder: Path) -> float:
    """Bytes per sample of the emgviz CSV export of the synthetic recording (time column included)."""
    path = make_file("csv", 20.0, folder, tag="probe")[0]
    size = path.stat().st_size
    path.unlink()
    return size / (20.0 * FS * N_CH)


# ---- the server process ---------------------------------------------------------------------------
def _store_state() -> dict:
    """Entries and bytes of the app's read/processing store, found among live objects."""
    from emgviz.views.lru import ByteLRU

    stores = [o for o in gc.get_objects() if isinstance(o, ByteLRU)]
    return {"entries": sum(len(s) for s in stores), "store_mb": sum(s.nbytes for s in stores) / MB,
            "evictions": sum(s.evictions for s in stores), "misses": sum(s.misses for s in stores)}


def serve(uploads: list[list[str]]) -> dict:
    """Start the app (AppTest), choose Upload, then upload each file set in turn; memory after each."""
    os.chdir(ROOT)  # AppTest reads .streamlit/config.toml from the working directory
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800).run()
    at.sidebar.radio(key="source").set_value("Upload").run()
    gc.collect()
    out = {"base_mb": rss_mb(), "base_store": _store_state(), "steps": []}
    for paths in uploads:
        files = [(Path(p).name, Path(p).read_bytes(), "application/octet-stream") for p in paths]
        size = sum(len(c) for _, c, _ in files) / MB
        reset_peak()
        t = time.perf_counter()
        # the uploader on the page: an upload of 16 MB or more is held and a fresh one ("upload_1", …) replaces it
        uploader = next(u for u in at.sidebar.get("file_uploader") if str(u.key).startswith("upload"))
        uploader.set_value(files if len(files) > 1 else files[0])
        del files
        at.run()
        seconds = time.perf_counter() - t
        errors = [str(e.value)[:300] for e in at.exception] + [str(e.value)[:300] for e in at.error]
        peak = peak_mb()
        gc.collect()
        step = {"file_mb": size, "peak_mb": peak, "cached_mb": rss_mb(), "seconds": seconds,
                "errors": errors, **_store_state()}
        # a rerun with nothing changed: served from the store, or read and filtered again?
        reset_peak()
        t = time.perf_counter()
        at.run()
        step["rerun"] = {"seconds": time.perf_counter() - t, "peak_mb": peak_mb(), **_store_state()}
        out["steps"].append(step)
    return out


def run_server(uploads: list[list[Path]], cache_mb: float | None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if cache_mb is not None:
        env["EMGVIZ_CACHE_MB"] = str(cache_mb)
    proc = subprocess.run([sys.executable, __file__, "--serve", json.dumps([[str(p) for p in u] for u in uploads])],
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"server process failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---- the report -----------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20,100,380", help="file sizes in MB, comma-separated")
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--large", default="edf:380,npz32:380",
                    help="extra (format:MB) pairs measured beyond --sizes, comma-separated")
    ap.add_argument("--two", default="edf:100", help="format:MB of the two uploads in a row ('' to skip)")
    ap.add_argument("--two-cache-mb", type=float, default=2048.0)
    ap.add_argument("--tmp", default=None, help="folder for the generated files (default: a temporary one)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        print(json.dumps(serve(json.loads(args.serve))))
        return

    from _results import machine, write_section

    sizes = [float(s) for s in args.sizes.split(",") if s]
    pairs = [(f, s) for f in args.formats.split(",") if f for s in sizes]
    pairs += [(f, float(s)) for f, s in (p.split(":") for p in args.large.split(",") if p)
              if (f, float(s)) not in pairs]
    load = os.getloadavg()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    started = time.perf_counter()
    rows, two = [], None
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp)
        csv_bps = csv_bytes_per_sample(folder)
        for fmt, size in pairs:
            seconds = _seconds_for(fmt, size, csv_bps)
            paths = make_file(fmt, seconds, folder)
            res = run_server([paths], None)
            step = res["steps"][0]
            row = {"format": fmt, "base_mb": res["base_mb"], "base_store": res["base_store"],
                   "float64_mb": N_CH * int(seconds * FS) * 8 / MB, **step}
            rows.append(row)
            print(json.dumps(row), flush=True)
            for p in paths:
                p.unlink()
        if args.two:
            fmt, size = args.two.split(":")
            seconds = _seconds_for(fmt, float(size), csv_bps)
            first = make_file(fmt, seconds, folder, tag="a", seed=1)
            second = make_file(fmt, seconds, folder, tag="b", seed=2)
            two = run_server([first, second, first], args.two_cache_mb)
            two.update(format=fmt, cache_mb=args.two_cache_mb)
            print(json.dumps(two), flush=True)
    wall = time.perf_counter() - started
    text = report(rows, two, uptime, load, wall, machine())
    print(text)
    if not args.no_write:
        write_section("upload_memory", text)


def report(rows, two, uptime, load, wall, machine_line) -> str:
    lines = ["## Server memory per MB uploaded (`benchmarks/bench_upload_memory.py`)", "",
             f"{machine_line}; `uptime`: {uptime} (load {load[0]:.1f} on 2 cores at the start; memory figures do "
             f"not depend on load). The real app (AppTest of app.py, default settings, Overview view) in a "
             f"fresh process per upload; synthetic 16 ch × 2 kHz. Peak = `VmHWM` during the upload's rerun "
             f"(read, filter, envelope, Overview figure and table) minus the RSS before the upload; cached = RSS "
             f"after it minus the same. The upload's own bytes count (the server holds them). Stored samples: "
             f"bytes the app's store gained (the recording read as float64 plus its filtered and envelope "
             f"copies; rectified is computed on access). "
             f"Run took {wall / 60:.1f} min.", "",
             "| format | file (MB) | float64 data (MB) | peak (MB) | cached (MB) | peak / file | cached / file | "
             "stored samples (MB) | upload rerun (s) | next rerun (s) | next rerun peak (MB) | next rerun reads again |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        samples_mb, data_mb = r["store_mb"] - r["base_store"]["store_mb"], r["float64_mb"]
        peak, cached = r["peak_mb"] - r["base_mb"], r["cached_mb"] - r["base_mb"]
        lines.append(f"| {LABELS[r['format']]} | {r['file_mb']:.0f} | {data_mb:.0f} | {peak:.0f} | {cached:.0f} | "
                     f"{peak / r['file_mb']:.1f} | {cached / r['file_mb']:.1f} | {samples_mb:.0f} | "
                     f"{r['seconds']:.1f} | {r['rerun']['seconds']:.1f} | {r['rerun']['peak_mb'] - r['base_mb']:.0f} | "
                     f"{'yes' if r['rerun']['misses'] > r['misses'] else 'no'} |"
                     + (f" errors: {r['errors']}" if r["errors"] else ""))
    if two:
        s = two["steps"]
        lines += ["", f"Two uploads in a row ({LABELS[two['format']]}, {s[0]['file_mb']:.0f} MB each, "
                      f"`EMGVIZ_CACHE_MB={two['cache_mb']:g}`), then the first again, one session:", "",
                  "| upload | peak (MB) | resident after (MB) | store entries | store (MB) | evictions |",
                  "|---|---:|---:|---:|---:|---:|"]
        for label, st in zip(("first", "second (first must leave RAM)", "first again (read again)"), s):
            lines.append(f"| {label} | {st['peak_mb'] - two['base_mb']:.0f} | {st['cached_mb'] - two['base_mb']:.0f} | "
                         f"{st['entries']} | {st['store_mb']:.0f} | {st['evictions']} |"
                         + (f" errors: {st['errors']}" if st["errors"] else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
