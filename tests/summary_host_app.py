"""A tiny host for the Summary view (AppTest): a synthetic 3-muscle recording, processed, rendered."""

import hashlib

import numpy as np

from emgviz.recording import Recording
from emgviz.settings import Settings

SETTINGS = Settings(notch_hz=50)
NAME = "synthetic <b>arm</b>.csv"


def build_recording() -> Recording:
    """6 s at 1 kHz: bursts 1–2, 3–4, 5–6 s; the third muscle is weaker; names need escaping."""
    rng = np.random.default_rng(7)
    fs, n = 1000.0, 6000
    t = np.arange(n) / fs
    gate = ((t % 2) >= 1.0).astype(float)
    gains = np.array([[1.0], [2.0], [0.5]])
    data = rng.normal(size=(3, n)) * (5e-6 + 100e-6 * gate) * gains
    return Recording(data, fs=fs, ch_names=["biceps", "triceps", "<script>x</script>"], source=NAME)


def build_context():
    from emgviz.pipeline import preprocess
    from emgviz.views.context import ViewContext

    rec = build_recording()
    digest = hashlib.sha256(rec.data.tobytes()).hexdigest()
    return ViewContext(rec=rec, full=rec, processed=preprocess(rec, SETTINGS), settings=SETTINGS, name=NAME,
                       digest=digest, description="synthetic, 3 EMG channels at 1000 Hz",
                       key=digest[:12] + "-3ch")


if __name__ == "__main__":  # Streamlit runs the script as __main__
    from emgviz.views import summary

    summary.render(build_context())
