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

from dataclasses import dataclass

import numpy as np

from .envelopes import envelope_method
from .filters import NYQUIST_FRACTION, _filtfilt, _pipeline_design, design_bandpass, filtfilt, pad_length
from .recording import Recording
from .settings import Settings

__all__ = ["Processed", "preprocess", "steps"]


@dataclass(frozen=True, eq=False)
class Processed:
    """The output of :func:`preprocess`.

    Attributes
    ----------
    raw : Recording
        The input, untouched.
    filtered : Recording
        DC removed, band-passed and notched as the settings say (same unit as raw).
    envelope : Recording or None
        Envelope of the rectified filtered signal (``settings.envelope``, a key of
        :data:`emgviz.envelopes.ENVELOPE_METHODS`);
        None when :func:`preprocess` was called with ``envelope=False``.
    settings : Settings
        The effective settings (``high_hz`` clipped, filters skipped, harmonics dropped
        when the sampling rate requires; each change has a message in ``warnings``).
    warnings : tuple of str
        Messages for the user about what was changed and why.
    """

    raw: Recording
    filtered: Recording
    envelope: Recording | None
    settings: Settings
    warnings: tuple[str, ...]

    @property
    def rectified(self) -> Recording:
        """``|filtered|`` (full-wave rectified), computed on each access to save memory."""
        return self.filtered.with_data(np.abs(self.filtered.data))


def _check_inputs(rec, settings) -> None:
    if not isinstance(rec, Recording):
        raise TypeError(f"rec must be an emgviz Recording, got {type(rec).__name__}; "
                        "build one with emgviz.Recording(data, fs=..., ch_names=[...])")
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


def _filter_block(x: np.ndarray, sos, remove_dc: bool, out: np.ndarray) -> None:
    mean = x.mean(axis=-1, keepdims=True) if remove_dc else None
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
        Compute the envelope. False skips it (``Processed.envelope`` is then None), for
        callers that only need the filtered signal (features, spectra, comparisons).

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
    env = np.empty(rec.data.shape, dtype=np.float64) if envelope else None
    block = max(1, _BLOCK_SAMPLES // rec.n_samples)
    for i0 in range(0, rec.n_channels, block):
        sl = slice(i0, i0 + block)
        _filter_block(rec.data[sl], sos, eff.remove_dc, filtered[sl])
        if env is not None:
            env[sl] = _envelope(filtered[sl], rec.fs, eff)
    return Processed(raw=rec, filtered=rec.with_data(filtered),
                     envelope=None if env is None else rec.with_data(env),
                     settings=eff, warnings=tuple(warnings))


def steps(rec: Recording, settings: Settings) -> list[tuple[str, Recording]]:
    """Each stage of :func:`preprocess`, in order, labelled for teaching.

    Stages: ``"raw"``; ``"DC removed"`` (if on); ``"band-pass 20–450 Hz"`` (if on, with
    the effective edges); ``"notch 50 Hz"`` (if on: band-pass and notch together, which
    equals ``preprocess(...).filtered``); ``"rectified"``; ``"envelope RMS 100 ms"`` or
    ``"envelope low-pass 6 Hz"``. Holds one full copy of the data per stage.

    Returns
    -------
    list of (label, Recording)
    """
    _check_inputs(rec, settings)
    sos, eff, _ = _effective(rec, settings)
    fs = rec.fs
    out: list[tuple[str, Recording]] = [("raw", rec)]
    x = rec.data  # read-only; every stage below makes a new array
    if eff.remove_dc:
        x = x - x.mean(axis=-1, keepdims=True)
        out.append(("DC removed", rec.with_data(x)))
    if eff.bandpass:
        # without a notch the cascade is the band-pass alone: this is already the filtered signal
        bp = filtfilt(design_bandpass(fs, eff.low_hz, eff.high_hz, order=eff.order), x)
        out.append((f"band-pass {eff.low_hz:g}–{eff.high_hz:g} Hz", rec.with_data(bp)))
    if eff.notch_hz:
        x = filtfilt(sos, x)
        out.append((f"notch {eff.notch_hz:g} Hz", rec.with_data(x)))
    elif eff.bandpass:
        x = bp
    out.append(("rectified", rec.with_data(np.abs(x))))
    out.append((eff.envelope_text(), rec.with_data(_envelope(x, fs, eff))))
    return out
