"""Processing settings: one frozen object, validated once, with a stable text form."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Mapping

from ._checks import check_choice, check_int, check_order, check_positive
from .envelopes import ENVELOPE_METHODS, envelope_method
from .filters import MAINS_HZ

__all__ = ["Settings", "SettingsPreset", "SETTINGS_PRESETS", "NOTCH_CHOICES", "ENVELOPE_CHOICES",
           "ENVELOPE_METHODS", "MAINS_HZ"]

#: Mains notch: off, or a mains frequency of :data:`emgviz.filters.MAINS_HZ` (harmonics are notched too).
NOTCH_CHOICES = (None, *MAINS_HZ)
#: Envelope methods: the keys of :data:`emgviz.envelopes.ENVELOPE_METHODS`.
ENVELOPE_CHOICES = tuple(ENVELOPE_METHODS)


@dataclass(frozen=True)
class Settings:
    """The standard EMG pipeline's settings (SENIAM / ISEK conventions).

    Parameters
    ----------
    remove_dc : bool, default=True
        Subtract each channel's mean before filtering.
    bandpass : bool, default=True
        Apply the zero-phase Butterworth band-pass.
    low_hz : float, default=20.0
        Band-pass lower edge in Hz.
    high_hz : float, default=450.0
        Band-pass upper edge in Hz. At or above fs/2 it is clipped to 0.95·fs/2,
        with a warning in :attr:`Processed.warnings`.
    order : int, default=4
        Butterworth order of the band-pass design (zero-phase doubles the effective order).
    notch_hz : {None, 50.0, 60.0}, default=None
        Mains frequency to notch (a key of :data:`emgviz.filters.MAINS_HZ`) (with its harmonics below fs/2), or None for off.
    notch_harmonics : int, default=3
        How many multiples of ``notch_hz`` to notch (1 = the fundamental only).
    notch_q : float, default=30.0
        Quality factor of each notch (bandwidth = f0 / Q).
    envelope : {"rms", "lowpass"}, default="rms"
        Envelope of the rectified signal, a key of :data:`emgviz.envelopes.ENVELOPE_METHODS`:
        moving RMS, or low-pass (linear envelope).
    rms_window_ms : float, default=100.0
        RMS window length in ms.
    lowpass_hz : float, default=6.0
        Linear-envelope low-pass cutoff in Hz.

    Examples
    --------
    >>> Settings(notch_hz=50).describe()
    'DC removed; band-pass 20–450 Hz (Butterworth order 4, zero-phase); notch 50 Hz ×3 harmonics (Q 30); full-wave rectified; envelope RMS 100 ms'
    """

    remove_dc: bool = True
    bandpass: bool = True
    low_hz: float = 20.0
    high_hz: float = 450.0
    order: int = 4
    notch_hz: float | None = None
    notch_harmonics: int = 3
    notch_q: float = 30.0
    envelope: str = "rms"
    rms_window_ms: float = 100.0
    lowpass_hz: float = 6.0

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "remove_dc", bool(self.remove_dc))
        set_(self, "bandpass", bool(self.bandpass))
        low = check_positive(self.low_hz, "low_hz", "Hz")
        high = check_positive(self.high_hz, "high_hz", "Hz")
        if low >= high:
            raise ValueError(f"low_hz must be below high_hz, got {low:g} Hz and {high:g} Hz")
        set_(self, "low_hz", low)
        set_(self, "high_hz", high)
        set_(self, "order", check_order(self.order))
        notch = _parse_notch(self.notch_hz)
        check_choice(notch, "notch_hz", (None, *MAINS_HZ))
        set_(self, "notch_hz", notch)
        set_(self, "notch_harmonics", check_int(self.notch_harmonics, "notch_harmonics", 1, 20))
        set_(self, "notch_q", check_positive(self.notch_q, "notch_q"))
        envelope_method(self.envelope)  # an unknown method is an error here, never a fall-through later
        set_(self, "rms_window_ms", check_positive(self.rms_window_ms, "rms_window_ms", "ms"))
        set_(self, "lowpass_hz", check_positive(self.lowpass_hz, "lowpass_hz", "Hz"))

    # ---- text forms ------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (JSON-safe)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "Settings":
        """Settings from a dict; unknown keys raise, naming the known ones."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known settings are {sorted(known)}")
        return cls(**dict(values))

    @classmethod
    def from_preset(cls, name: str, **changes) -> "Settings":
        """The settings of a row of :data:`SETTINGS_PRESETS`, with ``changes`` on top.

        Examples
        --------
        >>> Settings.from_preset("surface", notch_hz=50) == Settings(notch_hz=50)
        True
        """
        try:
            preset = SETTINGS_PRESETS[name]
        except (KeyError, TypeError):
            listing = ", ".join(repr(p) for p in SETTINGS_PRESETS)
            raise ValueError(f"preset must be one of {listing}, got {name!r}") from None
        return cls.from_dict({**preset.values, **changes})

    def replace(self, **changes) -> "Settings":
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)

    def to_query(self) -> dict[str, str]:
        """The settings that differ from the defaults, as URL query parameters (strings)."""
        default = Settings()
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                out[f.name] = _to_text(value)
        return out

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> tuple["Settings", list[str]]:
        """Settings from URL query parameters; bad or unknown values are skipped.

        Returns
        -------
        settings : Settings
        problems : list of str
            One message per parameter that was ignored, for the UI to show.
        """
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        problems: list[str] = []
        for key, raw in params.items():
            if key not in fields:
                continue  # other parameters (view, sample) belong to the app
            text = raw[-1] if isinstance(raw, (list, tuple)) else raw
            try:
                values[key] = _from_text(text, fields[key].default)
                cls(**values)
            except (TypeError, ValueError) as exc:
                values.pop(key, None)
                problems.append(f"ignored {key}={text!r} from the link: {exc}")
        return cls(**values), problems

    def describe(self) -> str:
        """One line a person can read and a paper can quote."""
        parts = []
        if self.remove_dc:
            parts.append("DC removed")
        if self.bandpass:
            parts.append(f"band-pass {self.low_hz:g}–{self.high_hz:g} Hz (Butterworth order {self.order}, zero-phase)")
        if self.notch_hz:
            parts.append(f"notch {self.notch_hz:g} Hz ×{self.notch_harmonics} harmonics (Q {self.notch_q:g})")
        parts.append("full-wave rectified")
        parts.append(self.envelope_text())
        return "; ".join(parts)

    def preset_name(self) -> str | None:
        """The key of the :data:`SETTINGS_PRESETS` row these settings equal exactly, or None (custom).

        Examples
        --------
        >>> Settings().preset_name(), Settings.from_preset("needle").preset_name(), Settings(notch_hz=50).preset_name()
        ('surface', 'needle', None)
        """
        for name, preset in SETTINGS_PRESETS.items():
            if self == Settings.from_dict(preset.values):
                return name
        return None

    def envelope_text(self) -> str:
        """The envelope step in words, e.g. ``"envelope RMS 100 ms"`` (from :data:`ENVELOPE_METHODS`)."""
        method = envelope_method(self.envelope)
        return method.text(getattr(self, method.param))


