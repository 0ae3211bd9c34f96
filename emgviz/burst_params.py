"""Burst-detection parameters as the app, the report and every export use them.

The threshold detector (:func:`emgviz.onsets.threshold_onsets`, Hodges & Bui 1996) is run
with these values through the public :func:`emgviz.onsets.detect_bursts`; they are shown
in the app, written into every export that holds bursts, and can be passed from the API.

How the defaults were judged: on the bundled UCI gesture recording (8 channels, 12
gestures marked by the file's own class events), a burst "splits a contraction" when two
bursts of one channel overlap the same gesture event, and is "outside" when it overlaps
none. The detector's own minimum duration and gap (50 ms / 50 ms) gave 307 bursts, 33
split contractions and 151 bursts outside any gesture; a minimum duration of 300 ms and a
merge gap of 800 ms give 66 bursts, **no split contraction** and 4 bursts outside the
marked gestures (16 bursts span two neighbouring gestures where that channel never returned
to rest). The threshold stays at the detector's noise-safe 5 SD above rest.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

__all__ = ["BurstParams", "BURST_DEFAULTS"]


@dataclass(frozen=True)
class BurstParams:
    """Threshold, minimum duration and merge gap of the threshold burst detector.

    Parameters
    ----------
    k : float, default=5.0
        Threshold in standard deviations of the rest envelope above its mean.
    min_duration_ms : float, default=300.0
        Shortest burst kept, in ms (``min_on_ms`` of the detector).
    merge_gap_ms : float, default=800.0
        Bursts closer than this, in ms, are merged into one (``min_off_ms`` of the detector).

    Examples
    --------
    >>> BurstParams().detector_options()
    {'k': 5.0, 'min_on_ms': 300.0, 'min_off_ms': 800.0}
    """

    k: float = 5.0
    min_duration_ms: float = 300.0
    merge_gap_ms: float = 800.0

    def __post_init__(self):
        for name in ("k", "min_duration_ms", "merge_gap_ms"):
            value = float(getattr(self, name))
            if not value > 0 or value != value or value == float("inf"):
                raise ValueError(f"{name} must be a positive number, got {getattr(self, name)!r}")
            object.__setattr__(self, name, value)

    def detector_options(self) -> dict[str, float]:
        """Keyword arguments for :func:`emgviz.onsets.detect_bursts` (threshold method)."""
        return {"k": self.k, "min_on_ms": self.min_duration_ms, "min_off_ms": self.merge_gap_ms}

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    def to_json(self) -> str:
        """Sorted JSON: a cache key and the ``# burst detection:`` provenance value."""
        return json.dumps({"method": "threshold (Hodges & Bui 1996)", **self.to_dict()}, sort_keys=True)

    def describe(self) -> str:
        return (f"threshold detector: mean + {self.k:g} SD of rest, bursts of at least "
                f"{self.min_duration_ms:g} ms, gaps under {self.merge_gap_ms:g} ms merged")


#: The app's defaults (see the module docstring for how they were judged).
BURST_DEFAULTS = BurstParams()
