"""Memory of an upload: readers and filtering hold no extra float64 copy, the store counts what is
held, and a processed recording never evicts the recording it was filtered from.

Peaks are tracemalloc peaks (NumPy reports its buffers to tracemalloc) relative to the float64 size
of the recording; the server-level figures per MB uploaded are in benchmarks/bench_upload_memory.py.
"""

import tracemalloc

import numpy as np
import pytest

from emgviz.io import read_files
from emgviz.io.write import write_file
from emgviz.pipeline import preprocess
from emgviz.recording import Recording
from emgviz.settings import Settings
from emgviz.views import cache
from emgviz.views.lru import ByteLRU

MiB = 1024 ** 2
N_CH, FS, SECONDS = 4, 2000.0, 250  # 2 M samples: 16 MB as float64


@pytest.fixture(scope="module")
def recording():
    rng = np.random.default_rng(5)
    data = rng.normal(0.0, 20e-6, (N_CH, int(FS * SECONDS)))
    data[:, ::7] *= 8  # some larger values, still inside 16 bits at EDF's scale
    return Recording(data, fs=FS, ch_names=[f"m{c}" for c in range(N_CH)], unit="V")


def _upload(fmt: str, rec: Recording, folder) -> list[tuple[str, bytes]]:
    """The bytes of ``rec`` in format ``fmt``, as the app's uploader hands them over."""
    if fmt in ("edf", "bdf"):
        path = write_file(rec, folder / f"r.{fmt}", format=fmt)
    elif fmt == "csv":
        path = write_file(rec, folder / "r.csv")
    elif fmt == "npz64":
        path = write_file(rec, folder / "r.npz")
    elif fmt == "npz32":
        path = folder / "r.npz"
        np.savez(path, fs=np.array(rec.fs), ch_names=np.array(rec.ch_names), unit=np.array("V"),
                 data=rec.data.astype(np.float32))
    elif fmt == "wfdb":
        wfdb = pytest.importorskip("wfdb")
        digital = np.clip(np.rint(rec.data.T * 1e6), -32767, 32767).astype(np.int16)
        wfdb.wrsamp("r", fs=rec.fs, units=["V"] * N_CH, sig_name=list(rec.ch_names), d_signal=digital,
                    fmt=["16"] * N_CH, adc_gain=[1e6] * N_CH, baseline=[0] * N_CH, write_dir=str(folder))
        return [(p.name, p.read_bytes()) for p in (folder / "r.hea", folder / "r.dat")]
    else:
        raise ValueError(fmt)
    return [(path.name, path.read_bytes())]


