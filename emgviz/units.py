"""Display units: the one rule for how stored values are shown (tables, figures, exports, CLI).

Recordings store SI volts (or raw ADC counts, ``"a.u."``). People read EMG in µV or mV, so
every view, table, figure and export scales volts by the *same* rule, chosen once per
recording from its size:

* a recording whose largest channel RMS is below 1 mV is shown in **µV** (surface EMG:
  tens to hundreds of µV), otherwise in **mV** (large needle potentials, stimulated M-waves);
* raw ADC counts (``"a.u."``) and any other stored unit are shown as they are, everywhere.

Units derived from the amplitude follow it: ``V·s`` → ``µV·s``, ``V²`` → ``µV²``,
``V²/Hz`` → ``µV²/Hz``. This module imports NumPy only when a magnitude is computed and
pandas only when a table is converted, so the command line stays fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DisplayUnit", "UNIT_CHOICES", "MV_THRESHOLD_V", "display_unit", "recording_display_unit",
           "amplitude_magnitude", "column_display", "to_display_units"]

#: ``--unit`` / ``unit=`` choices: ``"auto"`` applies the rule; the others force a unit for volts.
UNIT_CHOICES = ("auto", "V", "mV", "µV", "uV")
#: At or above this RMS (in V) a recording is shown in mV, below it in µV.
MV_THRESHOLD_V = 1e-3
_FACTORS = {"V": 1.0, "mV": 1e3, "µV": 1e6}
# A unit inside a column name: "RMS (V)", "iEMG (V·s)", "VAR (V²)", "PSD (V²/Hz)".
_COLUMN_RE = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)\s*$")
_POWER_SUFFIX = {"²": 2, "^2": 2}


@dataclass(frozen=True)
class DisplayUnit:
    """How one recording's amplitudes are shown.

    Attributes
    ----------
    stored : str
        The unit of the stored values (``"V"``, ``"a.u."``).
    shown : str
        The unit people see (``"µV"``, ``"mV"``, ``"a.u."``).
    factor : float
        Multiply stored amplitudes by this to get shown ones (1e6 for V → µV).
    """

    stored: str
    shown: str
    factor: float

    def scale(self, power: int = 1) -> float:
        """The factor for a quantity in ``stored**power`` (2 for V², V²/Hz)."""
        return self.factor ** power

    def describe(self) -> str:
        """The ``# units:`` provenance text: ``"µV (stored V × 1e+06)"`` or ``"a.u."``."""
        if self.factor == 1.0:
            return self.shown
        return f"{self.shown} (stored {self.stored} × {self.factor:g})"

    def label(self, stored_unit: str) -> str:
        """A derived stored unit written in the shown unit: ``"V·s"`` → ``"µV·s"``."""
        if self.stored == self.shown or not stored_unit.startswith(self.stored):
            return stored_unit
        return self.shown + stored_unit[len(self.stored):]


def display_unit(stored: str, magnitude: float | None = None, *, choice: str = "auto") -> DisplayUnit:
    """The display unit for values stored in ``stored`` of typical size ``magnitude``.

    Parameters
    ----------
    stored : str
        Stored unit; only ``"V"`` is rescaled.
    magnitude : float, optional
        Typical amplitude in ``stored`` (see :func:`amplitude_magnitude`); ``None`` means
        surface EMG size, so µV.
    choice : {"auto", "V", "mV", "µV", "uV"}, default="auto"
        ``"auto"``: µV below :data:`MV_THRESHOLD_V`, mV at or above it. Others force that
        unit for volts (raw counts stay ``"a.u."`` whatever is asked).

    Examples
    --------
    >>> display_unit("V", 80e-6), display_unit("V", 2e-3).shown, display_unit("a.u.", 900).shown
    (DisplayUnit(stored='V', shown='µV', factor=1000000.0), 'mV', 'a.u.')
    >>> display_unit("V", 80e-6, choice="mV").factor
    1000.0
    """
    choice = "µV" if choice == "uV" else choice
    if choice not in UNIT_CHOICES:
        raise ValueError(f"unit must be one of {', '.join(UNIT_CHOICES)}, got {choice!r}")
    if stored != "V":
        return DisplayUnit(str(stored), str(stored), 1.0)
    if choice == "auto":
        big = magnitude is not None and abs(float(magnitude)) >= MV_THRESHOLD_V
        choice = "mV" if big else "µV"
    return DisplayUnit("V", choice, _FACTORS[choice])


#: Samples per channel :func:`amplitude_magnitude` reads at most.
_MAGNITUDE_SAMPLES = 200_000


