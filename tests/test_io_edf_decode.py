"""The EDF/BDF decoder (emgviz.io.edf): block by block and channels on threads, bit-identical to scaling
whole rows, and equal to edfio's own physical values."""

import io

import edfio
import numpy as np
import pytest

from emgviz.io import edf, units


def _bytes(obj) -> bytes:
    buf = io.BytesIO()
    obj.write(buf)
    return buf.getvalue()


def _whole_rows(content: bytes) -> np.ndarray:
    """The decoder before #21 (reference): each row scaled in one multiply, then shifted in one add."""
    is_bdf = content[:8] == b"\xffBIOSEMI"
    ed = edfio.read_bdf(content) if is_bdf else edfio.read_edf(content, lazy_load_data=True)
    rows = []
    for sig in ed.signals:
        factor, _ = units.volts_scale(sig.physical_dimension.strip())
        gain = (sig.physical_max - sig.physical_min) / (sig.digital_max - sig.digital_min)
        scale = gain * factor
        offset = sig.physical_max / gain - sig.digital_max
        row = np.empty(ed.num_data_records * sig.samples_per_data_record)
        np.multiply(edf._digital_view(sig), scale, out=row.reshape(-1, sig.samples_per_data_record),
                    casting="unsafe")
        if offset:
            row += offset * scale
        rows.append(row)
    return np.array(rows)


def _edfio_physical(content: bytes) -> np.ndarray:
    """edfio's public physical values (``signal.data``), in volts for voltages."""
    is_bdf = content[:8] == b"\xffBIOSEMI"
    ed = edfio.read_bdf(content) if is_bdf else edfio.read_edf(content)
    return np.array([s.data * units.volts_scale(s.physical_dimension.strip())[0] for s in ed.signals])


def _close(a: np.ndarray, b: np.ndarray) -> None:
    """Equal to within 1e-12 of each row's largest magnitude (a few ulps of its physical range)."""
    assert a.shape == b.shape
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-12 * float(np.abs(y).max()))


def _signals(n_sec: int, fs: int, cls, *, seed: int = 0):
    """Three channels whose physical ranges are not symmetric about 0 (so the offset is not 0)."""
    rng = np.random.default_rng(seed)
    n = n_sec * fs
    return [cls(rng.uniform(-900, 1400, n), fs, label="EMG biceps", physical_dimension="uV",
                physical_range=(-1000, 1500)),
            cls(rng.uniform(-0.2, 0.9, n), fs, label="EMG triceps", physical_dimension="mV",
                physical_range=(-0.25, 1.0)),
            cls(rng.uniform(0, 40, n), fs, label="Force", physical_dimension="N", physical_range=(0, 50))]


@pytest.fixture(params=["edf", "bdf"])
def long_file(request) -> bytes:
    """37 records of 1 s at 2 kHz: several blocks of records and a short last block."""
    if request.param == "edf":
        return _bytes(edfio.Edf(_signals(37, 2000, edfio.EdfSignal)))
    return _bytes(edfio.Bdf(_signals(37, 2000, edfio.BdfSignal)))


@pytest.mark.parametrize("threads", ["1", "2"])
def test_decoded_samples_are_bit_identical_to_whole_row_scaling(long_file, threads, monkeypatch):
    monkeypatch.setenv("EMGVIZ_THREADS", threads)
    rec = edf.read(long_file, "trial.edf", group="2000 Hz")
    ref = _whole_rows(long_file)
    assert rec.data.shape == ref.shape == (3, 37 * 2000)
    assert np.array_equal(rec.data, ref)          # bit for bit
    assert rec.ch_units == ("V", "V", "N")


def test_decoded_samples_equal_edfio_physical_values(long_file):
    rec = edf.read(long_file, "trial.edf", group="2000 Hz")
    # edfio adds the offset before the gain; here it is folded into one scale and one shift:
    # the same value up to rounding
    _close(rec.data, _edfio_physical(long_file))


def test_blocks_smaller_than_one_record(monkeypatch):
    """A record longer than a block: one record per block, still every sample once."""
    monkeypatch.setattr(edf, "_BLOCK_SAMPLES", 700)
    content = _bytes(edfio.Edf(_signals(5, 2000, edfio.EdfSignal)))
    assert np.array_equal(edf.read(content, "x.edf").data, _whole_rows(content))


def test_scale_into_matches_a_whole_multiply_with_strided_records():
    rng = np.random.default_rng(3)
    records = rng.integers(-32768, 32767, size=(101, 3 * 250), dtype=np.int16)
    view = records[:, 250:500]               # the middle signal: strided rows, as in a file
    out = np.empty((101, 250))
    edf._scale_into(view, out, 3.0517578125e-8, -1.2e-5)
    ref = view * 3.0517578125e-8
    ref += -1.2e-5
    assert np.array_equal(out, ref)


def test_real_edf_file_is_decoded_as_before_and_as_edfio(shared_real):
    path = shared_real / "opensignals_supine_1min_ecg.edf"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    content = path.read_bytes()
    rec = edf.read(content, path.name)
    ed = edfio.read_edf(content)
    labels = [s.label for s in ed.signals]
    rows = [labels.index(n) for n in rec.ch_names]
    assert np.array_equal(rec.data, _whole_rows(content)[rows])
    _close(rec.data, _edfio_physical(content)[rows])
