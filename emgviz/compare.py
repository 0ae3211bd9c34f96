"""Compare sessions: recordings matched by muscle, with change, effect size and symmetry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ._checks import check_positive
from .recording import Recording
from .settings import Settings

__all__ = ["Session", "match_channels", "compare_features", "hedges_g", "symmetry_index",
           "pair_left_right", "symmetry_table", "session_symmetry", "compare_spectra", "compare_fatigue",
           "comparison_csv", "EFFECT_SIZE_METHOD", "SYMMETRY_METHOD"]

_RESERVED = ("muscle", "matched")

# Split by job (kept importable from here): left/right symmetry and the CSV export.
from .effect_size import EFFECT_SIZE_METHOD, _hedges, hedges_g  # noqa: E402,F401
from .symmetry import SYMMETRY_METHOD, pair_left_right, session_symmetry, symmetry_index, symmetry_table  # noqa: E402,F401


@dataclass(frozen=True, eq=False)
class Session:
    """One recording in a comparison, with the label the user gave it.

    Parameters
    ----------
    label : str
        A short unique name ("pre", "post", "left", "day 30").
    recording : Recording
        The raw recording of that session.
    filtered : Recording or None, default=None
        The session's already preprocessed recording (``preprocess(recording, settings).filtered``
        for the settings the comparison will use), with every channel of ``recording`` at the
        same sampling rate. When given, :func:`compare_features`, :func:`compare_spectra` and
        :func:`compare_fatigue` use it instead of running the pipeline again (their
        ``settings`` then do not apply to this session, and no pipeline warnings are reported
        for it).

    Examples
    --------
    >>> import numpy as np
    >>> Session("pre", Recording(np.zeros((1, 100)), fs=1000, ch_names=["biceps"])).label
    'pre'
    """

    label: str
    recording: Recording
    filtered: Recording | None = None

    def __post_init__(self):
        label = str(self.label).strip()
        if not label:
            raise ValueError("a session label must not be empty; use e.g. 'pre', 'post', 'left'")
        if label in _RESERVED:
            raise ValueError(f"a session label must not be one of {_RESERVED}, got {label!r}")
        if not isinstance(self.recording, Recording):
            raise ValueError(f"recording must be an emgviz Recording, got {type(self.recording).__name__}")
        if self.filtered is not None:
            if not isinstance(self.filtered, Recording):
                raise ValueError(f"filtered must be an emgviz Recording or None, got {type(self.filtered).__name__}")
            missing = [c for c in self.recording.ch_names if c not in self.filtered.ch_names]
            if missing:
                raise ValueError(f"session {label!r}: the filtered recording lacks channels {missing} of the "
                                 f"recording; it has {list(self.filtered.ch_names)}")
            if self.filtered.fs != self.recording.fs:
                raise ValueError(f"session {label!r}: the filtered recording is at {self.filtered.fs:g} Hz but "
                                 f"the recording at {self.recording.fs:g} Hz")
        object.__setattr__(self, "label", label)


def _check_sessions(sessions: Sequence[Session]) -> list[Session]:
    sessions = list(sessions)
    if not sessions:
        raise ValueError("compare needs at least one session")
    for s in sessions:
        if not isinstance(s, Session):
            raise ValueError(f"sessions must be Session objects, got {type(s).__name__}")
    labels = [s.label for s in sessions]
    if len(set(labels)) != len(labels):
        dupes = sorted({x for x in labels if labels.count(x) > 1})
        raise ValueError(f"session labels must be unique, these repeat: {dupes}; rename one (e.g. 'pre 2')")
    return sessions


def _norm(name: str) -> str:
    """Case-, space- and punctuation-insensitive key of a channel name."""
    return re.sub(r"[\W_]+", "", str(name).casefold())


def match_channels(sessions: Sequence[Session], *,
                   mapping: Mapping[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """Match the channels of several sessions by muscle.

    A channel first gets its common name: ``mapping[label][channel]`` when given, else its own
    name. Channels are then matched to the muscles already seen by exact common name, then by a
    case-, space- and punctuation-insensitive key ("Biceps_L" = "biceps l"). A channel that
    matches nothing starts a new muscle row.

    Parameters
    ----------
    sessions : sequence of Session
        With unique labels. The first session's names (after mapping) name the muscles.
    mapping : dict of {session_label: {channel_name: common_name}}, default=None
        Renames, e.g. ``{"post": {"EMG1": "biceps"}}``.

    Returns
    -------
    DataFrame
        Columns ``muscle``, one column per session label holding that session's channel name
        (``None`` when the session lacks the muscle), and ``matched`` (True when every session has
        it). ``attrs["unmatched"]`` is ``{label: [channel names not matched in every session]}``.

    Examples
    --------
    >>> import numpy as np
    >>> a = Recording(np.zeros((2, 10)), fs=100, ch_names=["Biceps_L", "Triceps"])
    >>> b = Recording(np.zeros((1, 10)), fs=200, ch_names=["biceps l"])
    >>> match_channels([Session("pre", a), Session("post", b)])[["muscle", "pre", "post"]].values.tolist()
    [['Biceps_L', 'Biceps_L', 'biceps l'], ['Triceps', 'Triceps', None]]
    """
    sessions = _check_sessions(sessions)
    mapping = dict(mapping or {})
    unknown = set(mapping) - {s.label for s in sessions}
    if unknown:
        raise ValueError(f"mapping names sessions {sorted(unknown)} that are not in the comparison; "
                         f"sessions are {[s.label for s in sessions]}")
    muscles: list[str] = []
    assigned: list[dict[str, str]] = []
    for s in sessions:
        renames = {str(k): str(v).strip() for k, v in dict(mapping.get(s.label, {})).items() if str(v).strip()}
        bad = set(renames) - set(s.recording.ch_names)
        if bad:
            raise ValueError(f"mapping for {s.label!r} names channels {sorted(bad)} that the recording lacks; "
                             f"its channels are {list(s.recording.ch_names)}")
        pending = []
        for ch in s.recording.ch_names:
            common = renames.get(ch, ch)
            idx = next((i for i, m in enumerate(muscles) if m == common and s.label not in assigned[i]), None)
            if idx is None:
                pending.append((ch, common))
            else:
                assigned[idx][s.label] = ch
        for ch, common in pending:
            key = _norm(common)
            idx = next((i for i, m in enumerate(muscles) if _norm(m) == key and s.label not in assigned[i]), None)
            if idx is None:
                muscles.append(common)
                assigned.append({s.label: ch})
            else:
                assigned[idx][s.label] = ch
    table = pd.DataFrame({"muscle": pd.Series(muscles, dtype=object)})
    for s in sessions:
        table[s.label] = pd.Series([got.get(s.label) for got in assigned], dtype=object)
    table["matched"] = pd.Series([len(got) == len(sessions) for got in assigned], dtype=bool)
    table.attrs["unmatched"] = {
        s.label: [v for v in table.loc[~table["matched"], s.label] if v is not None] for s in sessions}
    return table


def _matched(sessions: Sequence[Session], mapping) -> tuple[list[Session], pd.DataFrame, pd.DataFrame]:
    """(checked sessions, :func:`match_channels` table, its rows matched in every session)."""
    sessions = _check_sessions(sessions)
    matches = match_channels(sessions, mapping=mapping)
    return sessions, matches, matches[matches["matched"]]


def _pick(rec: Recording, channels: list[str]) -> Recording:
    return rec if list(rec.ch_names) == channels else rec.pick(channels)


def _filtered_sessions(sessions: Sequence[Session], matched: pd.DataFrame, settings: Settings):
    """Yield (session, channels, filtered, warnings) per session, in order.

    ``channels`` are the session's channel names of the ``matched`` muscles, in muscle order;
    ``filtered`` is the session's filtered recording of just those channels: its cached
    ``Session.filtered`` when given, else ``preprocess(recording, settings)`` (no envelope);
    ``warnings`` are the pipeline's messages (empty for a cached recording).
    """
    from .pipeline import preprocess

    for s in sessions:
        chans = list(matched[s.label])
        if s.filtered is not None:
            yield s, chans, _pick(s.filtered, chans), []
        else:
            out = preprocess(_pick(s.recording, chans), settings, envelope=False)
            yield s, chans, out.filtered, list(out.warnings)


def compare_features(sessions: Sequence[Session], settings: Settings = Settings(), *, window_s: float = 1.0,
                     step_s: float = 0.5, mapping: Mapping[str, Mapping[str, str]] | None = None,
                     reference: int | str = 0) -> pd.DataFrame:
    """Per muscle × feature: each session's value, its change from the reference and Hedges' g.

    Each session is processed on its own (``preprocess(rec, settings)`` at its own sampling
    rate), so sessions recorded at different rates compare in physical units. Features come from
    :func:`emgviz.features.windowed_features` of the filtered signal; a session's value is the mean
    over its windows, so recordings of different durations compare (counts and WL are per window
    of ``window_s``). The change is that mean minus the reference's. Effect size: Hedges' g with the
    small-sample correction J and a 95 % CI from the normal approximation of its variance
    (Hedges & Olkin 1985), see :data:`EFFECT_SIZE_METHOD`. Overlapping windows are not
    independent, so the CI uses n = n_windows·min(1, step_s/window_s).

    Parameters
    ----------
    sessions : sequence of Session
        Two or more (one is allowed, giving only values).
    settings : Settings
        The processing applied to every session.
    window_s, step_s : float, default=1.0, 0.5
        Window length and step in s for the windowed features.
    mapping : dict, default=None
        Channel renames, see :func:`match_channels`.
    reference : int or str, default=0
        The reference session: index or label.

    Returns
    -------
    DataFrame
        One row per muscle × feature × session, columns ``muscle``, ``feature``, ``session``,
        ``channel``, ``value`` (mean over windows), ``window_sd`` (SD over windows, ddof=1),
        ``n_windows``, ``reference``,
        ``change`` (value − reference value, in the feature's unit), ``change_pct`` (%),
        ``hedges_g``, ``g_ci_low``, ``g_ci_high`` (NaN on the reference rows). Only muscles present
        in every session. ``attrs``: ``warnings`` (list of str), ``matches`` (see
        :func:`match_channels`), ``method`` (:data:`EFFECT_SIZE_METHOD`).
    """
    from .features import windowed_features

    sessions = _check_sessions(sessions)
    window_s = check_positive(window_s, "window_s", "s")
    step_s = check_positive(step_s, "step_s", "s")
    labels = [s.label for s in sessions]
    if isinstance(reference, str):
        if reference not in labels:
            raise ValueError(f"reference {reference!r} is not a session; sessions are {labels}")
        ref = labels.index(reference)
    else:
        ref = int(reference)
        if not -len(sessions) <= ref < len(sessions):
            raise ValueError(f"reference index {reference} out of range for {len(sessions)} sessions")
        ref %= len(sessions)
    sessions, matches, matched = _matched(sessions, mapping)
    warnings: list[str] = []
    if matched.empty:
        raise ValueError(f"no muscle is in every session; channels are "
                         f"{ {s.label: list(s.recording.ch_names) for s in sessions} }. Map names with mapping=")
    units = {s.label: s.recording.unit for s in sessions}
    if len(set(units.values())) > 1:
        warnings.append(f"sessions have different units {units}: amplitude changes are not comparable")
    rates = {s.label: s.recording.fs for s in sessions}
    if len(set(rates.values())) > 1:
        warnings.append(f"sampling rates differ {rates}: WL, ZC and SSC depend on the rate; compare "
                        "amplitude (RMS, MAV) and spectral (MNF, MDF) features")
    n_factor = min(1.0, step_s / window_s)
    per_session = {}
    for s, _, filt, warn in _filtered_sessions(sessions, matched, settings):
        windows = windowed_features(filt, window_s=window_s, step_s=step_s)
        warnings += [f"{s.label}: {w}" for w in warn]
        if windows.empty:
            raise ValueError(f"session {s.label!r} ({s.recording.duration_s:.3g} s) is shorter than one "
                             f"{window_s:g} s window; use a shorter window_s")
        per_session[s.label] = windows
    skip = {"channel", "t_start_s", "t_end_s"}
    features = [c for c in per_session[labels[0]].columns
                if c not in skip and all(c in per_session[lab].columns for lab in labels)
                and pd.api.types.is_numeric_dtype(per_session[labels[0]][c])]
    # each session's windows split by channel once: {label: {channel: windows of that channel}}
    by_channel = {lab: dict(tuple(per_session[lab].groupby("channel", sort=False))) for lab in labels}

    def finite(lab: str, ch: str, feat: str) -> np.ndarray:
        win = by_channel[lab].get(ch)
        w = np.empty(0) if win is None else win[feat].to_numpy(float)
        return w[np.isfinite(w)]

    rows = []
    for _, m in matched.iterrows():
        for feat in features:
            ref_w = finite(labels[ref], m[labels[ref]], feat)
            ref_value = float(ref_w.mean()) if ref_w.size else np.nan
            for i, lab in enumerate(labels):
                ch = m[lab]
                w = finite(lab, ch, feat)
                value = float(w.mean()) if w.size else np.nan
                if i == ref:
                    g = lo = hi = np.nan
                else:
                    g, lo, hi = _hedges(ref_w, w, n_a=ref_w.size * n_factor, n_b=w.size * n_factor)
                change = value - ref_value
                rows.append({
                    "muscle": m["muscle"], "feature": feat, "session": lab, "channel": ch, "value": value,
                    "window_sd": float(w.std(ddof=1)) if w.size > 1 else np.nan,
                    "n_windows": int(w.size), "reference": labels[ref], "change": change,
                    "change_pct": 100.0 * change / abs(ref_value) if ref_value else np.nan,
                    "hedges_g": g, "g_ci_low": lo, "g_ci_high": hi})
    table = pd.DataFrame(rows)
    table.attrs["warnings"] = warnings
    table.attrs["matches"] = matches
    table.attrs["method"] = EFFECT_SIZE_METHOD
    return table


def compare_spectra(sessions: Sequence[Session], settings: Settings = Settings(), *,
                    mapping: Mapping[str, Mapping[str, str]] | None = None,
                    segment_s: float = 0.25) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Welch power spectra of the filtered signal, per matched muscle and session.

    Parameters
    ----------
    sessions, settings, mapping
        As in :func:`compare_features`.
    segment_s : float, default=0.25
        Welch segment length in s (:func:`emgviz.spectral.welch_psd`).

    Returns
    -------
    dict of {muscle: {session_label: (f_hz, psd)}}
        PSD in unit²/Hz of the recording.
    """
    from .spectral import welch_psd

    sessions, _, matched = _matched(sessions, mapping)
    out: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {m: {} for m in matched["muscle"]}
    for s, chans, filt, _ in _filtered_sessions(sessions, matched, settings):
        for muscle, ch in zip(matched["muscle"], chans):
            f, p = welch_psd(filt.channel(ch), filt.fs, segment_s=segment_s)
            out[muscle][s.label] = (np.asarray(f), np.asarray(p))
    return out


def compare_fatigue(sessions: Sequence[Session], settings: Settings = Settings(), *, feature: str = "MDF",
                    window_s: float = 1.0, mapping: Mapping[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """Fatigue slopes of one feature per matched muscle and session, side by side.

    Each session's filtered signal goes to :func:`emgviz.fatigue.fatigue_trend` with
    non-overlapping windows (``step_s = window_s``), so its 95 % CI (t distribution, n − 2 df)
    is not made too narrow by overlap.

    Parameters
    ----------
    sessions, settings, mapping
        As in :func:`compare_features`.
    feature : str, default="MDF"
        Feature name without unit ("MDF", "MNF", "RMS", ...).
    window_s : float, default=1.0
        Window length (and step) in s.

    Returns
    -------
    DataFrame
        Columns ``muscle``, ``session``, ``channel``, ``feature``, ``unit``, ``slope_per_s``
        (unit/s), ``ci_low``, ``ci_high``, ``change_pct_per_min``, ``n_windows``.
        ``attrs["warnings"]``: the pipeline's messages, prefixed with the session label.
    """
    from .fatigue import fatigue_trend

    sessions, _, matched = _matched(sessions, mapping)
    frames, warnings = [], []
    for s, chans, filt, warn in _filtered_sessions(sessions, matched, settings):
        warnings += [f"{s.label}: {w}" for w in warn]
        t = fatigue_trend(filt, window_s=window_s, step_s=window_s, features=(feature,)).table
        t = t.assign(session=s.label, muscle=t["channel"].map(dict(zip(chans, matched["muscle"]))))
        frames.append(t)
    cols = ["muscle", "session", "channel", "feature", "unit", "slope_per_s", "ci_low", "ci_high",
            "change_pct_per_min", "n_windows"]
    table = pd.concat(frames, ignore_index=True)[cols]
    table.attrs["warnings"] = warnings
    return table


def __getattr__(name: str):
    if name == "comparison_csv":  # lazily: the export module imports pandas' CSV machinery
        from .compare_export import comparison_csv

        return comparison_csv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
