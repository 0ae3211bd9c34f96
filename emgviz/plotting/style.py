"""Colours shared by the figure modules, so the same thing looks the same everywhere."""

from __future__ import annotations

__all__ = ["OKABE_ITO", "SESSION_PALETTE", "TRACE_COLOR", "ENVELOPE_COLOR"]

#: Okabe & Ito (2008) colour-blind-safe palette, by name.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
#: Colour per compared session, by position: the Okabe–Ito colours, most distinct first.
SESSION_PALETTE = tuple(OKABE_ITO[name] for name in
                        ("blue", "vermillion", "green", "purple", "orange", "sky", "black", "yellow"))
#: A signal trace (thin, dark, print-friendly on white).
TRACE_COLOR = "#1f2a36"
#: An envelope drawn over a trace, and a filter's response drawn over a spectrum.
ENVELOPE_COLOR = "#d95f02"

#: British spellings (the house rule for public names); the ``*_COLOR`` names stay as aliases.
TRACE_COLOUR = TRACE_COLOR
ENVELOPE_COLOUR = ENVELOPE_COLOR
