"""Write tests/data/golden_pipeline.npz: outputs of the processing modules on every bundled sample.

Run once before a refactor of the processing modules (``python tests/data/make_golden.py``)
and commit the file; ``tests/test_golden.py`` then checks that the refactored code gives
the same numbers (1e-9 relative where the maths did not change). The filtered and envelope
arrays are kept at their first and last 300 samples (edges, where padding matters) and at
every 101st sample in between, so the file stays small.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SETTINGS = {  # variant name -> Settings keyword arguments
    "default": {},
    "notch50x1": {"notch_hz": 50, "notch_harmonics": 1},
    "notch60_lowpass": {"notch_hz": 60, "envelope": "lowpass", "lowpass_hz": 8.0},
    "nodc_nobandpass": {"remove_dc": False, "bandpass": False},
}
SAMPLE_KEYS = ("uci-gestures", "emgdb-healthy", "biosppy", "ktk-biceps")
EDGE = 300
STRIDE = 101
OUT = Path(__file__).with_name("golden_pipeline.npz")


def thin(a: np.ndarray) -> np.ndarray:
    """The edges and every STRIDE-th sample of a (n_channels, n_samples) array."""
    n = a.shape[-1]
    idx = np.unique(np.concatenate([np.arange(min(EDGE, n)), np.arange(0, n, STRIDE),
                                    np.arange(max(0, n - EDGE), n)]))
    return a[..., idx]


def load(key: str):
    from emgviz.io import read_file
    from emgviz.samples import get_sample, sample_path
    return read_file(sample_path(key), **dict(get_sample(key).read_options))


def _frame(prefix: str, table, out: dict) -> None:
    for col in table.columns:
        values = table[col].to_numpy()
        if values.dtype == object:
            out[f"{prefix}/{col}"] = np.asarray([str(v) for v in values])
        else:
            out[f"{prefix}/{col}"] = values.astype(np.float64)


def compute(key: str) -> dict[str, np.ndarray]:
    """Every golden array for one sample, keyed "sample/variant/what[/column]"."""
    from emgviz.features import feature_table, windowed_features
    from emgviz.onsets import detect_bursts
    from emgviz.pipeline import preprocess, steps
    from emgviz.quality import signal_quality
    from emgviz.settings import Settings

    rec = load(key)
    out: dict[str, np.ndarray] = {}
    for variant, kwargs in SETTINGS.items():
        p = f"{key}/{variant}"
        proc = preprocess(rec, Settings(**kwargs))
        out[f"{p}/filtered"] = thin(proc.filtered.data)
        out[f"{p}/envelope"] = thin(proc.envelope.data)
        out[f"{p}/describe"] = np.asarray([proc.settings.describe()])
        out[f"{p}/step_labels"] = np.asarray([s[0] for s in steps(rec, Settings(**kwargs))])
        _frame(f"{p}/features", feature_table(proc.filtered), out)
        if variant == "default":
            _frame(f"{p}/windowed", windowed_features(proc.filtered, window_s=1.0, step_s=0.5), out)
            _frame(f"{p}/bursts", detect_bursts(proc.filtered, method=["threshold", "double", "tkeo"]), out)
    _frame(f"{key}/raw/quality", signal_quality(rec), out)
    return out


def main() -> None:
    arrays: dict[str, np.ndarray] = {}
    for key in SAMPLE_KEYS:
        arrays.update(compute(key))
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {len(arrays)} arrays)")


if __name__ == "__main__":
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main()
