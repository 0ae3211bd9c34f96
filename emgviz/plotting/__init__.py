"""Plotly figure builders (never import Streamlit) and display decimation.

Browser: :func:`stacked_figure`, :func:`overview_figure`; spectra: :func:`psd_figure`,
:func:`spectrogram_figure`; decimation: :func:`minmax_decimate`. Other figure modules
(``summary``, ``compare``) are imported from their own modules.
"""

from .browser import auto_scale, auto_scales, format_scale, overview_envelope, overview_figure, stacked_figure
from .decimate import minmax_decimate
from .spectra import psd_figure, spectrogram_figure

__all__ = ["stacked_figure", "overview_figure", "overview_envelope", "auto_scale", "auto_scales", "format_scale",
           "psd_figure", "spectrogram_figure", "minmax_decimate"]
