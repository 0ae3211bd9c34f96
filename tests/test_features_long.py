"""feature_table on long signals (the paths the 1 h recording takes: Welch summed batch by batch, the
time-domain features block by block with reused buffers) equals the plain definitions within 1e-9."""

import numpy as np
import pytest
from scipy import signal

from emgviz import features as F
from emgviz.recording import Recording
from emgviz.spectral import mean_frequency, median_frequency, peak_frequency, total_power, welch_psd


@pytest.fixture
def rec():
    rng = np.random.default_rng(12)
    n = 3 * F._BLOCK + 1234                  # several blocks and a short last one; many Welch batches
    data = rng.standard_normal((3, n)) * 2e-5 * (1 + (np.arange(n) % 9000 > 6000))
    data[1] += 4e-4                           # a DC offset (detrended per segment)
    data[2] = 1e-3 * np.sin(np.arange(n) * 2e-3) + 1e-7 * data[2]   # slow and large: few crossings
    return Recording(data, fs=2000.0, ch_names=["a", "b", "c"])


def test_welch_of_a_long_signal_equals_scipy(rec):
    for x in rec.data:
        f, p = welch_psd(x, rec.fs, segment_s=0.25)
        f0, p0 = signal.welch(x, fs=rec.fs, window="hann", nperseg=500, noverlap=250, detrend="constant",
                              scaling="density")
        np.testing.assert_array_equal(f, f0)
        np.testing.assert_allclose(p, p0, rtol=1e-9, atol=1e-12 * p0.max())


def test_feature_table_of_a_long_signal_equals_the_definitions(rec):
    table = F.feature_table(rec)
    u = rec.unit
    for i, x in enumerate(rec.data):
        row = table.iloc[i]
        f, p = signal.welch(x, fs=rec.fs, window="hann", nperseg=500, noverlap=250, detrend="constant",
                            scaling="density")
        expected = {f"RMS ({u})": F.rms(x), f"MAV ({u})": F.mav(x), f"iEMG ({u}·s)": F.iemg(x, rec.fs),
                    f"VAR ({u}²)": F.var(x), f"WL ({u})": F.waveform_length(x), f"DASDV ({u})": F.dasdv(x),
                    f"peak ({u})": F.peak(x), "MNF (Hz)": mean_frequency(f, p), "MDF (Hz)": median_frequency(f, p),
                    "peak frequency (Hz)": peak_frequency(f, p), f"total power ({u}²)": total_power(f, p)}
        for column, value in expected.items():
            np.testing.assert_allclose(row[column], value, rtol=1e-9, err_msg=f"{column} of {rec.ch_names[i]}")
        assert row["ZC (count)"] == F.zero_crossings(x)
        assert row["SSC (count)"] == F.slope_sign_changes(x)
    assert table["ZC (count)"].iloc[2] < 100 < 10_000 < table["ZC (count)"].iloc[0]   # both regimes covered
