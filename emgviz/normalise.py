"""Amplitude normalisation: to % of a maximum voluntary contraction (MVC) or % of the peak.

SENIAM recommends expressing EMG amplitude relative to a reference contraction so that
muscles, electrodes and subjects can be compared (Hermens et al. 2000, J Electromyogr
Kinesiol 10:361; Merletti & Parker 2004, ch. 5). The usual reference is the largest value of
a smoothed envelope during an MVC trial: :func:`mvc_reference` takes the maximum of a 500 ms
moving average of the rectified signal, :func:`mvc_from_recording` the maximum of the
standard pipeline's envelope, so that the task data normalised with
:func:`to_percent_mvc` uses exactly the same envelope as its reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import check_positive, check_recording, check_span
from .envelopes import moving_average
from .pipeline import Processed, preprocess
from .recording import Recording
from .settings import Settings

__all__ = ["mvc_reference", "mvc_from_recording", "to_percent_mvc", "peak_normalise",
           "PERCENT_MVC_UNIT", "PERCENT_PEAK_UNIT"]

#: Unit of :func:`to_percent_mvc` output.
PERCENT_MVC_UNIT = "%MVC"
#: Unit of :func:`peak_normalise` output.
PERCENT_PEAK_UNIT = "% peak"


def _segment_slice(rec: Recording, segment) -> slice:
    if segment is None:
        return slice(0, rec.n_samples)
    t_a, t_b = check_span(segment, "segment")
    a = max(rec.index_of(t_a), 0)
    b = min(rec.index_of(t_b), rec.n_samples)
    if b <= a:
        raise ValueError(f"segment {t_a:g}–{t_b:g} s holds no samples; the recording spans "
                         f"{rec.t0:g}–{rec.t0 + rec.duration_s:g} s")
    return slice(a, b)


def _reference_series(rec: Recording, values: np.ndarray) -> pd.Series:
    ref = pd.Series(values, index=pd.Index(rec.ch_names, name="channel"), name="MVC reference", dtype=float)
    ref.attrs["unit"] = rec.unit
    return ref


def mvc_reference(rec_or_envelope: Recording | Processed, *, segment=None,
                  window_ms: float | None = 500.0) -> pd.Series:
    """MVC reference amplitude per channel: the maximum of a moving-average envelope.

    The mean-removed signal is full-wave rectified and averaged over a centred window of
    ``window_ms`` (500 ms by default); the reference is the largest value of that envelope
    within ``segment``. This is the common SENIAM-era practice of taking the highest mean
    rectified value over a 0.5–1 s window of the MVC trial (Hermens et al. 2000; Merletti &
    Parker 2004, sec. 5.6), which is far less sensitive to a single spike than the peak.

    Parameters
    ----------
    rec_or_envelope : Recording or Processed
        The MVC trial: a Recording (ideally band-passed) or the output of
        :func:`~emgviz.pipeline.preprocess` (its ``filtered`` recording is used). With
        ``window_ms=None`` a Recording is taken to be an envelope already and its maximum is
        used as it is.
    segment : (t0_s, t1_s) or None, default=None
        The part of the trial to search, in the recording's clock; None uses all of it.
    window_ms : float or None, default=500.0
        Moving-average window in ms; None when the input is already an envelope.

    Returns
    -------
    Series
        Reference per channel (index: channel names) in the recording's unit, which is
        also stored in ``series.attrs["unit"]``.

    Examples
    --------
    >>> t = np.arange(4000) / 1000.0
    >>> rec = Recording(np.sin(2 * np.pi * 50 * t) * (t > 2), fs=1000.0, ch_names=["BB"])
    >>> round(float(mvc_reference(rec, segment=(2.0, 4.0))["BB"]), 2)  # ≈ 2/π of a unit sine
    0.63
    """
    rec = rec_or_envelope.filtered if isinstance(rec_or_envelope, Processed) else rec_or_envelope
    check_recording(rec_or_envelope if not isinstance(rec, Recording) else rec, "mvc_reference", also=" or a Processed")
    sl = _segment_slice(rec, segment)
    if window_ms is None:
        env = rec.data[:, sl]
    else:
        window_ms = check_positive(window_ms, "window_ms", "ms")
        centred = rec.data - rec.data.mean(axis=-1, keepdims=True)
        env = moving_average(centred, rec.fs, window_ms=window_ms)[:, sl]
    return _reference_series(rec, env.max(axis=-1))


def mvc_from_recording(mvc_rec: Recording, *, settings: Settings | None = None, segment=None) -> pd.Series:
    """MVC reference from a raw MVC trial through the standard pipeline's envelope.

    Runs :func:`~emgviz.pipeline.preprocess` with ``settings`` and returns, per channel, the
    maximum of its envelope (RMS or linear envelope, as ``settings.envelope`` says) within
    ``segment``. Normalise task data processed with the **same** settings
    (``to_percent_mvc(preprocess(task, settings).envelope, ref)``) so that reference and data
    are the same kind of amplitude (Hermens et al. 2000).

    Parameters
    ----------
    mvc_rec : Recording
        The raw MVC trial.
    settings : Settings or None, default=None
        Pipeline settings; None uses ``Settings()`` (band-pass 20–450 Hz, RMS 100 ms).
    segment : (t0_s, t1_s) or None, default=None
        The part of the trial to search, in the recording's clock; None uses all of it.

    Returns
    -------
    Series
        Reference per channel, unit in ``series.attrs["unit"]``.
    """
    check_recording(mvc_rec, "mvc_from_recording")
    out = preprocess(mvc_rec, Settings() if settings is None else settings)
    return mvc_reference(out.envelope, segment=segment, window_ms=None)


def to_percent_mvc(rec: Recording, reference: pd.Series) -> Recording:
    """Express every channel as a percentage of its MVC reference: ``100 · x / reference``.

    Parameters
    ----------
    rec : Recording
        Usually an envelope (``preprocess(task, settings).envelope``), in the unit of the
        reference.
    reference : Series
        Reference per channel name (:func:`mvc_reference` or :func:`mvc_from_recording`);
        extra channels are ignored.

    Returns
    -------
    Recording
        Same channels and clock, unit ``"%MVC"`` (also in ``ch_units``).

    Raises
    ------
    ValueError
        When a channel of ``rec`` has no reference (the message lists them), a reference is
        not a finite value above 0, or the reference's unit (``attrs["unit"]``) differs from
        ``rec.unit``.

    Examples
    --------
    >>> rec = Recording(np.full((1, 10), 0.2), fs=1000.0, ch_names=["BB"])
    >>> float(to_percent_mvc(rec, pd.Series({"BB": 0.8})).data.max())
    25.0
    """
    check_recording(rec, "to_percent_mvc")
    if not isinstance(reference, pd.Series):
        reference = pd.Series(reference, dtype=float)
    missing = [c for c in rec.ch_names if c not in reference.index]
    if missing:
        raise ValueError(f"no MVC reference for channels {missing}; the reference has "
                         f"{[str(c) for c in reference.index]}. Record an MVC for them or pick the "
                         "channels that have one (rec.pick([...]))")
    ref_unit = reference.attrs.get("unit")
    if ref_unit is not None and ref_unit != rec.unit:
        raise ValueError(f"the MVC reference is in {ref_unit!r} but the recording is in {rec.unit!r}; "
                         "compute both from data in the same unit")
    values = np.array([float(reference[c]) for c in rec.ch_names])
    bad = [c for c, v in zip(rec.ch_names, values) if not np.isfinite(v) or v <= 0]
    if bad:
        raise ValueError(f"MVC reference must be a finite value above 0; it is not for {bad}")
    data = rec.data / values[:, np.newaxis] * 100.0
    return rec.with_data(data, unit=PERCENT_MVC_UNIT, ch_units=(PERCENT_MVC_UNIT,) * rec.n_channels)


def peak_normalise(rec: Recording) -> Recording:
    """Express every channel as a percentage of its own largest absolute value.

    ``100 · x / max|x|`` per channel: each channel's peak becomes 100 (or −100). Useful to
    compare the timing of activity between muscles when no MVC was recorded; it says nothing
    about effort (Hermens et al. 2000; Halaki & Ginn 2012).

    Parameters
    ----------
    rec : Recording
        Usually an envelope.

    Returns
    -------
    Recording
        Same channels and clock, unit ``"% peak"`` (also in ``ch_units``).

    Raises
    ------
    ValueError
        When a channel is all zeros (the message names it).

    Examples
    --------
    >>> rec = Recording(np.array([[0.1, 0.4, 0.2]]), fs=1000.0, ch_names=["BB"])
    >>> peak_normalise(rec).data.tolist()
    [[25.0, 100.0, 50.0]]
    """
    check_recording(rec, "peak_normalise")
    peaks = np.abs(rec.data).max(axis=-1)
    zero = [c for c, p in zip(rec.ch_names, peaks) if p == 0]
    if zero:
        raise ValueError(f"cannot peak-normalise all-zero channels {zero}; drop them first")
    data = rec.data / peaks[:, np.newaxis] * 100.0
    return rec.with_data(data, unit=PERCENT_PEAK_UNIT, ch_units=(PERCENT_PEAK_UNIT,) * rec.n_channels)
