"""Needle (intramuscular) EMG: motor-unit potential analysis, reference values, interference pattern,
spontaneous activity."""

from .filtering import NEEDLE_HIGH_HZ, NEEDLE_LOW_HZ, needle_band, needle_filter
from .interference import IP_COLUMNS, interference_pattern, outside_cloud, turns_amplitude
from .measure import MupMeasures, count_phases, count_turns, measure_template
from .muap import MUP_COLUMNS, MupAnalysis, firing_rate, muap_analysis, muap_table
from .reference import MUSCLES, muscle_key, reference_for, reference_table
from .summary import NeedleSummary, needle_summary
from .muscles import MUSCLE_MUP_COLUMNS, muscle_mup_table, needle_channels
from .synthetic import PATTERNS, UnitSpec, synthetic_needle, template_wave
from .spontaneous import SPONTANEOUS_COLUMNS, SPONTANEOUS_TYPES, spontaneous_activity

__all__ = [
    "muap_table", "muap_analysis", "MupAnalysis", "MUP_COLUMNS", "firing_rate",
    "measure_template", "MupMeasures", "count_phases", "count_turns",
    "needle_filter", "needle_band", "NEEDLE_LOW_HZ", "NEEDLE_HIGH_HZ",
    "interference_pattern", "turns_amplitude", "outside_cloud", "IP_COLUMNS",
    "needle_summary", "NeedleSummary", "muscle_mup_table", "MUSCLE_MUP_COLUMNS", "needle_channels", "reference_table", "reference_for", "muscle_key", "MUSCLES",
    "synthetic_needle", "template_wave", "UnitSpec", "PATTERNS",
    "spontaneous_activity", "SPONTANEOUS_COLUMNS", "SPONTANEOUS_TYPES",
]
