"""The Teach lesson's state: its parameters, named presets, the link that reopens it, and its settings.

Pure functions over plain dicts (no Streamlit): the Teach view, its URL and its presets all read
the one table :data:`PARAMS`, so a parameter is added in one place. A lesson's values are a dict
``{name: value}`` with the names of :data:`PARAMS` (the view keys its widgets ``"teach_" + name``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from .settings import Settings

__all__ = ["Param", "PARAMS", "DEFAULTS", "PROFILE_CHOICES", "NOTCH_CHOICES", "Preset", "PRESETS",
           "preset", "sim_params", "lesson_settings", "to_query", "from_query", "QUERY_PREFIX",
           "weak_strong_drive", "processing_text", "hum_text"]

#: Query keys of a lesson are its parameter names with this prefix (``teach_level=0.6``).
QUERY_PREFIX = "teach_"
#: Contraction patterns: the simulator's built-in profiles and the lesson's own "weak-strong".
PROFILE_CHOICES = ("bursts", "rest", "ramp", "sustained", "fatigue", "weak-strong")
#: The Teach notch: follow the simulated hum, off, or a fixed mains frequency.
NOTCH_CHOICES = ("Match hum", "Off", "50 Hz", "60 Hz")


@dataclass(frozen=True)
class Param:
    """One lesson parameter: its default and what a link may set it to.

    ``kind`` is ``"choice"`` (one of ``choices``), ``"int"`` or ``"float"`` (``lo``…``hi``) or
    ``"bool"``.
    """

    default: Any
    kind: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()

    def parse(self, text: str) -> Any:
        """The value a link's text stands for; ValueError saying what is allowed."""
        text = str(text).strip()
        if self.kind == "choice":
            for c in self.choices:
                if str(c).lower() == text.lower():
                    return c
            raise ValueError(f"must be one of {', '.join(map(str, self.choices))}")
        if self.kind == "bool":
            if text.lower() in ("1", "true", "on", "yes"):
                return True
            if text.lower() in ("0", "false", "off", "no"):
                return False
            raise ValueError("must be 1 or 0 (on or off)")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"must be a number from {self.lo:g} to {self.hi:g}") from None
        if not np.isfinite(value) or not self.lo <= value <= self.hi:
            raise ValueError(f"must be a number from {self.lo:g} to {self.hi:g}")
        if self.kind == "int":
            if value != int(value):
                raise ValueError(f"must be a whole number from {self.lo:g} to {self.hi:g}")
            return int(value)
        return value

    def text(self, value: Any) -> str:
        """How ``value`` is written in a link."""
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "float":
            return f"{float(value):g}"
        return str(value)


#: Every lesson parameter (amounts: hum µV, DC mV, wander/motion/ECG µV, clipping mV, 0 = off).
PARAMS: dict[str, Param] = {
    "profile": Param("bursts", "choice", choices=PROFILE_CHOICES),
    "level": Param(0.5, "float", 0.05, 1.0),
    "duration_s": Param(10, "int", 2, 30),
    "fs": Param(2000, "choice", choices=(1000, 2000, 4000)),
    "n_units": Param(100, "int", 20, 300),
    "n_channels": Param(2, "int", 1, 8),
    "fatigue": Param(0.0, "float", 0.0, 0.5),
    "seed": Param(0, "int", 0, 10_000),
    "mains": Param("50 Hz", "choice", choices=("Off", "50 Hz", "60 Hz")),
    "mains_uv": Param(100, "int", 0, 500),
    "noise": Param(True, "bool"),
    "snr_db": Param(20, "int", 0, 40),
    "dc_mv": Param(0.0, "float", 0.0, 10.0),
    "wander_uv": Param(0, "int", 0, 2000),
    "motion_uv": Param(0, "int", 0, 3000),
    "ecg_uv": Param(0, "int", 0, 1000),
    "clip_mv": Param(0.0, "float", 0.0, 3.0),
    "dropouts": Param(0, "int", 0, 10),
    "notch": Param("Match hum", "choice", choices=NOTCH_CHOICES),
    "low_hz": Param(20.0, "float", 1.0, 200.0),
    "high_hz": Param(450.0, "float", 50.0, 1900.0),
    "method": Param("threshold", "choice", choices=()),  # choices: emgviz.onsets.DETECTION_METHODS
    "channel": Param(0, "int", 0, 7),
    "presenter": Param(False, "bool"),
    "plotly": Param(False, "bool"),  # draw with Plotly (zoomable, slower) instead of Teach's canvas
    "step": Param(1, "int", 1, 6),
}


