"""Units and channel kinds: voltage factors, canonical unit strings, and a kind guessed from a label."""

from __future__ import annotations

import re

__all__ = ["to_volts_factor", "normalise_unit", "is_voltage", "known_unit", "guess_kind", "split_unit",
           "volts_scale", "scale_to_volts", "record_unit"]

_MICRO = str.maketrans({"µ": "u", "μ": "u"})

_VOLT_FACTORS = {
    "v": 1.0, "volt": 1.0, "volts": 1.0,
    "mv": 1e-3, "millivolt": 1e-3, "millivolts": 1e-3,
    "uv": 1e-6, "microvolt": 1e-6, "microvolts": 1e-6, "mcv": 1e-6,
    "nv": 1e-9, "nanovolt": 1e-9, "nanovolts": 1e-9,
    "kv": 1e3, "kilovolt": 1e3, "kilovolts": 1e3,
}

# lower-case spelling -> canonical unit (non-voltage units)
_CANONICAL = {
    "n": "N", "newton": "N", "newtons": "N", "kn": "kN",
    "nm": "Nm", "n.m": "Nm", "n*m": "Nm", "n·m": "Nm", "n m": "Nm", "newton meter": "Nm",
    "newton metre": "Nm", "nmm": "Nmm", "n.mm": "Nmm", "n*mm": "Nmm",
    "g": "g", "gravity": "g", "m/s^2": "m/s²", "m/s2": "m/s²", "m/s²": "m/s²", "m.s-2": "m/s²",
    "m s-2": "m/s²",
    "deg": "deg", "degree": "deg", "degrees": "deg", "°": "deg", "rad": "rad",
    "deg/s": "deg/s", "°/s": "deg/s", "dps": "deg/s", "degrees/s": "deg/s", "rad/s": "rad/s",
    "s": "s", "sec": "s", "seconds": "s", "ms": "ms", "us": "us", "%": "%",
    "mm": "mm", "m": "m", "kg": "kg", "hz": "Hz",
    "a.u.": "a.u.", "au": "a.u.", "a.u": "a.u.", "arb. units": "a.u.", "adc": "a.u.",
    "counts": "a.u.", "count": "a.u.", "raw": "a.u.", "digital": "a.u.", "bits": "a.u.",
}


def _key(unit) -> str:
    text = str(unit).translate(_MICRO).strip().strip("()[]{}").strip().lower()
    return re.sub(r"\s+", " ", text)


def to_volts_factor(unit) -> float | None:
    """Factor that turns values in ``unit`` into volts.

    Parameters
    ----------
    unit : str or None
        A unit string as found in a file: ``"V"``, ``"mV"``, ``"µV"``/``"uV"``/``"μV"``,
        ``"microvolts"``, ... in any letter case, with or without brackets.

    Returns
    -------
    float or None
        ``1.0``, ``1e-3``, ``1e-6`` ...; ``None`` when ``unit`` is not a voltage (or empty).

    Examples
    --------
    >>> to_volts_factor("µV"), to_volts_factor("millivolt"), to_volts_factor("N")
    (1e-06, 0.001, None)
    """
    if unit is None:
        return None
    return _VOLT_FACTORS.get(_key(unit))


def is_voltage(unit) -> bool:
    """True when ``unit`` is a voltage unit (V, mV, µV, ...)."""
    return to_volts_factor(unit) is not None


def known_unit(unit) -> bool:
    """True when ``unit`` is a unit emgviz recognises (voltage or one of the canonical units)."""
    return unit is not None and (is_voltage(unit) or _key(unit) in _CANONICAL)


def normalise_unit(unit) -> str:
    """Canonical spelling of a unit: ``"V"`` for every voltage unit, ``"a.u."`` for none.

    Parameters
    ----------
    unit : str or None
        Unit as found in a file.

    Returns
    -------
    str
        ``"V"`` for voltages (the samples must be scaled with :func:`to_volts_factor`),
        ``"N"``, ``"Nm"``, ``"g"``, ``"m/s²"``, ``"deg"``, ``"deg/s"``, ... for known units,
        ``"a.u."`` for no unit or raw counts, otherwise the stripped original.

    Examples
    --------
    >>> normalise_unit("uV"), normalise_unit("n.m"), normalise_unit(None)
    ('V', 'Nm', 'a.u.')
    """
    if unit is None or not str(unit).strip():
        return "a.u."
    if is_voltage(unit):
        return "V"
    return _CANONICAL.get(_key(unit), str(unit).strip())


