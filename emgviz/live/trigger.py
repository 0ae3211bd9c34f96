"""Triggered sweeps on a live needle stream: the amplitude trigger of a clinical EMG machine, run as samples arrive.

A clinical EMG machine shows needle EMG in sweeps of 10 divisions; with the trigger on, a sweep
starts where the signal crosses a set level (rising for a positive level, falling for a negative
one), drawn a "delay line" after the sweep's left edge so the part before the crossing shows too,
and the trigger re-arms once the sweep is over. Superimposing the last N sweeps shows whether the
same motor-unit potential (MUP) fires again and again (stable, aligned) or varies (jitter,
blocking, a different unit).

:func:`capture_sweeps` does that on a ring buffer (:class:`emgviz.live.RingBuffer`): each call
looks only at the samples that arrived since the trigger was last armed, finds the crossings with
the same detector the clinical sweep of the Browse view uses
(:func:`emgviz.plotting.sweep.find_triggers`, cut with
:func:`emgviz.plotting.sweep.triggered_sweeps`), and keeps the last ``n_last`` complete sweeps.
Fed the same samples in any chunking, it finds exactly the triggers that ``find_triggers`` finds
on the whole signal at once. Pure NumPy; no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SweepCapture", "capture_sweeps", "sweep_samples", "is_needle_source", "NEEDLE_MIN_FS"]

#: A stream at or above this rate (Hz) is treated as needle EMG (MUP analysis needs ≥ 4 kHz).
NEEDLE_MIN_FS = 4000.0


def sweep_samples(fs: float, *, ms_per_div: float, pre_ms: float, divisions: int = 10) -> tuple[int, int]:
    """(samples before the trigger, samples per sweep) for a sweep of ``divisions × ms_per_div``.

    The delay line ``pre_ms`` must lie within the sweep (0 ≤ pre_ms < sweep length).
    """
    if not fs > 0:
        raise ValueError(f"fs must be > 0 Hz, got {fs!r}")
    if not ms_per_div > 0:
        raise ValueError(f"ms_per_div must be > 0, got {ms_per_div!r}")
    span_ms = divisions * float(ms_per_div)
    if not 0 <= pre_ms < span_ms:
        raise ValueError(f"the delay line must be within the sweep: 0 ≤ pre_ms < {span_ms:g} ms, got {pre_ms!r}")
    return int(round(pre_ms * fs / 1000.0)), int(round(span_ms * fs / 1000.0))


@dataclass(frozen=True)
class SweepCapture:
    """Triggered sweeps captured so far from a live stream, and where the trigger is armed.

    Sample numbers count every sample the ring buffer received (0 = the first); they never wrap.

    Attributes
    ----------
    triggers : ndarray of int, shape (k,)
        Sample number of the trigger of each captured sweep, oldest first (k ≤ ``n_last``).
    rows : ndarray, shape (k, sweep_n)
        The sweeps, µV (or the stream's unit): row ``i`` holds samples
        ``triggers[i] - pre_n … triggers[i] - pre_n + sweep_n - 1``; the trigger is at column ``pre_n``.
    pending : tuple of int
        Triggers whose sweep has not arrived in full yet (captured on a later call).
    armed_from : int
        The next trigger may fire at this sample number or later (the last trigger + the dead
        time, so one sweep never triggers twice).
    found : int
        Triggers found since the capture began (captured or not: those too early for their
        pre-trigger part, or overwritten before their sweep was cut, are counted too).
    pre_n, sweep_n : int
        Samples before the trigger and per sweep.
    """

    triggers: np.ndarray
    rows: np.ndarray
    pending: tuple[int, ...]
    armed_from: int
    found: int
    pre_n: int
    sweep_n: int

    def next_start(self) -> int:
        """The first sample number the next call needs (pass ``ring.since(capture.next_start())``).

        That is the start of the oldest pending sweep, or of the sweep of a trigger at
        :attr:`armed_from` (``pre_n`` earlier; at least one sample, as a crossing needs the one before).
        """
        oldest_pending = min(self.pending) if self.pending else self.armed_from
        return max(0, min(self.armed_from - max(self.pre_n, 1), oldest_pending - self.pre_n))


def capture_sweeps(x, fs: float, *, end: int, level: float, ms_per_div: float, pre_ms: float, n_last: int,
                   previous: SweepCapture | None = None) -> SweepCapture:
    """Update the triggered sweeps of a live stream with the samples that arrived.

    Parameters
    ----------
    x : array, 1-D
        The newest samples of one channel, in the unit of ``level`` (µV for a needle stream on
        screen), e.g. ``ring.since(previous.next_start(), channel=c).data[0]``; its last sample is
        sample number ``end - 1``.
    fs : float
        Sampling rate, Hz.
    end : int
        Samples received so far (``Snapshot.received``).
    level : float
        Trigger level, non-zero: positive triggers on a rising crossing, negative on a falling one
        (as :func:`emgviz.plotting.sweep.find_triggers`).
    ms_per_div : float
        Time base; a sweep is 10 divisions.
    pre_ms : float
        Delay line: the sweep starts this many ms before its trigger.
    n_last : int
        Sweeps kept (the newest), ≥ 1.
    previous : SweepCapture, optional
        The result of the previous call with the same settings; None starts afresh, armed at the
        first sample of ``x``.

    Returns
    -------
    SweepCapture
        The trigger re-arms ``10 × ms_per_div − pre_ms`` ms after each trigger (when its sweep
        ends), as in the clinical sweep of the Browse view.

    Examples
    --------
    >>> fs = 10_000.0
    >>> x = np.zeros(5000); x[[1000, 2500, 2510, 4000]] = -300.0    # 2510: within the same sweep
    >>> cap = capture_sweeps(x[:2800], fs, end=2800, level=-200, ms_per_div=5, pre_ms=10, n_last=5)
    >>> cap.triggers.tolist(), cap.pending       # 2500's sweep (2400–2899) has not arrived in full
    ([1000], (2500,))
    >>> start = cap.next_start()                 # 2400: the start of the pending sweep
    >>> cap = capture_sweeps(x[start:4200], fs, end=4200, level=-200, ms_per_div=5, pre_ms=10, n_last=5,
    ...                      previous=cap)
    >>> cap.triggers.tolist(), cap.rows.shape, float(cap.rows[1, cap.pre_n]), cap.pending
    ([1000, 2500], (2, 500), -300.0, (4000,))
    """
    from ..plotting.sweep import find_triggers, triggered_sweeps

    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be one channel (1-D), got shape {x.shape}")
    end = int(end)
    if x.size > end:
        raise ValueError(f"x holds {x.size} samples but only {end} were received")
    if int(n_last) < 1:
        raise ValueError(f"n_last must be ≥ 1, got {n_last!r}")
    pre_n, sweep_n = sweep_samples(fs, ms_per_div=ms_per_div, pre_ms=pre_ms)
    if previous is not None and (previous.pre_n, previous.sweep_n) != (pre_n, sweep_n):
        previous = None  # the time base or the delay line changed: start afresh
    first = end - x.size  # sample number of x[0]
    if previous is None:
        triggers, rows = np.empty(0, dtype=int), np.empty((0, sweep_n))
        pending, armed, found = (), first, 0
    else:
        triggers, rows = previous.triggers, previous.rows
        pending, armed, found = previous.pending, previous.armed_from, previous.found
    dead_ms = 10 * float(ms_per_div) - float(pre_ms)

    # new triggers: crossings at sample number ≥ armed (a crossing needs the sample before it)
    lo = max(armed, first + 1)
    if lo < end:
        new = find_triggers(x[lo - 1 - first:], fs, level, dead_time_ms=dead_ms) + (lo - 1)
        if new.size:
            pending = pending + tuple(int(t) for t in new)
            found += int(new.size)
        # find_triggers checked every crossing up to the newest sample (after the last trigger's dead
        # time); the next one can come at `end` at the earliest (it needs x[end - 1]: see next_start)
        last = int(new[-1]) + max(int(round(dead_ms * fs / 1000.0)), 1) if new.size else end
        armed = max(last, end)

    # cut the sweeps that arrived in full; drop those whose start is no longer (or never was) in x
    done = [t for t in pending if t - pre_n + sweep_n <= end]
    waiting = tuple(t for t in pending if t - pre_n + sweep_n > end and t - pre_n >= first)
    if done:
        got, kept = triggered_sweeps(x, np.asarray(done, dtype=int) - first, pre_samples=pre_n, sweep_samples=sweep_n)
        if kept.size:
            triggers = np.concatenate([triggers, kept + first])
            rows = np.vstack([rows, got])
    n_last = int(n_last)
    return SweepCapture(triggers[-n_last:], rows[-n_last:], waiting, int(armed), found, pre_n, sweep_n)


def is_needle_source(source) -> bool:
    """True for a needle stream: a replayed file that says so (:func:`emgviz.quality.is_needle`), or fs ≥ 4 kHz.

    Surface EMG is rarely sampled above 4 kHz; needle EMG needs it (MUP components reach several kHz).
    """
    rec = getattr(source, "rec", None)
    if rec is not None:
        from ..quality import is_needle

        if is_needle(rec):
            return True
    return float(getattr(source, "fs", 0.0)) >= NEEDLE_MIN_FS
