"""emgviz.feature_windows: features in sliding windows and per burst."""

from emgviz.feature_windows import windowed_features
from emgviz.spectral import mean_frequency, welch_psd


# ---- windows not aligned with the Welch segments -------------------------------------------------
def test_windowed_features_not_aligned_equal_welch_of_each_window(emg_rec):
    rec = emg_rec(names=("a",), fs=1000.0, duration_s=4.0)
    table = windowed_features(rec, window_s=0.7, step_s=0.33)
    win, step = 700, 330
    for k, row in table.iterrows():
        f, p = welch_psd(rec.data[0, k * step:k * step + win], rec.fs, segment_s=0.25)
        from emgviz.spectral import mean_frequency
        assert abs(row["MNF (Hz)"] - float(mean_frequency(f, p))) <= 1e-12 * row["MNF (Hz)"]
