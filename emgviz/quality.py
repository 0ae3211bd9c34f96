"""Signal quality per channel: SNR, mains hum, clipping, flat channels, high-frequency content.

One row per channel with the numbers and a grade ("good", "check", "poor") plus a sentence
that names the problem and its size. The thresholds are the module constants below; they are
screening rules of thumb in the spirit of SENIAM's recommendations on noise and artefacts
(Hermens et al. 2000, J Electromyogr Kinesiol 10:361; Merletti & Parker 2004, ch. 5–6;
De Luca, Gilmore, Kuznetsov & Roy 2010, J Biomech 43:1573), not clinical criteria.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import check_choice, check_recording, check_span
from .envelopes import rms_envelope
from .features import rms
from .filters import NYQUIST_FRACTION
from .recording import Recording
from .spectral import band_power, total_power, welch_psd

__all__ = ["signal_quality", "QUALITY_COLUMNS", "GRADES",
           "MAINS_FREQUENCIES_HZ", "MAINS_HARMONICS", "MAINS_HALF_WIDTH_HZ", "MAINS_FLOOR_HZ",
           "MAINS_CHECK", "MAINS_POOR", "CLIP_RUN", "CLIP_CHECK", "CLIP_POOR", "HF_FRACTION_OF_NYQUIST",
           "HF_CHECK", "SNR_CHECK_DB", "SNR_ENVELOPE_MS", "SNR_PERCENTILES", "FLAT_RELATIVE",
           "FLAT_ABSOLUTE", "FLAT_STUCK"]

#: Columns of :func:`signal_quality`, in this order.
QUALITY_COLUMNS = ("channel", "rms", "snr_db", "mains_ratio_50", "mains_ratio_60", "clipping_fraction",
                   "flat", "hf_ratio", "grade", "reason")
#: Grades from best to worst.
GRADES = ("good", "check", "poor")

#: Mains frequencies checked (Hz): both are always reported, the mains may be unknown.
MAINS_FREQUENCIES_HZ = (50.0, 60.0)
#: Multiples of the mains frequency counted (1 = fundamental only), below 0.95·fs/2.
MAINS_HARMONICS = 5
#: Half-width (Hz) of the narrow band around each mains line.
MAINS_HALF_WIDTH_HZ = 2.0
#: The local spectral floor is the median PSD from ``MAINS_HALF_WIDTH_HZ`` + 1 to this many Hz away.
MAINS_FLOOR_HZ = 10.0
#: Mains ratio (fraction of total power above the local floor in the mains bands) for "check".
MAINS_CHECK = 0.05
#: Mains ratio for "poor".
MAINS_POOR = 0.25
#: A sample is clipped when it sits at the rail in a run of at least this many equal samples.
CLIP_RUN = 3
#: Clipped fraction of samples for "check".
CLIP_CHECK = 0.001
#: Clipped fraction of samples for "poor".
CLIP_POOR = 0.01
#: High-frequency band starts at this fraction of fs/2.
HF_FRACTION_OF_NYQUIST = 0.9
#: Fraction of power in the high-frequency band for "check" (possible aliasing or noise).
HF_CHECK = 0.15
#: SNR (dB) below which the channel is "check": activity hardly stands out from rest.
SNR_CHECK_DB = 6.0
#: RMS envelope window (ms) for the SNR.
SNR_ENVELOPE_MS = 100.0
#: Envelope percentiles taken as "active" and "rest" level when no rest segment is given.
SNR_PERCENTILES = (95.0, 5.0)
#: A channel is flat when its SD is below this fraction of the median SD of the channels (≥ 3 channels).
FLAT_RELATIVE = 0.01
#: ... or below this SD in the recording's unit times (1 + |mean|): numerically constant.
FLAT_ABSOLUTE = 1e-12
#: ... or when this fraction of its samples share one value (stuck at a rail).
FLAT_STUCK = 0.5

_SEGMENT_S = 1.0  # Welch segments of 1 s: 1 Hz resolution for the mains lines


def _clipped_fraction(x: np.ndarray, adc_range) -> float:
    if adc_range is not None:
        lo, hi = adc_range
        return float(np.mean((x <= lo) | (x >= hi)))
    lo, hi = x.min(), x.max()
    if lo == hi:
        return 1.0
    at_rail = (x == lo) | (x == hi)
    # runs of equal consecutive samples at a rail, of length >= CLIP_RUN
    same_as_prev = np.r_[False, x[1:] == x[:-1]]
    run_start = np.flatnonzero(~same_as_prev)
    run_len = np.diff(np.r_[run_start, x.size])
    long_rail = at_rail[run_start] & (run_len >= CLIP_RUN)
    return float(run_len[long_rail].sum() / x.size)


def _stuck_fraction(x: np.ndarray) -> float:
    _, counts = np.unique(x, return_counts=True)
    return float(counts.max() / x.size)


def _mains_ratio(f: np.ndarray, psd: np.ndarray, mains_hz: float, fs: float, total: float) -> float:
    if total <= 0:
        return 0.0
    df = f[1] - f[0] if f.size > 1 else fs
    excess = 0.0
    for h in range(1, MAINS_HARMONICS + 1):
        line = h * mains_hz
        if line >= NYQUIST_FRACTION * fs / 2:
            break
        dist = np.abs(f - line)
        narrow = dist <= MAINS_HALF_WIDTH_HZ
        around = (dist > MAINS_HALF_WIDTH_HZ + 1) & (dist <= MAINS_FLOOR_HZ)
        if not narrow.any():
            continue
        floor = np.median(psd[around]) if around.any() else 0.0
        excess += float(np.clip(psd[narrow] - floor, 0, None).sum() * df)
    return min(excess / total, 1.0)


def _snr_db(x0: np.ndarray, fs: float, rest: slice | None) -> float:
    env = rms_envelope(x0, fs, window_ms=min(SNR_ENVELOPE_MS, 1000.0 * x0.size / fs))
    active = np.percentile(env, SNR_PERCENTILES[0])
    if rest is None:
        quiet = np.percentile(env, SNR_PERCENTILES[1])
    else:
        quiet = float(rms(x0[rest]))
    if quiet <= 0:
        return float("inf") if active > 0 else float("nan")
    return float(20 * np.log10(active / quiet)) if active > 0 else float("-inf")


def is_needle(rec: Recording) -> bool:
    """True when the file says it is a needle (intramuscular) recording: ``meta["electrode"]`` (or the
    header comments) mention a needle, concentric, monopolar needle or fine wire electrode."""
    meta = rec.meta or {}
    text = " ".join(str(meta.get(k, "")) for k in ("electrode", "comments")).lower()
    return any(w in text for w in ("needle", "concentric", "fine wire", "fine-wire", "intramuscular"))


def _needle_snr_db(x0: np.ndarray, fs: float) -> float:
    """Needle SNR: the 99.9th percentile of |x| (the motor-unit spikes) over the baseline noise SD
    (median |x| / 0.6745, Quiroga et al. 2004), after removing drift below 10 Hz. A needle at rest is
    electrically silent, so the envelope-percentile SNR of surface EMG says nothing about quality."""
    from .filters import bandpass

    y = bandpass(x0, fs, 10.0, 0.95 * fs / 2, order=2) if fs > 40 else x0
    noise = float(np.median(np.abs(y)) / 0.6745)
    peak = float(np.percentile(np.abs(y), 99.9))
    if noise <= 0:
        return float("inf") if peak > 0 else float("nan")
    return float(20 * np.log10(peak / noise))


def signal_quality(rec: Recording, *, mains_hz: float | None = None, rest=None,
                   adc_range: tuple[float, float] | None = None) -> pd.DataFrame:
    """Screen each channel for common recording problems and grade it.

    Measures, per channel (after removing its mean):

    * ``rms`` — RMS amplitude in ``rec.unit``.
    * ``snr_db`` — 20·log10(active / rest): active is the 95th percentile of the RMS envelope
      (100 ms); rest is the RMS of the ``rest`` segment when given, otherwise the envelope's
      5th percentile (a needle recording, :func:`is_needle`, uses the spikes' 99.9th percentile over
      the baseline noise SD instead: needle rest is quiet by design) (so a recording without any rest, e.g. one sustained contraction,
      scores low: read the number with that in mind).
    * ``mains_ratio_50`` / ``mains_ratio_60`` — power above the local spectral floor within
      ±2 Hz of 50 (60) Hz and its harmonics up to ×5, over the total power (Welch PSD, 1 s
      Hann segments). The floor is the median PSD 3–10 Hz away from each line, so broadband
      EMG scores ≈ 0 and a pure hum scores ≈ 1. Both are reported because the mains
      frequency of a file is often unknown.
    * ``clipping_fraction`` — fraction of samples at the channel's minimum or maximum in runs
      of ≥ 3 equal samples (an amplifier or ADC at its rail); with ``adc_range`` the fraction
      at or beyond the given limits.
    * ``flat`` — True when the SD is ≈ 0 (below 1e-12·(1 + |mean|)), below 1 % of the median SD
      of the channels (with 3 or more channels), or when half the samples share one value.
    * ``hf_ratio`` — power above 0.9·fs/2 over total: aliasing, or noise above the EMG band.

    Grades: "poor" for a flat channel, clipping ≥ 1 % or mains ≥ 25 %; "check" for clipping
    ≥ 0.1 %, mains ≥ 5 %, high-frequency power ≥ 15 % or SNR < 6 dB; "good" otherwise
    (the module constants hold these numbers).

    Parameters
    ----------
    rec : Recording
        The raw recording (before any notch or band-pass, which would hide the problems).
    mains_hz : {None, 50.0, 60.0}, default=None
        The mains frequency where it was recorded; None grades on the larger of the two ratios.
    rest : (t0_s, t1_s) or None, default=None
        A rest segment in the recording's clock for the SNR; None uses envelope percentiles.
    adc_range : (low, high) or None, default=None
        The converter's limits in ``rec.unit``, when known, for the clipping fraction.

    Returns
    -------
    DataFrame
        One row per channel, columns :data:`QUALITY_COLUMNS`; ``reason`` is one readable
        sentence, e.g. "mains hum: 38 % of power at 50 Hz and harmonics".

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rec = Recording(rng.normal(size=(2, 20_000)) * [[1.0], [0.0]], fs=2000.0, ch_names=["a", "b"])
    >>> signal_quality(rec)[["channel", "flat", "grade"]].values.tolist()
    [['a', False, 'check'], ['b', True, 'poor']]
    """
    check_recording(rec, "signal_quality")
    if mains_hz is not None:
        mains_hz = float(mains_hz)
        check_choice(mains_hz, "mains_hz", (None,) + MAINS_FREQUENCIES_HZ)
    adc_range = _check_adc_range(adc_range, rec.unit)
    rest_sl = None if rest is None else _rest_samples(rec, rest)
    fs = rec.fs
    stds = np.array([x.std() for x in rec.data])  # row by row: no temporary as large as the recording
    median_std = float(np.median(stds))
    hf_low = HF_FRACTION_OF_NYQUIST * fs / 2
    rows = []
    for i, name in enumerate(rec.ch_names):
        x = rec.data[i]
        x0 = x - x.mean()
        std = float(stds[i])
        stuck = _stuck_fraction(x)
        flat = bool(std <= FLAT_ABSOLUTE * (1 + abs(float(x.mean())))
                    or (rec.n_channels >= 3 and std < FLAT_RELATIVE * median_std)
                    or stuck >= FLAT_STUCK)
        f, psd = welch_psd(x0, fs, segment_s=_SEGMENT_S)
        total = float(total_power(f, psd))
        ratios = {m: _mains_ratio(f, psd, m, fs, total) for m in MAINS_FREQUENCIES_HZ}
        hf = float(band_power(f, psd, hf_low, fs / 2) / total) if total > 0 else 0.0
        clip = _clipped_fraction(x, adc_range)
        if flat:
            snr = float("nan")
        elif rest_sl is None and is_needle(rec):  # needle rest is quiet by design; see _needle_snr_db
            snr = _needle_snr_db(x0, fs)
        else:
            snr = _snr_db(x0, fs, rest_sl)
        row = {"channel": name, "rms": float(rms(x0)), "snr_db": snr,
               "mains_ratio_50": ratios[50.0], "mains_ratio_60": ratios[60.0], "clipping_fraction": clip,
               "flat": flat, "hf_ratio": hf}
        row["grade"], row["reason"] = _grade(row, std, stuck, rec.unit, mains_hz, hf_low)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))


def _check_adc_range(adc_range, unit: str) -> tuple[float, float] | None:
    if adc_range is None:
        return None
    try:
        lo, hi = (float(v) for v in adc_range)
    except (TypeError, ValueError):
        raise ValueError(f"adc_range must be (low, high) in {unit}, got {adc_range!r}") from None
    if not lo < hi:
        raise ValueError(f"adc_range must have low < high, got {adc_range!r}")
    return lo, hi


def _rest_samples(rec: Recording, rest) -> slice:
    """The rest span (recording clock, s) as a slice of at least 2 samples."""
    t_a, t_b = check_span(rest, "rest")
    a = max(rec.index_of(t_a), 0)
    b = min(rec.index_of(t_b), rec.n_samples)
    if b - a < 2:
        raise ValueError(f"rest {t_a:g}–{t_b:g} s holds {max(b - a, 0)} samples; the recording spans "
                         f"{rec.t0:g}–{rec.t0 + rec.duration_s:g} s")
    return slice(a, b)


def _pct(v: float) -> str:
    p = 100 * v
    if p == 0:
        return "0 %"
    if p < 0.01:
        return "< 0.01 %"
    return f"{p:.0f} %" if p >= 10 else f"{p:.2g} %"


def _grade(row: dict, std: float, stuck: float, unit: str, mains_hz, hf_low: float) -> tuple[str, str]:
    if row["flat"]:
        if stuck >= FLAT_STUCK and std > 0:
            return "poor", f"flat: {_pct(stuck)} of samples share one value (stuck at a rail or disconnected)"
        return "poor", f"flat: SD {std:.3g} {unit} (disconnected electrode or empty channel)"
    poor, check = [], []
    if mains_hz is None:
        mains = max(MAINS_FREQUENCIES_HZ, key=lambda m: row[f"mains_ratio_{m:.0f}"])
    else:
        mains = mains_hz
    ratio = row[f"mains_ratio_{mains:.0f}"]
    msg = f"mains hum: {_pct(ratio)} of power at {mains:g} Hz and harmonics"
    if ratio >= MAINS_POOR:
        poor.append(msg)
    elif ratio >= MAINS_CHECK:
        check.append(msg)
    clip = row["clipping_fraction"]
    msg = f"clipping: {_pct(clip)} of samples at the rail"
    if clip >= CLIP_POOR:
        poor.append(msg)
    elif clip >= CLIP_CHECK:
        check.append(msg)
    if row["hf_ratio"] >= HF_CHECK:
        check.append(f"high-frequency content: {_pct(row['hf_ratio'])} of power above {hf_low:g} Hz "
                     "(aliasing or noise)")
    if np.isfinite(row["snr_db"]) and row["snr_db"] < SNR_CHECK_DB:
        check.append(f"low SNR: activity only {row['snr_db']:.1f} dB above rest (no clear rest, or noise "
                     "as large as the activity)")
    if poor:
        return "poor", "; ".join(poor + check)
    if check:
        return "check", "; ".join(check)
    return "good", (f"no problem found: SNR {row['snr_db']:.0f} dB, mains {_pct(ratio)} at {mains:g} Hz, "
                    f"clipping {_pct(clip)}, high-frequency {_pct(row['hf_ratio'])}")
