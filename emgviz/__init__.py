"""emgviz: explore electromyography (EMG) recordings.

Read a file, filter it, measure it::

    import emgviz
    rec = emgviz.read_file("sample_data/emg_healthy.hea")
    out = emgviz.preprocess(rec, emgviz.Settings(notch_hz=50))
    table = emgviz.feature_table(out.filtered)

``import emgviz`` is cheap: every public name below is imported from its module on first
use (PEP 562 ``__getattr__``), so the command line starts without loading pandas, SciPy,
Plotly or Streamlit. To add a public name, add one row to ``_EXPORTS``.
"""

from __future__ import annotations

import importlib
import importlib.util

__version__ = "0.1.0"

#: Public name -> the submodule that defines it (imported on first access).
_EXPORTS: dict[str, str] = {
    "Recording": ".recording", "make_events": ".recording",
    "Settings": ".settings",
    "ReadError": ".errors", "NeedsSamplingRate": ".errors", "NeedsChoice": ".errors",
    "read_file": ".io", "read_bytes": ".io", "read_files": ".io", "write_file": ".io.write",
    "preprocess": ".pipeline", "Processed": ".pipeline", "steps": ".pipeline",
    "feature_table": ".features", "windowed_features": ".features", "burst_features": ".features",
    "detect_bursts": ".onsets", "consensus": ".onsets",
    "fatigue_trend": ".fatigue", "FatigueResult": ".fatigue",
    "mvc_reference": ".normalise", "mvc_from_recording": ".normalise", "to_percent_mvc": ".normalise",
    "peak_normalise": ".normalise",
    "signal_quality": ".quality",
    "simulate": ".simulate", "Simulation": ".simulate",
    "Session": ".compare", "match_channels": ".compare", "compare_features": ".compare",
    "symmetry_index": ".compare",
    "cycle_average": ".cycles", "run_batch": ".batch",
    "read_bids_file": ".bids", "read_bids_dataset": ".bids", "write_bids": ".bids",
    "muap_table": ".needle", "needle_summary": ".needle", "spontaneous_activity": ".needle.spontaneous",
    "simulate_needle": ".simulate.needle", "NeedleSimulation": ".simulate.needle",
    "table_csv": ".export", "figure_html": ".export", "figure_png": ".export",
    "report_html": ".report", "write_report": ".report",
    "display_unit": ".units", "to_display_units": ".units",
    "BurstParams": ".burst_params",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str):
    """Import a public name from its module the first time it is used (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
            return importlib.import_module(f"{__name__}.{name}")  # a submodule: emgviz.export
        raise AttributeError(f"module 'emgviz' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
