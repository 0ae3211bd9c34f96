"""What every data view receives from the app: the loaded recording and its processing."""

from __future__ import annotations

from dataclasses import dataclass

from ..recording import Recording
from ..settings import Settings


@dataclass(frozen=True, eq=False)
class ViewContext:
    """The state a view renders from. Everything here is immutable and may be shared.

    Attributes
    ----------
    rec : Recording
        The raw recording, restricted to the channels the user picked (EMG by default).
        Never modified.
    full : Recording
        The raw recording with every channel of the file (force, triggers, ...).
    processed : emgviz.pipeline.Processed
        ``preprocess(rec, settings)``: ``.filtered``, ``.rectified``, ``.envelope``, ``.warnings``.
    settings : Settings
        The effective processing settings.
    name : str
        File name or sample title, for titles and export file names.
    digest : str
        SHA-256 hex of the source bytes (the cache key; shown in reports).
    description : str
        What was detected, e.g. "CSV, 8 EMG channels at 1000 Hz, 6 events".
    key : str
        A short stable id for widget keys and caches (first 12 hex of ``digest`` + channels).
    """

    rec: Recording
    full: Recording
    processed: object
    settings: Settings
    name: str
    digest: str
    description: str
    key: str
