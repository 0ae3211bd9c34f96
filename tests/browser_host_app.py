"""A tiny host for the Browse view (AppTest target): builds a ViewContext and calls render(ctx).

Keeps tests/test_view_browser.py independent of app.py. Loads the bundled UCI sample;
``EMGVIZ_BROWSER_HOST=synthetic`` uses a seeded synthetic recording instead.
"""

import hashlib
import os
from pathlib import Path

import numpy as np
import streamlit as st

from emgviz.pipeline import preprocess
from emgviz.recording import Recording
from emgviz.settings import Settings
from emgviz.views import browser
from emgviz.views.context import ViewContext

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "uci_gestures_1_raw_data_11-08_21.03.16.txt"


@st.cache_resource
def _load(which: str):
    if which == "synthetic":
        rng = np.random.default_rng(7)
        fs, n = 2000.0, 2000 * 30
        data = rng.normal(0, 20e-6, (3, n))
        data[1, 20_000:30_000] *= 8
        rec = Recording(data, fs=fs, ch_names=["biceps", "triceps", "deltoid"], unit="V", t0=5.0,
                        events=[(8.0, "go"), (20.0, 1.5, "lift")], source="synthetic")
        digest = hashlib.sha256(data.tobytes()).hexdigest()
    else:
        from emgviz.io import read_file
        rec = read_file(SAMPLE)
        digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    return rec, digest


@st.cache_resource
def _process(digest: str, settings: Settings, _rec: Recording):
    return preprocess(_rec, settings)


which = os.environ.get("EMGVIZ_BROWSER_HOST", "sample")
rec, digest = _load(which)
settings = Settings()
processed = _process(digest, settings, rec)
ctx = ViewContext(rec=rec, full=rec, processed=processed, settings=processed.settings, name=rec.source or which,
                  digest=digest, description=repr(rec), key=digest[:12])
browser.render(ctx)
