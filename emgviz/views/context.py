"""What every data view receives from the app: the loaded recording and its processing."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

from ..recording import Recording
from ..settings import Settings


_MEMO: "dict[str, weakref.WeakKeyDictionary]" = {}
_MEMO_LOCK = threading.Lock()


def per_recording(name: str, rec: Recording, compute, *args):
    """``compute(rec, *args)``, computed once per recording object and remembered while it lives.

    A Recording is immutable and the read and processing caches hand back the same object on
    every rerun, so whole-recording summaries (flat channels, the display unit, a channel pick)
    need not go through the samples again: for an hour of 16 channels each costs from a tenth
    of a second to a second per rerun otherwise.

    Parameters
    ----------
    name : str
        What is computed (one memo per name).
    rec : Recording
        The recording (held weakly: the memo entry goes when the caches drop it).
    compute : callable
        ``compute(rec, *args)`` → the value.
    *args : hashable
        Further arguments; the last :data:`MEMO_PER_RECORDING` distinct ones are kept per recording.
    """
    with _MEMO_LOCK:
        memo = _MEMO.setdefault(name, weakref.WeakKeyDictionary())
        values = memo.get(rec)
        if values is not None and args in values:
            values.move_to_end(args)
            return values[args]
    value = compute(rec, *args)
    with _MEMO_LOCK:
        values = memo.setdefault(rec, OrderedDict())
        values[args] = value
        while len(values) > MEMO_PER_RECORDING:
            values.popitem(last=False)
    return value


#: Distinct argument sets remembered per recording by :func:`per_recording`.
MEMO_PER_RECORDING = 4


class LazyProcessed:
    """A processed recording (:class:`~emgviz.processed.Processed`) fetched only when its samples are read.

    What the app's views receive as ``ctx.processed`` (:func:`emgviz.views.cache.process_lazy`).
    ``settings`` (the effective ones) and ``warnings`` are known without filtering; every other
    attribute (``filtered``, ``envelope``, ``rectified``, ``envelope_channel``, ``derived``, ``pick``,
    ...) is that of the processed recording ``fetch()`` returns: the store's, computed again if the
    store no longer holds it. So a view whose products are cached (the Overview's figure and feature
    table for settings already seen) reads nothing and costs no filtering, and a view that reads the
    samples gets exactly what :func:`~emgviz.pipeline.preprocess` gives.

    It keeps the fetched object only through a weak reference: the store alone decides how long a
    processed recording lives. A context left over from an earlier script run (Streamlit frees the
    previous run's globals only at its next garbage collection) therefore never keeps an evicted
    0.9 GB copy alive beside the one being computed.

    Parameters
    ----------
    raw : Recording
        The recording it processes (``preprocess``'s input).
    settings : Settings
        The effective settings (as ``Processed.settings`` will be).
    warnings : tuple of str
        What ``preprocess`` will warn about (as ``Processed.warnings``).
    fetch : callable
        No arguments → the :class:`~emgviz.processed.Processed`.
    """

    __slots__ = ("raw", "settings", "warnings", "_fetch", "_ref", "_lock")

    def __init__(self, raw: Recording, settings: Settings, warnings: tuple[str, ...], fetch):
        self.raw, self.settings, self.warnings, self._fetch = raw, settings, tuple(warnings), fetch
        self._ref = None
        self._lock = threading.Lock()

    def get(self):
        """The processed recording (fetched, or computed, now if not held by anyone)."""
        out = self._ref() if self._ref is not None else None
        if out is None:
            with self._lock:
                out = self._ref() if self._ref is not None else None
                if out is None:
                    out = self._fetch()
                    try:
                        self._ref = weakref.ref(out)
                    except TypeError:  # not weakly referable: hold it
                        self._ref = lambda out=out: out
        return out

    @property
    def fetched(self) -> bool:
        """True when the processed recording is alive now (reading it costs no computation)."""
        return self._ref is not None and self._ref() is not None

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.get(), name)

    def __repr__(self) -> str:
        return f"LazyProcessed({self.raw.n_channels} ch, {'fetched' if self.fetched else 'not fetched'})"


def resolved(processed):
    """The :class:`~emgviz.processed.Processed` behind ``processed`` (fetched now if it is a
    :class:`LazyProcessed`), for code that reads several of its attributes: one object throughout,
    even if the store evicts it meanwhile."""
    return processed.get() if isinstance(processed, LazyProcessed) else processed


def _recording_display_unit(rec: Recording):
    from ..units import recording_display_unit

    return recording_display_unit(rec)


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
    processed : emgviz.pipeline.Processed or LazyProcessed
        ``preprocess(rec, settings)``: ``.filtered``, ``.rectified``, ``.envelope``, ``.warnings``;
        in the app a :class:`LazyProcessed` (fetched on the first read of its samples).
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
        return per_recording("display_unit", self.full, _recording_display_unit)

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