def volts_scale(unit) -> tuple[float, str]:
    """The factor that brings values in ``unit`` to emgviz's unit, and that unit.

    Returns
    -------
    (float, str)
        ``(to_volts_factor(unit), "V")`` for a voltage; ``(1.0, normalise_unit(unit))``
        otherwise (values kept, ``"a.u."`` for no unit).

    Examples
    --------
    >>> volts_scale("mV"), volts_scale("N"), volts_scale("")
    ((0.001, 'V'), (1.0, 'N'), (1.0, 'a.u.'))
    """
    factor = to_volts_factor(unit) if unit else None
    if factor is None:
        return 1.0, normalise_unit(unit)
    return factor, "V"


def scale_to_volts(data, ch_units) -> list[str]:
    """Scale the rows of ``data`` whose unit is a voltage to volts, in place; return the units out.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_samples)
        Samples, one row per channel (float, written in place).
    ch_units : sequence of str or None
        The unit of each row as the file states it (``"uV"``, ``"mV"``, ``"N"``, ``""``...).

    Returns
    -------
    list of str
        ``"V"`` for the rows scaled, the canonical unit for others (``"a.u."`` for none).
    """
    out = []
    for row, unit in zip(data, ch_units):
        factor, unit_out = volts_scale(unit)
        if factor != 1.0:
            row *= factor
        out.append(unit_out)
    return out


def record_unit(ch_units, ch_kinds) -> str:
    """The recording's unit: ``"V"`` when its EMG channels (or, with none, any channel) are in volts.

    Examples
    --------
    >>> record_unit(["V", "N"], ["emg", "force"]), record_unit(["V", "a.u."], ["emg", "emg"])
    ('V', 'a.u.')
    """
    emg_units = {u for u, k in zip(ch_units, ch_kinds) if k == "emg"}
    return "V" if emg_units == {"V"} or (not emg_units and "V" in ch_units) else "a.u."


_UNIT_AT_END = re.compile(r"^(?P<name>.*?)[\s_]*(?:\((?P<p>[^()]*)\)|\[(?P<b>[^\[\]]*)\])\s*$")


def split_unit(label: str) -> tuple[str, str | None]:
    """Split ``"Biceps (mV)"`` or ``"EMG 1 (IM) [V]"`` into ``("Biceps", "mV")`` / ``("EMG 1 (IM)", "V")``.

    A trailing bracket that holds no known unit (``"EMG 1 (IM)"``) stays in the name and the
    unit is ``None``.
    """
    text = str(label).strip()
    m = _UNIT_AT_END.match(text)
    if m:
        unit = (m.group("p") if m.group("p") is not None else m.group("b")).strip()
        name = m.group("name").strip()
        if unit and name and known_unit(unit):
            return name, unit
    return text, None


_MUSCLES = (
    "biceps", "triceps", "deltoid", "tibialis", "tib.ant", "tib ant", "gastroc", "soleus", "vastus",
    "rectus", "trapezius", "brachi", "flexor", "extensor", "pectoral", "latissimus", "lat dorsi",
    "glute", "gluteus", "hamstring", "semitend", "semimemb", "quadriceps", "masseter", "temporalis",
    "sternocleido", "erector", "multifidus", "oblique", "abdomin", "infraspinatus", "supraspinatus",
    "serratus", "rhomboid", "peroneus", "fibularis", "adductor", "abductor", "sartorius", "gracilis",
    "forearm", "thenar", "interosse", "splenius", "scalene", "iliocostalis", "longissimus",
    "pronator", "supinator", "anconeus", "coracobrach", "teres", "subscapularis", "psoas",
    "piriformis", "plantaris", "popliteus", "gemellus", "orbicularis", "zygomatic", "frontalis",
    "corrugator", "digastric", "mylohyoid", "diaphragm", "intercostal",
)
_MUSCLE_TOKENS = {"fdi", "apb", "adm", "ecr", "fcr", "ecu", "fcu", "edc", "fds", "fdp", "vmo", "vlo",
                  "scm", "gmax", "gmed", "glut", "gastro", "semg", "emg"}