def _detection_methods() -> tuple:
    from .onsets import DETECTION_METHODS

    return tuple(DETECTION_METHODS)


PARAMS["method"] = Param("threshold", "choice", choices=_detection_methods())

#: Default value of every lesson parameter.
DEFAULTS: dict[str, Any] = {name: p.default for name, p in PARAMS.items()}


# ---- presets ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Preset:
    """A named lesson, one click away: the values that differ from :data:`DEFAULTS`.

    ``lesson`` names the view that teaches it (``"surface"``: this one); a lesson built
    elsewhere (e.g. needle EMG) adds its presets as rows with its own ``lesson``.
    """

    key: str
    title: str
    description: str
    values: Mapping[str, Any] = field(default_factory=dict)
    lesson: str = "surface"


#: The named lessons, in the order shown. Adding one is adding a row.
PRESETS: tuple[Preset, ...] = (
    Preset("clean-biceps", "clean biceps",
           "Four contractions of one clean muscle: what EMG looks like before anything gets in the way.",
           {"n_channels": 1, "mains": "Off", "snr_db": 30}),
    Preset("hum-and-drift", "hum and drift",
           "50 Hz mains hum, a DC offset and slow baseline wander: what the band-pass and the notch remove.",
           {"n_channels": 1, "mains": "50 Hz", "mains_uv": 200, "dc_mv": 2.0, "wander_uv": 800, "snr_db": 25}),
    Preset("fatiguing-hold", "fatiguing hold",
           "A 20 s hold during which conduction slows: the spectrum drifts down while the effort is kept.",
           {"n_channels": 1, "profile": "fatigue", "fatigue": 0.4, "duration_s": 20, "level": 0.6,
            "mains": "Off", "snr_db": 30}),
    Preset("weak-vs-strong", "weak vs strong contraction",
           "Weak and strong contractions in turn: more motor units at higher rates make a larger envelope.",
           {"n_channels": 1, "profile": "weak-strong", "level": 0.9, "mains": "Off", "snr_db": 30}),
)


def preset(key: str) -> Preset:
    """The preset named ``key`` (its ``key`` or its ``title``)."""
    for p in PRESETS:
        if key in (p.key, p.title):
            return p
    raise ValueError(f"no lesson preset {key!r}; presets are {', '.join(p.key for p in PRESETS)}")


# ---- the simulation and the processing ------------------------------------------------------------
#: Of "weak-strong": the weak contractions' drive as a fraction of the strong ones'.
WEAK_FRACTION = 0.25
_DRIVE_FS = 50.0  # Hz: a custom drive is sent at this rate (the simulator interpolates it)


def weak_strong_drive(duration_s: float, level: float) -> list[float]:
    """The drive of "weak-strong": the "bursts" pattern with every other contraction weak.

    Odd contractions (1st, 3rd, …) at ``WEAK_FRACTION * level``, even ones at ``level``;
    sampled at 50 Hz (the simulator stretches a custom drive by linear interpolation).

    Examples
    --------
    >>> d = np.array(weak_strong_drive(10, 0.8))
    >>> round(float(d.max()), 2), round(float(d[50:100].max()), 2)
    (0.8, 0.2)
    """
    from .simulate import profile

    drive = profile("bursts", fs=_DRIVE_FS, duration_s=float(duration_s), level=float(level))
    active = drive > 0
    edges = np.flatnonzero(np.diff(active.astype(np.int8)) == 1) + 1
    starts = np.concatenate([[0] if active[0] else [], edges]).astype(int)
    stops = np.append(starts[1:], drive.size)
    for i, (a, b) in enumerate(zip(starts, stops)):
        if i % 2 == 0:
            drive[a:b] *= WEAK_FRACTION
    return [round(float(v), 5) for v in drive]


