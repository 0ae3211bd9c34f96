"""Deprecated spelling of :mod:`emgviz.normalise` (public names use British spelling).

``import emgviz.normalize`` keeps working and gives the same functions; new code should
import :mod:`emgviz.normalise`.
"""

import warnings

from .normalise import (PERCENT_MVC_UNIT, PERCENT_PEAK_UNIT, mvc_from_recording, mvc_reference,  # noqa: F401
                        peak_normalise, to_percent_mvc)
from .normalise import __all__  # noqa: F401

warnings.warn("emgviz.normalize is the old spelling; import emgviz.normalise instead",
              DeprecationWarning, stacklevel=2)
