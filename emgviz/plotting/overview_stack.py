"""The Overview's stacked figure of a whole processed recording, from a decimation computed once.

Decimating an hour of 16 channels and their envelopes reads 1.8 GB of samples; the figure itself
needs a few thousand points per trace. :func:`decimate_stack` does the reading once (channels on
two threads when a core is free, each channel's envelope computed into one reused buffer and
dropped, so the full-rate envelope is never held), and :func:`decimated_stack_figure` builds the
figure from its small arrays in milliseconds. The points are exactly those
:func:`~emgviz.plotting.browser.stacked_figure` draws for the whole recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import plotly.graph_objects as go

from .._threads import thread_map, workers
from ..filters import scratch_buffers
from ..recording import Recording
from .browser import DRAWN_WIDTH_PX, MAX_FIGURE_POINTS, stacked_figure, trace_points  # noqa: F401
from . import overview_kernel
from .decimate import minmax_indices
from .scales import auto_scale

__all__ = ["StackDecimation", "stack_points", "decimate_stack", "decimated_stack_figure"]

#: Channel bands of the stacked figure, in divisions (as :func:`stacked_figure` draws by default).
_DIVISIONS = 4


@dataclass(frozen=True)
class StackDecimation:
    """Min–max decimated traces of some channels of a recording over its whole length.

    Attributes
    ----------
    names : tuple of str
        The channels, top to bottom.
    n_out : int
        Most points per trace.
    signal : tuple of (t, y)
        Per channel: times in s and samples in stored units (float64, at most ``n_out`` each).
    overlay : tuple of (t, y) or None
        The same for the envelope; None when it was not asked for.
    scales : dict
        Automatic units per division of each channel (:func:`~emgviz.plotting.scales.auto_scale`).
    """

    names: tuple[str, ...]
    n_out: int
    signal: tuple[tuple[np.ndarray, np.ndarray], ...]
    overlay: tuple[tuple[np.ndarray, np.ndarray], ...] | None
    scales: dict

    @property
    def nbytes(self) -> int:
        """Bytes of the decimated arrays."""
        pairs = list(self.signal) + list(self.overlay or ())
        return sum(t.nbytes + y.nbytes for t, y in pairs)


def stack_points(n_channels: int, overlay: bool, width_px: int = DRAWN_WIDTH_PX) -> int:
    """Points per trace of :func:`stacked_figure` for ``n_channels`` (with an overlay per channel or not)."""
    return trace_points(n_channels, overlay, width_px)


def _decimate_row(row: np.ndarray, t0: float, fs: float, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~emgviz.plotting.decimate.minmax_decimate` of one whole row, times without a full time axis."""
    if row.shape[-1] <= n_out:
        return t0 + np.arange(row.shape[-1]) / fs, np.array(row, dtype=np.float64)
    idx = minmax_indices(row[np.newaxis, :], n_out=n_out)[0]
    return t0 + idx / fs, row[idx].astype(np.float64)


def decimate_stack(rec: Recording, names: Sequence[str] | None = None, *, n_out: int,
                   envelope_channel: Callable[..., np.ndarray] | None = None) -> StackDecimation:
    """Decimate channels ``names`` of ``rec`` (and their envelopes) over the whole recording.

    Parameters
    ----------
    rec : Recording
        Usually the filtered recording.
    names : sequence of str, optional
        Channels, top to bottom; all by default.
    n_out : int
        Most points per trace (:func:`stack_points` gives what :func:`stacked_figure` uses).
    envelope_channel : callable, optional
        ``envelope_channel(index, out=buffer)`` → the envelope of channel ``index`` of ``rec``
        (e.g. :meth:`emgviz.processed.Processed.envelope_channel`); decimated likewise when given.

    Returns
    -------
    StackDecimation
        Its points equal ``minmax_decimate(times, row, n_out=n_out)`` of each row (and of each
        envelope row): the same points :func:`stacked_figure` draws.
    """
    names = tuple(rec.ch_names if names is None else names)
    index = [rec.channel_index(n) for n in names]
    t0, fs, n = rec.t0, rec.fs, rec.n_samples
    fast = _one_pass(rec, names, index, n_out, envelope_channel)
    if fast is not None:
        return fast

    def one(i: int, buf):
        sig = _decimate_row(rec.data[i], t0, fs, n_out)
        scale = auto_scale(rec.data[i], divisions_per_channel=_DIVISIONS, unit=rec.unit)
        if envelope_channel is None:
            return sig, None, scale
        return sig, _decimate_row(envelope_channel(i, out=buf), t0, fs, n_out), scale

    n_workers = workers(len(index), len(index) * n * (2 if envelope_channel else 1))

    def run(first: int) -> dict:
        """Channels first, first + n_workers, ... on one thread, reusing one envelope buffer and the
        envelope's work buffers (a fresh 57 MB array per channel costs its page faults every time)."""
        buf = np.empty(n) if envelope_channel is not None else None
        with scratch_buffers():
            return {k: one(index[k], buf) for k in range(first, len(index), n_workers)}

    done: dict = {}
    for part in thread_map(run, range(n_workers), n_workers):
        done.update(part)
    pairs = [done[k] for k in range(len(index))]
    scales = {name: p[2] for name, p in zip(names, pairs)}  # as stacked_figure's automatic scales
    return StackDecimation(names=names, n_out=int(n_out), signal=tuple(p[0] for p in pairs),
                           overlay=None if envelope_channel is None else tuple(p[1] for p in pairs),
                           scales=scales)