def sim_params(values: Mapping[str, Any]) -> dict:
    """The :func:`emgviz.simulate.simulate` keyword arguments (JSON-safe) for a lesson's values.

    Parameters
    ----------
    values : mapping
        Lesson values by name (see :data:`PARAMS`); missing ones take the defaults.
        Amounts: mains in µV, DC in mV, wander/motion/ECG in µV, clipping in mV (0 = off).

    Returns
    -------
    dict

    Examples
    --------
    >>> sim_params({"mains": "60 Hz", "noise": False})["artefacts"]
    {'mains': {'hz': 60.0, 'amplitude': 0.0001}}
    """
    v = {**DEFAULTS, **values}
    art: dict = {}
    if v["mains"] != "Off" and v["mains_uv"] > 0:
        art["mains"] = {"hz": float(str(v["mains"]).split()[0]), "amplitude": float(v["mains_uv"]) / 1e6}
    if v["dc_mv"]:
        art["dc"] = {"offset": float(v["dc_mv"]) / 1e3}
    if v["wander_uv"]:
        art["wander"] = {"amplitude": float(v["wander_uv"]) / 1e6}
    if v["motion_uv"]:
        art["motion"] = {"amplitude": float(v["motion_uv"]) / 1e6}
    if v["ecg_uv"]:
        art["ecg"] = {"amplitude": float(v["ecg_uv"]) / 1e6}
    if v["noise"]:
        art["noise_snr_db"] = {"snr_db": float(v["snr_db"])}
    if v["clip_mv"]:
        art["clipping"] = {"level": float(v["clip_mv"]) / 1e3}
    if v["dropouts"]:
        art["dropouts"] = {"count": int(v["dropouts"])}
    profile: Any = str(v["profile"])
    if profile == "weak-strong":
        profile = weak_strong_drive(float(v["duration_s"]), float(v["level"]))
    return {"fs": float(v["fs"]), "duration_s": float(v["duration_s"]), "profile": profile,
            "level": float(v["level"]), "fatigue": float(v["fatigue"]), "n_channels": int(v["n_channels"]),
            "n_units": int(v["n_units"]), "artefacts": art or None, "seed": int(v["seed"])}


def hum_hz(values: Mapping[str, Any]) -> float | None:
    """The simulated mains hum's frequency in Hz, or None when the signal has no hum."""
    mains = (sim_params(values)["artefacts"] or {}).get("mains")
    return float(mains["hz"]) if mains else None


def lesson_settings(values: Mapping[str, Any]) -> Settings:
    """The processing the lesson applies: its own band-pass and notch, never the sidebar's.

    ``notch="Match hum"`` puts the notch at the simulated hum's frequency (none without hum);
    ``"Off"`` never notches; ``"50 Hz"``/``"60 Hz"`` notch there whatever the hum.

    Examples
    --------
    >>> lesson_settings({"mains": "60 Hz"}).notch_hz, lesson_settings({"mains": "Off"}).notch_hz
    (60.0, None)
    """
    v = {**DEFAULTS, **values}
    notch = v["notch"]
    if notch == "Match hum":
        notch_hz = hum_hz(v)
    else:
        notch_hz = None if notch == "Off" else float(str(notch).split()[0])
    return Settings(low_hz=float(v["low_hz"]), high_hz=float(v["high_hz"]), notch_hz=notch_hz)


