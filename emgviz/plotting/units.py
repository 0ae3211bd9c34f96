"""Display units: how stored values are scaled for people (volts are read in µV or mV)."""

from __future__ import annotations

__all__ = ["display_scale", "format_volts"]

_PREFIX = {"µ": 1e6, "m": 1e3}


def display_scale(unit: str, *, prefix: str = "µ") -> tuple[float, str]:
    """The factor from stored to shown values, and the unit shown.

    Volts are shown with ``prefix`` (``"µ"``: µV, the usual unit of surface EMG; ``"m"``:
    mV); any other unit (``"a.u."``, ``"mV"`` as stored) is shown as it is.

    Examples
    --------
    >>> display_scale("V"), display_scale("V", prefix="m"), display_scale("a.u.")
    ((1000000.0, 'µV'), (1000.0, 'mV'), (1.0, 'a.u.'))
    """
    if prefix not in _PREFIX:
        raise ValueError(f"prefix must be one of {sorted(_PREFIX)}, got {prefix!r}")
    if unit == "V":
        return _PREFIX[prefix], f"{prefix}V"
    return 1.0, str(unit)


def format_volts(value: float, unit: str) -> str:
    """A value with an engineering prefix picked for its size: ``"250 µV"``, ``"1.5 mV"``, ``"2 V"``.

    Units other than ``"V"`` are printed as they are (``"3.2 a.u."``).

    Examples
    --------
    >>> format_volts(250e-6, "V"), format_volts(1.5e-3, "V"), format_volts(3.2, "a.u.")
    ('250 µV', '1.5 mV', '3.2 a.u.')
    """
    if unit != "V":
        return f"{value:.3g} {unit}"
    a = abs(value)
    if a >= 1:
        return f"{value:.3g} V"
    factor, shown = display_scale(unit, prefix="m" if a >= 1e-3 else "µ")
    return f"{value * factor:.3g} {shown}"
