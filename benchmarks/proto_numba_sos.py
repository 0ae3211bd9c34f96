"""Feasibility prototype (#21, p21): a numba zero-phase SOS cascade vs emgviz's SciPy filtering path.

NOT used by emgviz and numba is NOT a dependency: run it from a separate virtualenv that has numba,
numpy and scipy at emgviz's versions (the shared venv's site-packages are appended to ``sys.path`` after
the private ones, only for the pure-Python/other packages emgviz imports, e.g. pandas)::

    /work/main/.venv/bin/python -m venv /tmp/p21venv
    /tmp/p21venv/bin/pip install numba numpy==2.4.6 scipy==1.17.1
    PYTHONPATH=$PWD flock /work/notes/bench.lock /tmp/p21venv/bin/python benchmarks/proto_numba_sos.py

What the kernel does (per channel; it must equal ``emgviz.filters._filtfilt`` with ``subtract=mean``,
i.e. ``preprocess(..., envelope=False).filtered``):

1. ``mean`` of the channel (DC removal, as ``preprocess`` with ``remove_dc=True``);
2. forward pass over the odd extension ``2*x[0] - x[pad:0:-1]``, ``x``, ``2*x[-1] - x[-2:-pad-2:-1]``
   (minus the mean), generated on the fly (no padded copy), starting in ``sosfilt_zi(sos) * ext[0]``,
   written to one reused scratch row of ``n + 2*pad`` samples;
3. backward pass from the end of that row, starting in ``sosfilt_zi(sos) * y[-1]``, stopping at ``pad``
   (the left pad's outputs are discarded by ``sosfiltfilt``; an IIR output depends only on the samples
   already passed), writing the middle straight into the output row.

The section loop is inside the sample loop with the float64 state in two small arrays (the same recurrence,
in the same order of operations, as SciPy's ``_sosfilt``: transposed direct form II). So the passes
over memory are: read x, write scratch, read scratch, write out (SciPy's path: padded copy, in-place
forward, reversed copy, in-place backward, strided copy out). ``numba-reg`` is the same kernel generated
for a fixed number of sections with the state in scalar locals (registers); it gives the same bits.

Timed, interleaved rounds, one process: emgviz ``preprocess(rec, Settings(notch_hz=50),
envelope=False)`` with ``EMGVIZ_THREADS`` 1 and 2, against the kernel on 1 thread and on 2 threads
(``ThreadPoolExecutor`` over channel blocks, ``nogil``); every call allocates its own output array
(first touch included, as in the app). Also: numba import time, first-call compile time with an
empty ``NUMBA_CACHE_DIR`` and the load time from that cache in a second process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SHARED_SITE = "/work/main/.venv/lib/python3.11/site-packages"
if os.path.isdir(SHARED_SITE) and SHARED_SITE not in sys.path:
    sys.path.append(SHARED_SITE)  # after the private venv: numpy/scipy/numba come from there

FS = 2000.0


# ---- the kernel --------------------------------------------------------------------------------------
def _filtfilt_rows(x, sos, zi, pad, out, scratch):
    m, n = x.shape
    ns = sos.shape[0]
    s1 = np.empty(ns)
    s2 = np.empty(ns)
    for r in range(m):
        row = x[r]
        acc = 0.0
        for j in range(n):
            acc += row[j]
        mean = acc / n
        first = 2.0 * row[0] - row[pad] - mean if pad > 0 else row[0] - mean
        for s in range(ns):
            s1[s] = zi[s, 0] * first
            s2[s] = zi[s, 1] * first
        total = n + 2 * pad
        x0 = 2.0 * row[0]
        xl = 2.0 * row[n - 1]
        for i in range(total):  # forward pass over the odd extension, made on the fly
            if i < pad:
                v = (x0 - row[pad - i]) - mean
            elif i < pad + n:
                v = row[i - pad] - mean
            else:
                v = (xl - row[n - 2 - (i - pad - n)]) - mean
            for s in range(ns):
                y = sos[s, 0] * v + s1[s]
                s1[s] = sos[s, 1] * v - sos[s, 4] * y + s2[s]
                s2[s] = sos[s, 2] * v - sos[s, 5] * y
                v = y
            scratch[i] = v
        last = scratch[total - 1]
        for s in range(ns):
            s1[s] = zi[s, 0] * last
            s2[s] = zi[s, 1] * last
        o = out[r]
        for i in range(total - 1, pad - 1, -1):  # backward pass, stops where the kept part starts
            v = scratch[i]
            for s in range(ns):
                y = sos[s, 0] * v + s1[s]
                s1[s] = sos[s, 1] * v - sos[s, 4] * y + s2[s]
                s2[s] = sos[s, 2] * v - sos[s, 5] * y
                v = y
            if i < pad + n:
                o[i - pad] = v
    return out


def build_kernels():
    """The kernel compiled with ``@njit(cache=True, nogil=True)`` (cache in ``NUMBA_CACHE_DIR``)."""
    from numba import njit
    return njit(cache=True, nogil=True)(_filtfilt_rows)


def _register_source(ns: int) -> str:
    """Source of the same kernel for exactly ``ns`` sections, the state in scalar locals (registers)."""
    def step(ind):
        lines = []
        for s in range(ns):
            lines += [f"{ind}y = b0_{s} * v + p{s}", f"{ind}p{s} = b1_{s} * v - a1_{s} * y + q{s}",
                      f"{ind}q{s} = b2_{s} * v - a2_{s} * y", f"{ind}v = y"]
        return "\n".join(lines)

    init = lambda val: "\n".join(f"        p{s} = zi[{s}, 0] * {val}\n        q{s} = zi[{s}, 1] * {val}" for s in range(ns))
    coef = "\n".join(f"    b0_{s} = sos[{s}, 0]; b1_{s} = sos[{s}, 1]; b2_{s} = sos[{s}, 2]; "
                     f"a1_{s} = sos[{s}, 4]; a2_{s} = sos[{s}, 5]" for s in range(ns))
    return f"""
