"""The standard surface-EMG pipeline: DC removal, band-pass, notch, rectification, envelope.

Order and defaults follow SENIAM / ISEK reporting standards (Merletti & Parker 2004,
ch. 5–6; Merletti & Di Torino 1999, J Electromyogr Kinesiol 9:III). :func:`preprocess`
runs it in one go; :func:`steps` returns every stage, for teaching. The raw recording is
never modified.

The band-pass and the notches are applied as one cascade of second-order sections in a
single forward-backward pass (``sosfiltfilt``): the same linear filter as band-pass then
notch, with one padding and one pair of passes instead of two. Channels are filtered one
at a time (in blocks of about 260 000 samples) so that temporary arrays stay a small
fraction of the recording's size.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from ._checks import check_fs, check_recording
from ._dc_means import channel_means as _channel_means
from ._threads import THREAD_MIN_VALUES, workers
from .envelopes import envelope_method, linear_envelope
from .filters import (NYQUIST_FRACTION, _filtfilt, _lanes, clip_band, design_bandpass, design_notch, filtfilt,
                      notch_frequencies, pad_length, scratch_buffers)
from .processed import Processed
from .recording import Recording
from .settings import Settings

__all__ = ["Processed", "preprocess", "steps", "Step", "STEP_KINDS",
           "effective_band", "effective_notch", "pipeline_sos", "frequency_response"]


# ---- the filter design a Settings describes at a sampling rate ---------------------------------
def effective_band(settings: Settings, fs: float) -> tuple[float | None, float | None, list[str]]:
    """The band-pass edges actually used for ``settings`` at sampling rate ``fs``.

    An edge at or above fs/2 is clipped to 0.95·fs/2 and a warning says so with the
    numbers; if the low edge is then not below the high edge the band-pass is skipped,
    with a warning. Nothing is changed silently.

    Parameters
    ----------
    settings : Settings
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    low_hz, high_hz : float or None
        Edges in Hz; both None when no band-pass is applied (switched off, or skipped).
    warnings : list of str
        Messages for the user, empty when the band is used as set.

    Examples
    --------
    >>> effective_band(Settings(), 500.0)
    (20.0, 237.5, ['high_hz 450 Hz is at or above fs/2 = 250 Hz; clipped to 237.5 Hz'])
    """
    fs = check_fs(fs)
    if not settings.bandpass:
        return None, None, []
    low, high, warnings = clip_band(settings.low_hz, settings.high_hz, fs)
    if low >= high:
        warnings.append(f"band-pass skipped: low_hz {low:g} Hz is not below high_hz {high:g} Hz "
                        f"at fs = {fs:g} Hz")
        return None, None, warnings
    return low, high, warnings


def effective_notch(settings: Settings, fs: float) -> tuple[tuple[float, ...], list[str]]:
    """The notch frequencies (Hz) actually used for ``settings`` at ``fs``, and warnings.

    Harmonics at or above fs/2 are left out (with a warning); a mains frequency at or
    above fs/2 skips the notch (with a warning). Empty when the notch is off.
    """
    fs = check_fs(fs)
    if not settings.notch_hz:
        return (), []
    mains = float(settings.notch_hz)
    nyq = fs / 2
    if mains >= nyq:
        return (), [f"notch skipped: mains {mains:g} Hz is at or above fs/2 = {nyq:g} Hz"]
    freqs = notch_frequencies(fs, mains, settings.notch_harmonics)
    warnings = []
    if len(freqs) < settings.notch_harmonics:
        warnings.append(f"notch: only {len(freqs)} of {settings.notch_harmonics} harmonics of {mains:g} Hz "
                        f"are below fs/2 = {nyq:g} Hz; notching {', '.join(f'{f:g}' for f in freqs)} Hz")
    return freqs, warnings


def pipeline_sos(settings: Settings, fs: float) -> tuple[np.ndarray | None, list[str]]:
    """One SOS cascade: the band-pass then the notches that ``settings`` describe at ``fs``.

    Returns
    -------
    sos : ndarray, shape (n_sections, 6), or None when neither filter is on
    warnings : list of str
        From :func:`effective_band` and :func:`effective_notch`.
    """
    sos, _, _, _, warnings = _pipeline_design(settings, fs)
    return sos, warnings


def _pipeline_design(settings: Settings, fs: float):
    """(sos or None, low_hz, high_hz, notch frequencies, warnings): :func:`pipeline_sos` and the edges it used."""
    low, high, warnings = effective_band(settings, fs)
    freqs, notch_warnings = effective_notch(settings, fs)
    warnings = warnings + notch_warnings
    parts = []
    if low is not None:
        parts.append(design_bandpass(fs, low, high, order=settings.order))
    if freqs:
        parts.append(design_notch(fs, settings.notch_hz, harmonics=len(freqs), q=settings.notch_q))
    return (np.vstack(parts) if parts else None), low, high, freqs, warnings


def frequency_response(settings: Settings, fs: float, freqs_hz) -> np.ndarray:
    """Magnitude |H(f)|² of the zero-phase band-pass + notch that ``settings`` describe.

    Forward-backward filtering applies the filter twice, so the effective gain is the
    squared magnitude (Merletti & Parker 2004, sec. 5.4). Useful as an overlay on a
    power spectrum (multiply a PSD by it to see what the filter keeps).

    Parameters
    ----------
    settings : Settings
    fs : float
        Sampling rate in Hz.
    freqs_hz : array_like
        Frequencies in Hz at which to evaluate (0 to fs/2).

    Returns
    -------
    ndarray, same shape as ``freqs_hz``
        Linear gain |H|² (1 = passed unchanged, 0.5 = -3 dB); all ones when no filter is on.
    """
    from scipy import signal  # here, not at the top: `import emgviz.settings` stays light
    fs = check_fs(fs)
    f = np.asarray(freqs_hz, dtype=np.float64)
    sos, _ = pipeline_sos(settings, fs)
    if sos is None:
        return np.ones_like(f)
    _, h = signal.sosfreqz(sos, worN=f.ravel(), fs=fs)
    return (np.abs(h) ** 2).reshape(f.shape)


# ---- running the pipeline -----------------------------------------------------------------------
def _check_inputs(rec, settings) -> None:
    check_recording(rec, "the pipeline")
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be an emgviz Settings, got {type(settings).__name__}; "
                        "use emgviz.Settings() for the defaults")


def _effective(rec: Recording, settings: Settings):
    """(sos or None, effective settings, warnings)."""
    fs = rec.fs
    sos, low, high, freqs, warnings = _pipeline_design(settings, fs)
    changes = {}
    if settings.bandpass:
        if low is None:
            changes["bandpass"] = False
        else:
            changes.update(low_hz=low, high_hz=high)
    if settings.notch_hz:
        if not freqs:
            changes["notch_hz"] = None
        else:
            changes["notch_harmonics"] = len(freqs)
    method = envelope_method(settings.envelope)
    value = getattr(settings, method.param)
    if method.unit == "Hz" and value >= fs / 2:  # an envelope cutoff must stay below fs/2
        clipped = NYQUIST_FRACTION * fs / 2
        warnings.append(f"{method.param} {value:g} Hz is at or above fs/2 = {fs / 2:g} Hz; "
                        f"clipped to {clipped:g} Hz")
        changes[method.param] = clipped
    if sos is not None:
        pad = pad_length(sos)
        if rec.n_samples <= pad:
            warnings.append(f"the recording has only {rec.n_samples} samples, not more than the filter's "
                            f"{pad}-sample edge pad; the pad was shortened and the edges may ring")
    eff = settings.replace(**changes) if changes else settings
    return sos, eff, warnings


#: Channels are processed in blocks of about this many samples (bounds temporary memory).
_BLOCK_SAMPLES = 1 << 18
#: Below this many values a second thread costs more than it saves.
_THREAD_MIN_VALUES = THREAD_MIN_VALUES

#: Threads for :func:`preprocess` (see :func:`emgviz._threads.workers`: 2 when a core is free and the
#: work is large, else 1; ``EMGVIZ_THREADS`` overrides).
_workers = workers


def _filter_block(x: np.ndarray, sos, remove_dc: bool, out: np.ndarray, means: np.ndarray | None = None) -> None:
    mean = (x.mean(axis=-1, keepdims=True) if means is None else means) if remove_dc else None
    if sos is not None:
        _filtfilt(sos, x, subtract=mean, out=out)
    elif mean is not None:
        np.subtract(x, mean, out=out)
    else:
        out[...] = x


def _envelope(x: np.ndarray, fs: float, settings: Settings) -> np.ndarray:
    method = envelope_method(settings.envelope)
    return method.apply(x, fs, getattr(settings, method.param))


def preprocess(rec: Recording, settings: Settings, *, envelope: bool = True) -> Processed:
    """Run the standard EMG pipeline on every channel of ``rec``.

    Steps: subtract each channel's mean (if ``settings.remove_dc``); zero-phase
    Butterworth band-pass ``low_hz``–``high_hz`` (if ``settings.bandpass``) and notches
    at ``notch_hz`` and its harmonics (if set), as one cascade; then the envelope of the
    full-wave rectified result: moving RMS over ``rms_window_ms`` or a zero-phase
    low-pass at ``lowpass_hz`` (linear envelope). Works in any unit (V or a.u.); all
    channels are processed whatever their kind.

    Parameters
    ----------
    rec : Recording
    settings : Settings
    envelope : bool, default=True
        Provide the envelope. It is computed on the first read of ``Processed.envelope``
        (then kept), so a caller that never reads it does not pay its time or memory.
        False gives none (``Processed.envelope`` is then None).

    Returns
    -------
    Processed
        ``raw`` is ``rec`` itself (its data unchanged and read-only).

    Examples
    --------
    >>> import numpy as np
    >>> from emgviz.recording import Recording
    >>> from emgviz.settings import Settings
    >>> rec = Recording(np.random.default_rng(0).normal(size=(2, 1000)), fs=500, ch_names=["a", "b"])
    >>> out = preprocess(rec, Settings())
    >>> out.settings.high_hz, out.warnings
    (237.5, ('high_hz 450 Hz is at or above fs/2 = 250 Hz; clipped to 237.5 Hz',))
    >>> preprocess(rec, Settings(), envelope=False).envelope is None
    True
    """
    _check_inputs(rec, settings)
    sos, eff, warnings = _effective(rec, settings)
    filtered = np.empty(rec.data.shape, dtype=np.float64)
    if sos is not None and _lanes(rec.data) is not None:  # all channels at once in SIMD lanes (its own threads)
        _filter_block(rec.data, sos, eff.remove_dc, filtered, _channel_means(rec.data) if eff.remove_dc else None)
    else:
        _by_blocks(rec.data.shape, lambda sl: _filter_block(rec.data[sl], sos, eff.remove_dc, filtered[sl]))
    filtered_rec = rec.with_data(filtered)
    return Processed(raw=rec, filtered=filtered_rec,
                     envelope=(lambda: _envelope_all(filtered_rec, eff)) if envelope else None,
                     settings=eff, warnings=tuple(warnings))


def _by_blocks(shape: tuple[int, int], work) -> None:
    """``work(rows)`` for every block of channels (about :data:`_BLOCK_SAMPLES` samples each), on
    :func:`_workers` threads, each reusing its scratch buffers from block to block."""
    n_channels, n_samples = shape
    block = max(1, _BLOCK_SAMPLES // max(1, n_samples))
    starts = list(range(0, n_channels, block))

    def run(first: int, step: int) -> None:
        with scratch_buffers():  # the padded copies of one block, reused block after block
            for i0 in starts[first::step]:
                work(slice(i0, i0 + block))

    workers = _workers(len(starts), n_channels * n_samples)
    if workers == 1:
        run(0, 1)
    else:  # SciPy's section loop and NumPy's array arithmetic release the GIL
        with ThreadPoolExecutor(workers) as pool:
            for done in [pool.submit(run, k, workers) for k in range(workers)]:
                done.result()


def _envelope_all(filtered: Recording, settings: Settings) -> Recording:
    """The envelope of every channel of ``filtered`` (what :attr:`Processed.envelope` computes on first read)."""
    env = np.empty(filtered.data.shape, dtype=np.float64)
    method = envelope_method(settings.envelope)
    if method.compute is linear_envelope and _lanes(filtered.data) is not None:  # SIMD lanes, no |x| copy
        method.apply(filtered.data, filtered.fs, getattr(settings, method.param), out=env)
        return filtered.with_data(env)

    def work(sl: slice) -> None:
        env[sl] = _envelope(filtered.data[sl], filtered.fs, settings)

    _by_blocks(env.shape, work)
    return filtered.with_data(env)


#: The kinds of :class:`Step`, in pipeline order.
STEP_KINDS = ("raw", "dc", "bandpass", "notch", "rectified", "envelope")


@dataclass(frozen=True, eq=False)
class Step:
    """One stage of the pipeline, as :func:`steps` returns it.

    Attributes
    ----------
    kind : str
        One of :data:`STEP_KINDS`: what the stage does (read this, not the label).
    label : str
        For people, e.g. ``"band-pass 20–450 Hz"``.
    recording : Recording
        The signal after this stage.
    params : mapping
        The numbers the stage used: ``low_hz``, ``high_hz``, ``order`` (band-pass);
        ``freqs_hz`` (tuple), ``q`` (notch); ``method``, ``param``, ``value``, ``unit``
        (envelope, see :data:`emgviz.envelopes.ENVELOPE_METHODS`); empty otherwise.

    A Step also unpacks as the former ``(label, recording)`` pair, so code written for
    that keeps working: ``for label, rec in steps(...)``.
    """

    kind: str
    label: str
    recording: Recording
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in STEP_KINDS:
            raise ValueError(f"kind must be one of {STEP_KINDS}, got {self.kind!r}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __iter__(self):
        return iter((self.label, self.recording))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, i):
        return (self.label, self.recording)[i]


def steps(rec: Recording, settings: Settings) -> list[Step]:
    """Each stage of :func:`preprocess`, in order, for teaching.

    Stages (``Step.kind``): ``"raw"``; ``"dc"`` (if on); ``"bandpass"`` (if on, with the
    effective edges); ``"notch"`` (if on: band-pass and notch together, which equals
    ``preprocess(...).filtered``); ``"rectified"``; ``"envelope"``. Labels read
    ``"band-pass 20–450 Hz"``, ``"notch 50 Hz"``, ``"envelope RMS 100 ms"`` and so on.
    Holds one full copy of the data per stage.

    Returns
    -------
    list of Step
    """
    _check_inputs(rec, settings)
    sos, eff, _ = _effective(rec, settings)
    fs = rec.fs
    out = [Step("raw", "raw", rec)]
    x = rec.data  # read-only; every stage below makes a new array
    if eff.remove_dc:
        x = x - x.mean(axis=-1, keepdims=True)
        out.append(Step("dc", "DC removed", rec.with_data(x)))
    if eff.bandpass:
        # without a notch the cascade is the band-pass alone: this is already the filtered signal
        bp = filtfilt(design_bandpass(fs, eff.low_hz, eff.high_hz, order=eff.order), x)
        out.append(Step("bandpass", f"band-pass {eff.low_hz:g}–{eff.high_hz:g} Hz", rec.with_data(bp),
                        {"low_hz": eff.low_hz, "high_hz": eff.high_hz, "order": eff.order}))
    if eff.notch_hz:
        x = filtfilt(sos, x)
        freqs = notch_frequencies(fs, eff.notch_hz, eff.notch_harmonics)
        out.append(Step("notch", f"notch {eff.notch_hz:g} Hz", rec.with_data(x),
                        {"mains_hz": eff.notch_hz, "freqs_hz": freqs, "q": eff.notch_q}))
    elif eff.bandpass:
        x = bp
    out.append(Step("rectified", "rectified", rec.with_data(np.abs(x))))
    method = envelope_method(eff.envelope)
    value = getattr(eff, method.param)
    out.append(Step("envelope", eff.envelope_text(), rec.with_data(_envelope(x, fs, eff)),
                    {"method": eff.envelope, "param": method.param, "value": value, "unit": method.unit}))
    return out