@dataclass(frozen=True)
class SettingsPreset:
    """A named set of :class:`Settings` values for one kind of recording (a row of :data:`SETTINGS_PRESETS`).

    Attributes
    ----------
    label : str
        What a menu shows.
    values : mapping
        The settings that differ from :class:`Settings` defaults.
    reference : str
        Where the values come from.
    """

    label: str
    values: Mapping[str, Any]
    reference: str


#: Named settings for kinds of recording. Adding a preset is one row (``Settings.from_preset`` reads it).
SETTINGS_PRESETS: dict[str, SettingsPreset] = {
    "surface": SettingsPreset("Surface EMG (SENIAM)", {}, "Merletti & Parker 2004, ch. 5–6"),
    "needle": SettingsPreset("Needle EMG (concentric, 10 Hz – 10 kHz)",
                             {"low_hz": 10.0, "high_hz": 10000.0, "order": 2, "notch_hz": None,
                              "rms_window_ms": 5.0},
                             "clinical needle band 10 Hz – 10 kHz (Stålberg et al. 1986, J Clin Neurophysiol "
                             "3:313); low-pass clipped to 0.95·fs/2 below 20 kHz; no notch; 5-ms RMS keeps spikes"),
}


def _parse_notch(value) -> float | None:
    """``notch_hz`` as None (off) or a float: accepts numbers and text ("off", "none", "", "50", "50 Hz")."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("", "off", "none"):
            return None
        try:
            return float(text.rstrip("hz "))
        except ValueError:
            raise ValueError(f"notch_hz must be off or a mains frequency in Hz (50 or 60), got {value!r}") from None
    return float(value)


def _to_text(value) -> str:
    if value is None:
        return "off"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _from_text(text, default):
    text = str(text).strip()
    if isinstance(default, bool):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"expected 1 or 0, got {text!r}")
    if default is None:  # notch_hz
        return _parse_notch(text)
    if isinstance(default, int):
        v = float(text)
        if not math.isfinite(v) or v != int(v):
            raise ValueError(f"expected a whole number, got {text!r}")
        return int(v)
    if isinstance(default, float):
        return float(text)
    return text