def filtfilt_rows_{ns}(x, sos, zi, pad, out, scratch):
    m, n = x.shape
{coef}
    for r in range(m):
        row = x[r]
        acc = 0.0
        for j in range(n):
            acc += row[j]
        mean = acc / n
        x0 = 2.0 * row[0]
        xl = 2.0 * row[n - 1]
        first = (x0 - row[pad]) - mean if pad > 0 else row[0] - mean
{init("first")}
        for i in range(pad):
            v = (x0 - row[pad - i]) - mean
{step("            ")}
            scratch[i] = v
        for i in range(n):
            v = row[i] - mean
{step("            ")}
            scratch[pad + i] = v
        for i in range(pad):
            v = (xl - row[n - 2 - i]) - mean
{step("            ")}
            scratch[pad + n + i] = v
        total = n + 2 * pad
        last = scratch[total - 1]
{init("last")}
        o = out[r]
        for i in range(total - 1, pad + n - 1, -1):
            v = scratch[i]
{step("            ")}
        for i in range(pad + n - 1, pad - 1, -1):
            v = scratch[i]
{step("            ")}
            o[i - pad] = v
    return out
"""


def build_register_kernel(ns: int):
    """:func:`_register_source` compiled (``nogil``; written to a file in the cache dir so ``cache=True`` works)."""
    import importlib.util
    from numba import njit
    folder = Path(os.environ.get("NUMBA_CACHE_DIR") or tempfile.gettempdir()) / "p21_generated"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"p21_sos{ns}.py"
    text = "import numpy as np\n" + _register_source(ns)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    spec = importlib.util.spec_from_file_location(f"p21_sos{ns}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # the cache's reloaded globals refer to this module by name
    spec.loader.exec_module(mod)
    return njit(cache=True, nogil=True)(getattr(mod, f"filtfilt_rows_{ns}"))


import numpy as np  # noqa: E402  (after the sys.path line)


def numba_filter(kernel, data, sos, zi, pad, n_threads, out=None):
    m, n = data.shape
    if out is None:
        out = np.empty(data.shape)  # a new output per call, as preprocess does (first touch included)
    if n_threads == 1:
        kernel(data, sos, zi, pad, out, np.empty(n + 2 * pad))
        return out
    bounds = np.linspace(0, m, n_threads + 1).astype(int)

    def run(k):
        a, b = bounds[k], bounds[k + 1]
        kernel(data[a:b], sos, zi, pad, out[a:b], np.empty(n + 2 * pad))

    with ThreadPoolExecutor(n_threads) as pool:
        list(pool.map(run, range(n_threads)))
    return out


def design():
    from emgviz.filters import _sosfilt_zi, pad_length
    from emgviz.pipeline import pipeline_sos
    from emgviz.settings import Settings
    settings = Settings(notch_hz=50)  # band-pass 20–450 Hz order 4 + notch 50/100/150 Hz Q 30
    sos, _ = pipeline_sos(settings, FS)
    sos = np.ascontiguousarray(sos, dtype=np.float64)
    zi = np.ascontiguousarray(_sosfilt_zi(sos.tobytes(), sos.shape[0]))
    return settings, sos, zi, pad_length(sos)


def make_data(n_ch, minutes, seed=0):
    rng = np.random.default_rng(seed)
    n = int(minutes * 60 * FS)
    t = np.arange(n) / FS
    data = np.empty((n_ch, n))
    for c in range(n_ch):  # broadband EMG-like noise + DC offset + 50 Hz hum + slow drift
        data[c] = (rng.standard_normal(n) * 50e-6 + 1e-3 * (c + 1) + 20e-6 * np.sin(2 * np.pi * 50 * t)
                   + 100e-6 * np.sin(2 * np.pi * 0.3 * t + c))
    return data


# ---- subprocess probes -------------------------------------------------------------------------------
def probe(mode: str) -> None:
    """Run in a child: time ``import numba`` and the first call (compile or cache load)."""
    t0 = time.perf_counter()
    import numba  # noqa: F401
    t_import = time.perf_counter() - t0
    _, sos, zi, pad = design()
    x = make_data(2, 0.05)
    t0 = time.perf_counter()
    kernel = build_kernels()
    out = np.empty_like(x)
    kernel(x, sos, zi, pad, out, np.empty(x.shape[1] + 2 * pad))
    t_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    kernel(x, sos, zi, pad, out, np.empty(x.shape[1] + 2 * pad))
    t_second = time.perf_counter() - t0
    t0 = time.perf_counter()
    reg = build_register_kernel(sos.shape[0])
    reg(x, sos, zi, pad, out, np.empty(x.shape[1] + 2 * pad))
    t_reg = time.perf_counter() - t0
    print(json.dumps({"mode": mode, "import_numba_s": t_import, "first_call_s": t_first,
                      "second_call_s": t_second, "register_first_call_s": t_reg}))


def run_probe(mode, cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    res = subprocess.run([sys.executable, __file__, "--probe", mode], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


# ---- main --------------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.probe:
        probe(args.probe)
        return

    cache_dir = tempfile.mkdtemp(prefix="p21numba-")
    os.environ["NUMBA_CACHE_DIR"] = cache_dir
    load_start = os.getloadavg()
    uptime_start = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    compile_cold = run_probe("cold", cache_dir)   # empty cache: compiles, writes the cache
    compile_cached = run_probe("cached", cache_dir)  # second process: loads from the cache

    import numba
    import scipy
    from emgviz.pipeline import preprocess
    from emgviz.recording import Recording
    settings, sos, zi, pad = design()
    kernel = build_kernels()
    kernel(np.ones((1, 100)), sos, zi, pad, np.empty((1, 100)), np.empty(100 + 2 * pad))  # load (cached)
    reg = build_register_kernel(sos.shape[0])
    reg(np.ones((1, 100)), sos, zi, pad, np.empty((1, 100)), np.empty(100 + 2 * pad))

    sizes = [(8, 10), (16, 60)]
    report = {"numba": numba.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
              "sos_sections": int(sos.shape[0]), "pad": pad, "compile_cold": compile_cold,
              "compile_cached": compile_cached, "uptime_start": uptime_start, "load_start": load_start,
              "sizes": {}}
    for n_ch, minutes in sizes:
        data = make_data(n_ch, minutes)
        rec = Recording(data, fs=FS, ch_names=[f"ch{i}" for i in range(n_ch)])

        def emgviz_run(threads):
            os.environ["EMGVIZ_THREADS"] = str(threads)
            return preprocess(rec, settings, envelope=False).filtered.data

        # accuracy (untimed): kernel vs emgviz's filtered, relative to the filtered signal's RMS
        ref = emgviz_run(1)
        got = numba_filter(kernel, rec.data, sos, zi, pad, 2)
        reg_vs_arr = float(np.max(np.abs(numba_filter(reg, rec.data, sos, zi, pad, 2) - got)))
        rms = float(np.sqrt(np.mean(ref ** 2)))
        max_abs = float(np.max(np.abs(got - ref)))
        bit_identical = bool(np.array_equal(got, ref))
        del ref, got

        cases = {"emgviz 1 thread": lambda: emgviz_run(1), "numba 1 thread": lambda: numba_filter(
            kernel, rec.data, sos, zi, pad, 1), "emgviz 2 threads": lambda: emgviz_run(2),
            "numba 2 threads": lambda: numba_filter(kernel, rec.data, sos, zi, pad, 2)}
        # diagnostics: the same work into an output that was already written once (no first touch)
        reused = np.ones(rec.data.shape)
        from emgviz.pipeline import _by_blocks, _effective, _filter_block

        def emgviz_reused(threads):
            os.environ["EMGVIZ_THREADS"] = str(threads)
            sos_e, eff, _ = _effective(rec, settings)
            _by_blocks(rec.data.shape, lambda sl: _filter_block(rec.data[sl], sos_e, eff.remove_dc, reused[sl]))
            return reused

        def touch():
            a = np.empty(rec.data.shape)
            a[...] = 0.0
            return a

        cases.update({
            "first touch: np.empty + write 0 (output size)": touch,
            "emgviz 1 thread, output reused": lambda: emgviz_reused(1),
            "numba 1 thread, output reused": lambda: numba_filter(kernel, rec.data, sos, zi, pad, 1, reused),
            "emgviz 2 threads, output reused": lambda: emgviz_reused(2),
            "numba 2 threads, output reused": lambda: numba_filter(kernel, rec.data, sos, zi, pad, 2, reused),
            "numba-reg 1 thread": lambda: numba_filter(reg, rec.data, sos, zi, pad, 1),
            "numba-reg 2 threads": lambda: numba_filter(reg, rec.data, sos, zi, pad, 2),
            "numba-reg 2 threads, output reused": lambda: numba_filter(reg, rec.data, sos, zi, pad, 2, reused),
        })
        times = {k: [] for k in cases}
        for _ in range(args.rounds):  # interleaved rounds
            for name, fn in cases.items():
                t0 = time.perf_counter()
                y = fn()
                times[name].append(time.perf_counter() - t0)
                del y
        os.environ.pop("EMGVIZ_THREADS", None)
        report["sizes"][f"{n_ch} ch x {minutes} min"] = {
            "rms": rms, "max_abs_diff": max_abs, "rel": max_abs / rms, "bit_identical": bit_identical,
            "register_vs_array_max_abs": reg_vs_arr,
            "times": times, "median": {k: statistics.median(v) for k, v in times.items()}}
        del rec, data, reused
    report["load_end"] = os.getloadavg()
    report["uptime_end"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(json.dumps(report, indent=1))
    out_json = Path(__file__).resolve().parent / "proto_numba_sos.json"
    if not args.no_write:
        out_json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