def amplitude_magnitude(data, *, max_samples: int = _MAGNITUDE_SAMPLES) -> float:
    """The largest per-channel RMS about the mean, in the stored unit (NaN ignored).

    Long recordings are read at a stride (at most ``max_samples`` per channel), which is
    plenty for a size class decided at a factor-of-ten threshold.
    """
    import numpy as np

    x = np.asarray(data, dtype=float)
    x = x.reshape(1, -1) if x.ndim == 1 else x
    if x.size == 0:
        return 0.0
    step = max(1, x.shape[-1] // max_samples)
    sub = x[:, ::step]
    with np.errstate(all="ignore"):
        rms = np.sqrt(np.nanmean((sub - np.nanmean(sub, axis=-1, keepdims=True)) ** 2, axis=-1))
    rms = rms[np.isfinite(rms)]
    return float(rms.max()) if rms.size else 0.0


def recording_display_unit(rec, *, choice: str = "auto") -> DisplayUnit:
    """The display unit of a :class:`~emgviz.Recording` (one unit for all its channels and views).

    Computed from the recording as read (raw), so the filtered trace, the envelope, the
    feature table and every export of the same file use the same unit.
    """
    kinds = getattr(rec, "ch_kinds", None)
    data = rec.data
    # the samples amplitude_magnitude reads (a strided view) before picking the EMG rows, so that only
    # those are copied: picking rows of the whole array copied every sample at every rerun of the app
    data = data[..., ::max(1, data.shape[-1] // _MAGNITUDE_SAMPLES)]
    if kinds is not None and any(k == "emg" for k in kinds):
        data = data[[i for i, k in enumerate(kinds) if k == "emg"]]
    return display_unit(rec.unit, _magnitude_of_samples(data) if rec.unit == "V" else None, choice=choice)


def _magnitude_of_samples(sub) -> float:
    """:func:`amplitude_magnitude` of samples already read at its stride, the same number.

    A Recording's samples are finite, so plain means (the same sums and divisions as NumPy's
    ``nanmean`` of finite values: bit-identical) do without ``nanmean``'s mask and copy; a row
    that still gives a non-finite RMS (NaN or inf in a duck-typed ``rec``) takes
    :func:`amplitude_magnitude` itself.
    """
    import numpy as np

    x = np.asarray(sub, dtype=float)
    x = x.reshape(1, -1) if x.ndim == 1 else x
    if x.size == 0:
        return 0.0
    with np.errstate(all="ignore"):
        dev = x - x.mean(axis=-1, keepdims=True)
        np.multiply(dev, dev, out=dev)
        rms = np.sqrt(dev.mean(axis=-1))
    if not np.isfinite(rms).all():
        return amplitude_magnitude(x, max_samples=x.shape[-1])
    return float(rms.max())


def column_display(column: str, unit: DisplayUnit) -> tuple[str, float]:
    """A table column's name in the shown unit and the factor for its values.

    Examples
    --------
    >>> u = display_unit("V", 1e-4)
    >>> column_display("RMS (V)", u), column_display("VAR (V²)", u), column_display("MDF (Hz)", u)
    (('RMS (µV)', 1000000.0), ('VAR (µV²)', 1000000000000.0), ('MDF (Hz)', 1.0))
    >>> column_display("iEMG (V·s)", u), column_display("PSD (V²/Hz)", u)
    (('iEMG (µV·s)', 1000000.0), ('PSD (µV²/Hz)', 1000000000000.0))
    """
    m = _COLUMN_RE.match(str(column))
    if not m or unit.stored == unit.shown:
        return str(column), 1.0
    name, stored = m.group("name"), m.group("unit").strip()
    if not stored.startswith(unit.stored) or stored[len(unit.stored):len(unit.stored) + 1].isalpha():
        return str(column), 1.0  # "Hz", "s", "count", or a unit that merely starts with V
    rest = stored[len(unit.stored):]
    power = next((p for s, p in _POWER_SUFFIX.items() if rest.startswith(s)), 1)
    return f"{name} ({unit.label(stored)})", unit.scale(power)


def to_display_units(table, unit: DisplayUnit):
    """A copy of ``table`` with every amplitude column rescaled and renamed to ``unit``.

    Columns without a stored-unit suffix (``channel``, ``MDF (Hz)``, ``ZC (count)``) are
    unchanged. Values stay numbers (full precision), so exports remain machine-readable.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"channel": ["biceps"], "RMS (V)": [7.83e-05], "MDF (Hz)": [80.0]})
    >>> to_display_units(t, display_unit("V", 7.83e-05)).round(6).to_dict("records")
    [{'channel': 'biceps', 'RMS (µV)': 78.3, 'MDF (Hz)': 80.0}]
    """
    out = table.copy()
    renames = {}
    for col in table.columns:
        label, factor = column_display(col, unit)
        if factor != 1.0:
            out[col] = table[col].astype(float) * factor
        if label != col:
            renames[col] = label
    return out.rename(columns=renames)