_KIND_TOKENS = (
    ("ecg", {"ecg", "ekg", "electrocardiogram", "heart", "cardiac"}),
    ("eeg", {"eeg", "electroencephalogram"}),
    ("eog", {"eog", "heog", "veog", "loc", "roc", "electrooculogram"}),
    ("resp", {"resp", "respiration", "respiratory", "breath", "breathing", "airflow", "thorax", "abdomen",
              "thor", "abdo", "pneumo", "nasal"}),
    ("temp", {"temp", "temperature", "skin temp"}),
    ("spo2", {"spo2", "sao2", "sp02", "oximetry", "pleth", "ppg", "pulse"}),
    ("trigger", {"trigger", "trig", "sync", "ttl", "marker", "markers", "event", "events", "annotation", "din",
                 "digital", "button", "stim", "status"}),
    ("gyro", {"gyro", "gyroscope", "gyr", "gyrox", "gyroy", "gyroz"}),
    ("acc", {"acc", "accel", "accelerometer", "acceleration", "accx", "accy", "accz"}),
    ("gonio", {"gonio", "goniometer", "angle", "elgon", "gon"}),
    ("force", {"force", "forces", "fx", "fy", "fz", "mx", "my", "mz", "moment", "torque", "load",
               "forceplate", "copx", "grf"}),
)


def _tokens(label: str) -> list[str]:
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(label))       # AccX -> Acc X
    text = re.sub(r"([A-Za-z])(\d)", r"\1 \2", text)              # EMG1 -> EMG 1
    return [t for t in re.split(r"[^a-z0-9]+", text.lower()) if t]


#: 10-20 EEG electrode names that cannot be anything else: midline sites (Fz, Cz, Pz, Oz, FCz ...),
#: two-letter sites with a number (AF3, FC1, CP5, PO7 ...) and bipolar pairs (Fp1-A2, C3-M2, F4-REF).
#: A lone "F1", "A1" or "C3" is not taken for EEG (a GRABMyo forearm channel, a BITalino input).
_SITE = r"(?:fp|af|f|ft|fc|c|t|tp|cp|p|po|o|a|m)(?:z|\d{1,2})"
_EEG_SITES = re.compile(rf"^(?:(?:fp|af|f|fc|c|cp|p|po|o)z|(?:af|ft|fc|tp|cp|po)\d{{1,2}}|{_SITE}\s*[-–]\s*"
                        rf"(?:{_SITE}|ref|avg|le|re))$", re.IGNORECASE)
#: Labels that say an input is not connected.
_UNUSED = {"unused", "spare", "empty", "nothing", "none", "nc", "n/c", "not connected", "unconnected", "blank"}


def guess_kind(label: str, unit: str | None = None) -> str:
    """Guess a channel's kind from its label and unit.

    Parameters
    ----------
    label : str
        Channel label (``"EMG 1"``, ``"Biceps"``, ``"FP1_Fx"``, ``"ACC X"``, ``"Sync"``, ...).
    unit : str or None
        Its unit, if known.

    Returns
    -------
    str
        One of ``recording.CHANNEL_KINDS``: the label decides first (keywords, then muscle
        names, which count as ``"emg"``), then the unit (voltage → ``"emg"``, N/Nm → ``"force"``,
        g or m/s² → ``"acc"``, deg/s → ``"gyro"``, deg → ``"gonio"``); ``"other"`` otherwise.

    Examples
    --------
    >>> guess_kind("FP1_Fx", "N"), guess_kind("R Biceps", None), guess_kind("ACC X", "V")
    ('force', 'emg', 'acc')
    >>> guess_kind("ECG", "mV"), guess_kind("EEG Fz", "uV"), guess_kind("Fp1-A2", "uV"), guess_kind("Resp", "V")
    ('ecg', 'eeg', 'eeg', 'resp')
    """
    text = str(label).strip()
    if text.lower() in _UNUSED:
        return "other"
    if _EEG_SITES.match(text):
        return "eeg"
    tokens = _tokens(label)
    tokset = set(tokens)
    if "emg" in tokset:  # "EMG Semitendinoso", "EMG 1": an explicit EMG label wins over any other word
        return "emg"
    for kind, words in _KIND_TOKENS:
        if tokset & words:
            return kind
    if any(t.startswith("fp") and t[2:].isdigit() for t in tokens) or ("fp" in tokset):
        return "force"
    low = " ".join(tokens)
    raw = str(label).lower()
    if tokset & _MUSCLE_TOKENS or any(m in raw or m in low for m in _MUSCLES):
        return "emg"
    if unit is not None and str(unit).strip():
        if is_voltage(unit):
            return "emg"
        canon = normalise_unit(unit)
        if canon in ("N", "kN", "Nm", "Nmm"):
            return "force"
        if canon in ("g", "m/s²"):
            return "acc"
        if canon in ("deg/s", "rad/s"):
            return "gyro"
        if canon in ("deg", "rad"):
            return "gonio"
    return "other"
