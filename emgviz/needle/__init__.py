"""Needle (intramuscular) EMG: motor-unit potential analysis, reference values, interference pattern,
spontaneous activity."""
