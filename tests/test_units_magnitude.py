"""units.recording_display_unit reads a Recording's (finite) samples with plain means (#21): the magnitude is
bit-identical to amplitude_magnitude's nanmean path, and non-finite samples still take that path."""

from types import SimpleNamespace

import numpy as np
import pytest

from emgviz import units
from emgviz.recording import Recording


@pytest.mark.parametrize("shape", [(1, 1), (1, 2), (3, 7), (16, 200_000), (2, 200_001), (5, 12_345)])
@pytest.mark.parametrize("offset", [0.0, 4e-3, -1.5])
def test_magnitude_bit_identical_to_the_nanmean_path(shape, offset):
    x = np.random.default_rng(shape[1]).standard_normal(shape) * 3e-4 + offset
    assert units._magnitude_of_samples(x) == units.amplitude_magnitude(x, max_samples=shape[1])


def test_non_finite_samples_take_the_nan_aware_path():
    x = np.random.default_rng(0).standard_normal((3, 1000)) * 2e-3
    x[0, 5] = np.nan
    x[1, :] = np.nan
    assert units._magnitude_of_samples(x) == units.amplitude_magnitude(x)
    assert np.isfinite(units._magnitude_of_samples(x))
    duck = SimpleNamespace(data=x, unit="V", ch_kinds=("emg",) * 3)
    assert units.recording_display_unit(duck) == units.display_unit("V", units.amplitude_magnitude(x))


@pytest.mark.parametrize("amp, shown", [(1e-4, "µV"), (5e-3, "mV")])
def test_recording_display_unit_unchanged_on_a_long_recording(amp, shown):
    n = 3 * units._MAGNITUDE_SAMPLES + 11            # read at a stride of 3
    rng = np.random.default_rng(2)
    data = rng.standard_normal((3, n)) * amp
    rec = Recording(data, fs=2000.0, ch_names=["a", "b", "force"], ch_kinds=["emg", "emg", "force"])
    got = units.recording_display_unit(rec)
    sub = data[:2, ::3]
    assert got == units.display_unit("V", units.amplitude_magnitude(sub))
    assert got.shown == shown


def test_shared_real_recordings_keep_their_unit(shared_data):
    from emgviz.io import wfdbio
    for stem in ("emg_healthy", "emg_myopathy", "emg_neuropathy"):
        rec = wfdbio.read_record((shared_data / f"{stem}.hea").read_bytes(), f"{stem}.hea",
                                 {f"{stem}.dat": (shared_data / f"{stem}.dat").read_bytes()})
        sub = rec.data[..., ::max(1, rec.n_samples // units._MAGNITUDE_SAMPLES)]
        assert units._magnitude_of_samples(sub) == units.amplitude_magnitude(rec.data)
