"""What every data view receives from the app: the loaded recording and its processing."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..recording import Recording
from ..settings import Settings


def _no_options() -> dict:
    return {"fs": None, "options": {}}


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
    read_options : dict
        How the file was read: ``{"fs": float or None, "options": {"unit": "V", ...}}`` (the
        sampling rate typed in and the reader options); see :attr:`read_kwargs`.
    """

    rec: Recording
    full: Recording
    processed: object
    settings: Settings
    name: str
    digest: str
    description: str
    key: str
    read_options: dict = field(default_factory=_no_options)

    @cached_property
    def settings_key(self) -> str:
        """The settings as sorted JSON: the cache key of everything computed with them."""
        from .cache import settings_key

        return settings_key(self.settings)

    @cached_property
    def display(self):
        """The display unit of this recording (:func:`emgviz.units.recording_display_unit`).

        Chosen from the whole file's EMG channels, as the command line does, so a channel
        reads in the same unit in every view, table and export.
        """
        from ..units import recording_display_unit

        return recording_display_unit(self.full)

    @property
    def source(self):
        """This file as an export :class:`~emgviz.export.Source` (name, SHA-256, reader options)."""
        from ..export import Source

        return Source(self.name, self.digest, self.read_kwargs)

    @property
    def read_kwargs(self) -> dict:
        """The ``read_file`` keyword arguments that read the file as the app did (``fs=``, ``unit=``)."""
        fs = self.read_options.get("fs")
        return {**({"fs": fs} if fs is not None else {}), **dict(self.read_options.get("options") or {})}