def _rms_window(rec: Recording, envelope_channel) -> int | None:
    """The moving-RMS window (samples) when ``envelope_channel`` is the RMS envelope of ``rec`` computed on
    demand (:meth:`emgviz.processed.Processed.envelope_channel`, envelope not held), else None."""
    owner = getattr(envelope_channel, "__self__", None)
    if getattr(envelope_channel, "__name__", None) != "envelope_channel" or owner is None:
        return None
    settings = getattr(owner, "settings", None)
    if (getattr(owner, "filtered", None) is not rec or getattr(owner, "envelope_ready", True)
            or not getattr(owner, "has_envelope", False) or getattr(settings, "envelope", None) != "rms"):
        return None
    from ..envelopes import window_samples
    return window_samples(rec.fs, settings.rms_window_ms)


def _one_pass(rec: Recording, names: tuple, index: list, n_out: int, envelope_channel) -> StackDecimation | None:
    """:func:`decimate_stack` by the compiled one-pass kernel (:mod:`.overview_kernel`) when it applies:
    C-contiguous float64 rows longer than ``n_out``, no envelope or the moving RMS (window shorter than the rows);
    None otherwise (NumPy's path then)."""
    n = rec.n_samples
    window = None
    if envelope_channel is not None:
        window = _rms_window(rec, envelope_channel)
        if window is None or window >= n:
            return None
    if (not index or n <= n_out or int(n_out) != n_out or n_out < 2 or rec.data.dtype != np.float64
            or rec.data.ndim != 2 or not rec.data.flags.c_contiguous):
        return None
    k = overview_kernel.usable(len(index) * n)
    if k is None:
        return None
    rows = [rec.data[i] for i in index]  # views
    n_workers = workers(len(index), len(index) * n * (2 if window else 1))
    parts = overview_kernel.decimate_rows(rows, n_out=int(n_out), window=window, n_workers=n_workers)
    t0, fs = rec.t0, rec.fs
    signal = tuple((t0 + sig / fs, row[sig]) for row, (sig, _, _) in zip(rows, parts))
    overlay = None if window is None else tuple((t0 + env / fs, val) for _, env, val in parts)
    scales = {name: auto_scale(row, divisions_per_channel=_DIVISIONS, unit=rec.unit)
              for name, row in zip(names, rows)}
    return StackDecimation(names=names, n_out=int(n_out), signal=signal, overlay=overlay, scales=scales)


def decimated_stack_figure(dec: StackDecimation, rec: Recording, *, overlay: bool = True, events=None,
                           width_px: int = DRAWN_WIDTH_PX) -> go.Figure:
    """The stacked figure of the whole of ``rec`` from ``dec`` (:func:`decimate_stack` of ``rec``).

    The same figure as ``stacked_figure(rec, t_start_s=rec.t0, t_window_s=rec.duration_s,
    channels=dec.names, overlay=envelope if overlay else None, events=events)``, built without
    reading the samples again.
    """
    return stacked_figure(rec, t_start_s=rec.t0, t_window_s=rec.duration_s, channels=list(dec.names),
                          scale=dec.scales, events=events, width_px=width_px,
                          decimated=(dec.signal, dec.overlay if overlay else None))