# ---- links --------------------------------------------------------------------------------------
def to_query(values: Mapping[str, Any]) -> dict[str, str]:
    """The query parameters of a lesson: each value that differs from its default.

    Examples
    --------
    >>> to_query({**DEFAULTS, "level": 0.6, "mains": "60 Hz"})
    {'teach_level': '0.6', 'teach_mains': '60 Hz'}
    """
    out = {}
    for name, p in PARAMS.items():
        if name in values and values[name] != p.default:
            out[QUERY_PREFIX + name] = p.text(values[name])
    return out


def from_query(query: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A lesson's values from query parameters (``teach_<name>``, and ``teach_preset``).

    A preset is applied first, then the single values over it; other keys are left to the app.

    Returns
    -------
    values : dict
        Every parameter (defaults where the link says nothing).
    problems : list of str
        One message per value that was ignored, saying what is allowed.

    Examples
    --------
    >>> values, problems = from_query({"teach_level": "0.7", "teach_mains": "70 Hz"})
    >>> values["level"], problems
    (0.7, ["ignored teach_mains='70 Hz' from the link: must be one of Off, 50 Hz, 60 Hz"])
    """
    values = dict(DEFAULTS)
    problems: list[str] = []

    def text_of(raw):
        return raw[-1] if isinstance(raw, (list, tuple)) else raw

    if QUERY_PREFIX + "preset" in query:
        text = text_of(query[QUERY_PREFIX + "preset"])
        try:
            values.update(preset(str(text)).values)
        except ValueError as exc:
            problems.append(f"ignored {QUERY_PREFIX}preset={text!r} from the link: {exc}")
    for key, raw in query.items():
        if not key.startswith(QUERY_PREFIX) or key == QUERY_PREFIX + "preset":
            continue
        name, text = key[len(QUERY_PREFIX):], text_of(raw)
        if name not in PARAMS:
            problems.append(f"ignored {key}={text!r} from the link: Teach has no parameter {name!r}")
            continue
        try:
            values[name] = PARAMS[name].parse(text)
        except ValueError as exc:
            problems.append(f"ignored {key}={text!r} from the link: {exc}")
    return values, problems


# ---- words that describe exactly what was done --------------------------------------------------
def processing_text(kinds_and_labels: Sequence[tuple[str, str]]) -> str:
    """What the filtering steps did, in order, from the steps themselves (for audio labels).

    Parameters
    ----------
    kinds_and_labels : sequence of (kind, label)
        The lesson's steps (kinds as :func:`emgviz.plotting.teach.step_kind` names them).

    Examples
    --------
    >>> processing_text([("raw", "Raw"), ("dc", "DC removed"), ("bandpass", "Band-pass 20–450 Hz")])
    'after DC removal and band-pass 20–450 Hz (no notch)'
    """
    parts, notched = [], False
    for kind, label in kinds_and_labels:
        if kind == "dc":
            parts.append("DC removal")
        elif kind == "bandpass":
            parts.append(label[:1].lower() + label[1:])
        elif kind == "notch":
            parts.append(label[:1].lower() + label[1:])
            notched = True
    if not parts:
        return "unfiltered"
    text = "after " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])
    return text if notched else text + " (no notch)"


def hum_text(values: Mapping[str, Any]) -> str:
    """What the raw signal holds besides EMG, from the lesson's values (for the raw audio label).

    Examples
    --------
    >>> hum_text({"mains": "50 Hz", "mains_uv": 100, "noise": True})
    'EMG + 50 Hz hum (100 µV) + amplifier noise'
    """
    v = {**DEFAULTS, **values}
    parts = ["EMG"]
    if v["mains"] != "Off" and v["mains_uv"] > 0:
        parts.append(f"{v['mains']} hum ({v['mains_uv']:g} µV)")
    for name, words in (("dc_mv", "DC offset"), ("wander_uv", "baseline wander"), ("motion_uv", "movement"),
                        ("ecg_uv", "ECG"), ("clip_mv", "clipping"), ("dropouts", "dropouts")):
        if v[name]:
            parts.append(words)
    if v["noise"]:
        parts.append("amplifier noise")
    return " + ".join(parts)