def _traced(fn):
    """(result, peak bytes, bytes still held) of ``fn()`` under tracemalloc."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = fn()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak - base, held - base


# Largest read peak over the float64 size of the recording: one float64 copy plus what the format
# must decode through (BDF: 24-bit triplets to int32; WFDB: the int16 samples and wfdb's own
# digital-to-physical buffer; NPZ float32: the float32 array).
# CSV: tracemalloc sees numpy only. A large CSV is parsed block by block into one numpy array of every
# column (the time column too, 1 of 5 here) plus the time column's step checks; pyarrow's whole table, which
# the earlier parse held beside the data, was invisible here. In resident memory the block parse is the
# lighter one (benchmarks/bench_csv_memory.py: extra peak 0.86× pandas' own, 1.78× before).
READ_PEAK = {"edf": 1.3, "csv": 2.2, "npz64": 1.3, "npz32": 1.8, "bdf": 2.8, "wfdb": 2.5}


@pytest.mark.parametrize("fmt", sorted(READ_PEAK))
def test_reader_holds_one_float64_copy(fmt, recording, tmp_path):
    files = _upload(fmt, recording, tmp_path)
    rec, peak, held = _traced(lambda: read_files(files))
    size = rec.data.nbytes
    assert rec.data.dtype == np.float64 and rec.data.shape == recording.data.shape
    np.testing.assert_allclose(rec.data, recording.data, atol=2e-6)  # the samples, not just their memory
    # a large CSV is parsed block by block into one array holding every column (io/text_parse.py): its time
    # column stays in that allocation (here 1 of 5 columns), instead of pyarrow's whole table beside the data
    held_max = 1.3 if fmt == "csv" else 1.1
    assert held < held_max * size, f"{fmt}: the reader keeps {held / size:.2f}× the float64 size"
    assert peak < READ_PEAK[fmt] * size, f"{fmt}: read peak {peak / size:.2f}× the float64 size"
    assert peak < 2 * size or fmt in ("bdf", "wfdb", "csv"), f"{fmt}: two float64 copies at once"


def test_filtering_holds_filtered_and_envelope_only(recording):
    preprocess(Recording(np.zeros((1, 4000)), fs=FS, ch_names=["x"]), Settings())  # imports, filter design
    out, peak, held = _traced(lambda: preprocess(recording, Settings()))
    size = recording.data.nbytes
    assert out.filtered.data.nbytes == out.envelope.data.nbytes == size
    assert held < 2.1 * size  # the filtered and envelope copies; rectified is computed on access
    assert peak < 3.3 * size  # those two and one channel-block temporary of the filter


def test_store_counts_what_a_processed_recording_holds_without_computing_it(recording):
    out = preprocess(recording, Settings())
    nbytes, peak, _ = _traced(lambda: cache._processed_bytes(out))
    assert nbytes == out.filtered.data.nbytes == recording.data.nbytes  # the envelope is not computed yet
    assert peak < 0.01 * recording.data.nbytes  # neither |filtered| nor the envelope is computed to be measured
    assert not out.envelope_ready
    assert cache._processed_bytes(out) == nbytes
    env = out.envelope  # computed on its first read, then held and counted
    assert cache._processed_bytes(out) == out.filtered.data.nbytes + env.data.nbytes == 2 * recording.data.nbytes


# ---- the store: an output never evicts its input ---------------------------------------------------
def test_put_keeps_the_inputs_it_names():
    lru = ByteLRU(100)
    lru.put("read", "R", 40)
    lru.put("other", "O", 10)
    lru.put("proc", "P", 80, keep=("read",))  # 130 > 100: "other" goes, "read" stays with "proc"
    assert lru.keys() == ["read", "proc"] and lru.nbytes == 120
    lru.put("proc2", "Q", 80)  # named by nobody: "read" and "proc" go
    assert lru.keys() == ["proc2"] and lru.nbytes == 80


def test_evicting_an_input_evicts_what_was_stored_with_it():
    """A processed recording holds the recording it was filtered from (``out.raw``): evicting only the
    read one freed nothing while the store stopped counting it (measured: two 100 MB EDF uploads in a
    row kept 2.6 GB resident with 2.0 GB counted)."""
    lru = ByteLRU(100)
    lru.put("read", "R", 40)
    lru.put("proc", "P", 40, keep=("read",))
    lru.put("x", "X", 30)  # 110 > 100: "read" is the oldest; "proc" holds it, so it goes too
    assert lru.keys() == ["x"] and lru.nbytes == 30 and lru.evictions == 2


def test_a_budget_below_one_recording_does_not_read_and_filter_again_at_every_rerun(monkeypatch):
    """Over a budget smaller than read + processed, the processed copies used to evict the read
    recording, and the next rerun's read evicted the processed ones: every rerun read and filtered
    the file again. Now the pair stays; a rerun computes nothing."""
    reads, runs = [], []
    real_preprocess = cache.preprocess

    def fake_read(files, fs=None, **options):
        reads.append(files[0][0])
        return Recording(np.random.default_rng(1).normal(size=(1, MiB // 8)), fs=1000, ch_names=["a"])

    def counting_preprocess(rec, settings):
        runs.append(1)
        return real_preprocess(rec, settings)

    monkeypatch.setattr(cache, "read_files", fake_read)
    monkeypatch.setattr(cache, "preprocess", counting_preprocess)
    monkeypatch.setenv("EMGVIZ_CACHE_MB", "1.5")  # read 1 MiB + processed 1 MiB (envelope not read) > 1.5 MiB
    settings = cache.settings_key(Settings())
    for _ in range(3):  # the upload's run, then two reruns
        rec = cache.read_cached("big", ("big.edf",), None, "{}", (("big.edf", b""),))
        cache.process_cached("kbig", settings, rec)
    assert reads == ["big.edf"] and runs == [1]
    store = cache.cache_store()
    assert [k.split("|")[0] for k in store.keys()[-2:]] == ["read", "proc"]
    # the next recording evicts both: the budget still bounds everything but the recording in use
    rec2 = cache.read_cached("small", ("small.edf",), None, "{}", (("small.edf", b""),))
    cache.process_cached("ksmall", settings, rec2)
    assert not any("big" in k for k in store.keys()) and store.nbytes == 2 * MiB


# ---- every rerun: the display unit reads a sample, not a copy of the recording --------------------
def test_display_unit_copies_no_whole_recording():
    from emgviz.units import amplitude_magnitude, display_unit, recording_display_unit

    rng = np.random.default_rng(9)
    n = 2_000_000  # 4 channels: 64 MB as float64, read at a stride of 10
    data = rng.normal(0.0, 200e-6, (4, n))
    data[2] *= 100  # a force channel far larger than the EMG: must not decide the unit
    rec = Recording(data, fs=FS, ch_names=["a", "b", "force", "c"], ch_kinds=["emg", "emg", "force", "emg"])
    unit, peak, _ = _traced(lambda: recording_display_unit(rec))
    expected = amplitude_magnitude(data[[0, 1, 3]])  # the rule on the EMG rows, as before the change
    assert expected == pytest.approx(200e-6, rel=0.02)
    assert unit == display_unit("V", expected)
    assert peak < 0.3 * data.nbytes  # was a copy of the EMG rows (0.75×) and more, at every rerun
