"""The output of :func:`emgviz.pipeline.preprocess`: filtered samples, an envelope computed when
first asked for, and small derived results kept with them.

The envelope of an hour of 16 channels at 2 kHz is another 921 MB of float64 that the Overview
never needs at full rate (it draws a decimated envelope, see :mod:`emgviz.overview_data`):
:class:`Processed` computes it on the first read of :attr:`Processed.envelope` and keeps it from
then on, so a processed recording holds the filtered samples alone until something reads its
envelope. :meth:`Processed.envelope_channel` gives one channel's envelope without keeping the rest.
"""

from __future__ import annotations

import threading
from typing import Callable

import numpy as np

from .envelopes import envelope_method
from .recording import Recording
from .settings import Settings

__all__ = ["Processed"]


class Processed:
    """The output of :func:`~emgviz.pipeline.preprocess` (immutable).

    Parameters
    ----------
    raw : Recording
        The input, untouched.
    filtered : Recording
        DC removed, band-passed and notched as the settings say (same unit as raw).
    envelope : Recording, None or callable
        The envelope of the rectified filtered signal (``settings.envelope``, a key of
        :data:`emgviz.envelopes.ENVELOPE_METHODS`); None when there is none; a callable
        (no arguments, returning the Recording) computes it on the first read of
        :attr:`envelope`, once, and the result is kept.
    settings : Settings
        The effective settings (``high_hz`` clipped, filters skipped, harmonics dropped
        when the sampling rate requires; each change has a message in ``warnings``).
    warnings : tuple of str
        Messages for the user about what was changed and why.

    Examples
    --------
    >>> rec = Recording(np.ones((1, 4)), fs=100.0, ch_names=["a"])
    >>> out = Processed(rec, rec, lambda: rec.with_data(np.zeros((1, 4))), Settings(), ())
    >>> out.envelope_ready, float(out.envelope.data.sum()), out.envelope_ready
    (False, 0.0, True)
    """

    __slots__ = ("raw", "filtered", "settings", "warnings", "_envelope", "_compute", "_lock", "_derived",
                 "_key_locks", "_keys_lock", "__weakref__")

    def __init__(self, raw: Recording, filtered: Recording, envelope: Recording | None | Callable[[], Recording],
                 settings: Settings, warnings: tuple[str, ...] = ()):
        put = object.__setattr__
        put(self, "raw", raw)
        put(self, "filtered", filtered)
        put(self, "settings", settings)
        put(self, "warnings", tuple(warnings))
        lazy = callable(envelope) and not isinstance(envelope, Recording)
        put(self, "_envelope", None if lazy else envelope)
        put(self, "_compute", envelope if lazy else None)
        put(self, "_lock", threading.Lock())
        put(self, "_derived", {})
        put(self, "_key_locks", {})
        put(self, "_keys_lock", threading.Lock())

    def __setattr__(self, name, value):
        raise AttributeError(f"Processed is immutable; cannot set {name!r}")

    def __reduce__(self):
        """Pickle and copy as the five values (the envelope computed first; derived results are not kept)."""
        return (Processed, (self.raw, self.filtered, self.envelope, self.settings, self.warnings))

    def __repr__(self) -> str:
        state = "computed" if self.envelope_ready else ("none" if self._compute is None else "on first read")
        return (f"Processed({self.filtered.n_channels} ch × {self.filtered.n_samples} samples at "
                f"{self.filtered.fs:g} Hz, envelope {state}, warnings={len(self.warnings)})")

    # ---- the envelope ---------------------------------------------------------------------------
    @property
    def envelope(self) -> Recording | None:
        """The envelope (a Recording, same shape and unit as ``filtered``), or None when there is none.

        Computed on the first read when :func:`~emgviz.pipeline.preprocess` left it for later,
        then kept: every read returns the same object."""
        if self._compute is None:
            return self._envelope
        with self._lock:
            if self._compute is not None:
                object.__setattr__(self, "_envelope", self._compute())
                object.__setattr__(self, "_compute", None)
        return self._envelope

    @property
    def envelope_ready(self) -> bool:
        """True when the envelope is held (computed, or given), False when it would be computed on read
        or there is none."""
        return self._compute is None and self._envelope is not None

    @property
    def has_envelope(self) -> bool:
        """True when :attr:`envelope` is (or will be, when read) a Recording rather than None."""
        return self._compute is not None or self._envelope is not None

    def envelope_channel(self, index: int, out: np.ndarray | None = None) -> np.ndarray:
        """The envelope of channel ``index`` (1-D float64), without computing or keeping the other channels.

        The held envelope's row when it is computed (a read-only view; ``out`` is then unused);
        else the envelope method of ``settings`` applied to that channel of ``filtered``, the same
        numbers (every method works along the time axis, channel by channel), written into ``out``
        when given (a float64 array of ``n_samples``: reuse one buffer channel after channel).
        """
        if not self.has_envelope:
            raise ValueError("this processed recording has no envelope (preprocess(..., envelope=False))")
        if self._compute is None:
            return self._envelope.data[index]
        method = envelope_method(self.settings.envelope)  # inside filters.scratch_buffers() its work buffers are reused
        return method.apply(self.filtered.data[index], self.filtered.fs, getattr(self.settings, method.param), out=out)

    def envelope_span(self, start: int, stop: int, names=None) -> Recording:
        """The envelope of samples ``start:stop`` of channels ``names`` (all by default), without the rest.

        For drawing one page: a Recording of those samples whose clock starts at sample ``start``.
        The held envelope's samples when it is computed; else the envelope method applied to the span
        widened by a margin on each side, which gives the whole-recording envelope's values there:
        a moving window (RMS) needs its window's samples beyond each end (the margin is the window),
        a zero-phase low-pass at ``f`` Hz has forgotten a start at least ``30 / f`` s away (its decay
        per sample is about ``exp(-2π·0.7·f/fs)``, so the margin leaves ``exp(-130)`` of it, below
        float64 rounding). At the recording's ends the span is treated as the whole envelope is.
        The numbers differ from the whole envelope's by rounding only (a running sum started
        elsewhere): 1e-12 to 1e-11 of the envelope's range for windows of 50 ms and more, up to about
        3e-10 for a 1 ms window (the whole envelope's running sum is the one that drifts).

        Raises ValueError for an empty span (``stop <= start`` once clipped to the recording).
        """
        if not self.has_envelope:
            raise ValueError("this processed recording has no envelope (preprocess(..., envelope=False))")
        f = self.filtered
        idx = list(range(f.n_channels)) if names is None else [f.channel_index(n) for n in names]
        start, stop = max(0, int(start)), min(f.n_samples, int(stop))
        if stop <= start:
            raise ValueError(f"the span {start}:{stop} holds no samples of this {f.n_samples}-sample recording: "
                             "give start < stop within it")
        if self._compute is None:
            data = self._envelope.data[idx, start:stop]
        else:
            method = envelope_method(self.settings.envelope)
            value = getattr(self.settings, method.param)
            margin = (int(np.ceil(value * f.fs / 1000.0)) + 2 if method.unit == "ms"
                      else int(np.ceil(30.0 * f.fs / value)))
            a, b = max(0, start - margin), min(f.n_samples, stop + margin)
            data = method.apply(f.data[idx, a:b], f.fs, value)[:, start - a:stop - a]
        return f._with_own_samples(np.ascontiguousarray(data, dtype=np.float64), t0=f.t0 + start / f.fs,
                                   ch_names=tuple(f.ch_names[i] for i in idx),
                                   ch_units=tuple(f.ch_units[i] for i in idx),
                                   ch_kinds=tuple(f.ch_kinds[i] for i in idx))

    @property
    def rectified(self) -> Recording:
        """``|filtered|`` (full-wave rectified), computed on each access to save memory."""
        return self.filtered.with_data(np.abs(self.filtered.data))

    # ---- small results derived from it, kept with it ----------------------------------------------
    def derived(self, key, compute: Callable[[], object]):
        """``compute()`` once per ``key`` for this processed recording, kept as long as it lives.

        For small results computed from it (a display decimation, a table): they are cached
        exactly as long as the processed recording is, and never outlive it. Callers asking for
        the same key at once (two sessions, or a view and a background thread) wait for one
        computation; a computation that raises stores nothing (the next call tries again).
        """
        value = self._derived.get(key, _MISS)
        if value is not _MISS:
            return value
        with self._keys_lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        try:
            with key_lock:
                value = self._derived.get(key, _MISS)
                if value is _MISS:
                    value = compute()
                    self._derived[key] = value
        finally:
            with self._keys_lock:
                self._key_locks.pop(key, None)
        return value

    def pick(self, names) -> "Processed":
        """The channels ``names`` (in that order) of this processed recording, as a processed recording.

        Raw and filtered are picked; the envelope is picked when it is held, else computed on the
        first read of the picked one's :attr:`envelope` for those channels only (the same numbers:
        every envelope method works channel by channel), never for the whole recording.
        """
        names = tuple(names)
        filtered = self.filtered.pick(names)
        if self.envelope_ready:
            envelope = self._envelope.pick(names)
        elif self._compute is None:
            envelope = None
        else:
            settings = self.settings

            def envelope():
                from .pipeline import _envelope_all

                return _envelope_all(filtered, settings)
        return Processed(self.raw.pick(names), filtered, envelope, self.settings, self.warnings)

    @property
    def nbytes(self) -> int:
        """Bytes of samples held: the filtered signal and, once computed, the envelope."""
        total = int(self.filtered.data.nbytes)
        if self.envelope_ready:
            total += int(self._envelope.data.nbytes)
        return total


_MISS = object()
