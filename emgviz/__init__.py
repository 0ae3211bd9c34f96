"""emgviz: explore electromyography (EMG) recordings.

Read a file, filter it, measure it::

    import emgviz
    rec = emgviz.read_file("sample_data/emg_healthy.hea")
    out = emgviz.preprocess(rec, emgviz.Settings(notch_hz=50))
    table = emgviz.feature_table(out.filtered)
"""

from .errors import NeedsChoice, NeedsSamplingRate, ReadError
from .io import read_bytes, read_file, read_files
from .recording import Recording, make_events
from .settings import Settings

__version__ = "0.1.0"

__all__ = [
    "Recording", "make_events", "Settings",
    "ReadError", "NeedsSamplingRate", "NeedsChoice",
    "read_file", "read_bytes", "read_files",
    "__version__",
]
