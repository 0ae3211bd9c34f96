"""emgviz: explore electromyography (EMG) recordings.

Read a file, filter it, measure it::

    import emgviz
    rec = emgviz.read_file("sample_data/emg_healthy.hea")
    out = emgviz.preprocess(rec, emgviz.Settings(notch_hz=50))
    table = emgviz.feature_table(out.filtered)
"""

__version__ = "0.1.0"

from .batch import run_batch
from .compare import Session, compare_features, match_channels, symmetry_index
from .cycles import cycle_average
from .errors import NeedsChoice, NeedsSamplingRate, ReadError
from .export import figure_html, figure_png, table_csv
from .fatigue import FatigueResult, fatigue_trend
from .features import burst_features, feature_table, windowed_features
from .io import read_bytes, read_file, read_files
from .io.write import write_file
from .normalise import mvc_from_recording, mvc_reference, peak_normalise, to_percent_mvc
from .onsets import consensus, detect_bursts
from .pipeline import Processed, preprocess, steps
from .quality import signal_quality
from .recording import Recording, make_events
from .report import report_html, write_report
from .settings import Settings
from .simulate import Simulation, simulate

__all__ = [
    "Recording", "make_events", "Settings",
    "ReadError", "NeedsSamplingRate", "NeedsChoice",
    "read_file", "read_bytes", "read_files", "write_file",
    "preprocess", "Processed", "steps",
    "feature_table", "windowed_features", "burst_features",
    "detect_bursts", "consensus",
    "fatigue_trend", "FatigueResult",
    "mvc_reference", "mvc_from_recording", "to_percent_mvc", "peak_normalise",
    "signal_quality",
    "simulate", "Simulation",
    "Session", "match_channels", "compare_features", "symmetry_index", "cycle_average", "run_batch",
    "table_csv", "figure_html", "figure_png", "report_html", "write_report",
    "__version__",
]
