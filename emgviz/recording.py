"""The immutable Recording: samples, sampling rate, channel names, units and events."""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ._checks import check_fs, time_index

__all__ = ["Recording", "CHANNEL_KINDS", "EVENT_COLUMNS", "make_events"]

#: Kinds a channel can have. The app shows ``"emg"`` channels by default. Other biosignals
#: (EEG, EOG, ECG, respiration, temperature, SpO2) have their own kinds so they are never taken
#: for EMG; ``"trigger"`` covers event markers and sync lines.
CHANNEL_KINDS = ("emg", "force", "acc", "gyro", "trigger", "gonio", "eeg", "eog", "ecg", "resp", "temp",
                 "spo2", "other")
#: Columns of :attr:`Recording.events`, in this order.
EVENT_COLUMNS = ("time_s", "duration_s", "label")


def make_events(events=None) -> pd.DataFrame:
    """Normalise events to a DataFrame with columns ``time_s``, ``duration_s`` (s) and ``label``.

    Parameters
    ----------
    events : None, DataFrame, or sequence of (time_s, label) / (time_s, duration_s, label)
        ``None`` gives an empty table. A DataFrame must have ``time_s`` and ``label``;
        ``duration_s`` defaults to 0.

    Returns
    -------
    DataFrame
        Sorted by ``time_s``, with a fresh RangeIndex.
    """
    if events is None:
        rows: list = []
        frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    elif isinstance(events, pd.DataFrame):
        missing = {"time_s", "label"} - set(events.columns)
        if missing:
            raise ValueError(f"events needs the columns time_s and label; missing {sorted(missing)}")
        frame = events.copy()
        if "duration_s" not in frame:
            frame["duration_s"] = 0.0
        frame = frame[list(EVENT_COLUMNS)]
    else:
        rows = []
        for row in events:
            if len(row) == 2:
                rows.append((row[0], 0.0, row[1]))
            elif len(row) == 3:
                rows.append(tuple(row))
            else:
                raise ValueError(f"each event must be (time_s, label) or (time_s, duration_s, label), got {row!r}")
        frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    frame = frame.astype({"time_s": "float64", "duration_s": "float64"})
    frame["label"] = frame["label"].astype(str)
    if len(frame) and not np.isfinite(frame["time_s"].to_numpy()).all():
        raise ValueError("event times must be finite numbers of seconds")
    return frame.sort_values("time_s", kind="stable").reset_index(drop=True)


def _freeze_meta(meta) -> Mapping[str, Any]:
    if meta is None:
        return types.MappingProxyType({})
    if not isinstance(meta, Mapping):
        raise ValueError(f"meta must be a mapping (dict), got {type(meta).__name__}")
    return types.MappingProxyType(dict(meta))


@dataclass(frozen=True, eq=False, repr=False)
class Recording:
    """A multi-channel EMG recording that never changes once built.

    Parameters
    ----------
    data : array_like, shape (n_channels, n_samples)
        Samples. Stored as a read-only float64 copy. In volts when the file states a
        physical unit (``unit="V"``); raw ADC counts keep ``unit="a.u."``. A 1-D
        array is taken as one channel.
    fs : float
        Sampling rate in Hz.
    ch_names : sequence of str
        One unique name per channel (a muscle name where known).
    unit : str, default="V"
        Unit of the EMG channels: ``"V"`` or ``"a.u."`` (raw counts).
    source : str, default=""
        Where the samples came from (file name, ``"simulated"``, ...).
    meta : mapping, default=None
        Anything else the reader found (header fields, ADC resolution, ...). Read-only.
    events : DataFrame or sequence, default=None
        Time-stamped labels, see :func:`make_events`. Times use the clock of :attr:`times`.
    ch_units : sequence of str, default=None
        Unit per channel when channels differ (``"V"``, ``"N"``, ``"g"``, ...); defaults to ``unit``.
    ch_kinds : sequence of str, default=None
        Kind per channel, one of :data:`CHANNEL_KINDS`; defaults to ``"emg"``.
    t0 : float, default=0.0
        Time of the first sample in s (a file's clock may not start at 0).

    Examples
    --------
    >>> import numpy as np
    >>> rec = Recording(np.zeros((2, 2000)), fs=1000, ch_names=["biceps", "triceps"])
    >>> rec
    <Recording | 2 ch × 2000 (2.000 s) @ 1000 Hz, V>
    """

    data: np.ndarray
    fs: float
    ch_names: tuple[str, ...]
    unit: str = "V"
    source: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    events: pd.DataFrame = None  # type: ignore[assignment]
    ch_units: tuple[str, ...] = None  # type: ignore[assignment]
    ch_kinds: tuple[str, ...] = None  # type: ignore[assignment]
    t0: float = 0.0

    def __post_init__(self):
        self._init(copy=True)

    def _init(self, *, copy: bool, parent: "Recording | None" = None, finite: bool = False) -> None:
        """Validate and normalise the fields.

        With ``parent`` (an already validated Recording), fields that are the parent's own
        objects are taken as they are: names, units, kinds, meta and events are not checked,
        converted or copied again. The samples are always checked for NaN and infinity, unless
        ``finite``: the caller vouches that they are (samples picked from a validated recording).
        """
        def inherited(name: str) -> bool:
            return parent is not None and getattr(self, name) is getattr(parent, name)

        data = self.data
        if isinstance(data, np.ndarray) and data.dtype == np.float64 and not copy:
            arr = data
        else:
            try:
                arr = np.array(data, dtype=np.float64, copy=True)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"data must be numeric samples, could not convert to float64: {exc}") from None
        if arr.ndim == 1:
            arr = arr[np.newaxis, :]
        if arr.ndim != 2:
            raise ValueError(f"data must be 2-D (n_channels, n_samples), got shape {arr.shape}; "
                             "reshape it or pass one recording per block")
        names_ok = inherited("ch_names")
        names = self.ch_names
        if not names_ok:
            if isinstance(names, str):
                names = (names,)
            names = tuple(str(n) for n in names)
        if arr.shape[0] != len(names):
            hint = ""
            if arr.ndim == 2 and arr.shape[1] == len(names):
                hint = "; the array looks like (n_samples, n_channels): pass data.T"
            raise ValueError(f"data has {arr.shape[0]} channel rows but {len(names)} channel names were "
                             f"given{hint}")
        if arr.shape[0] < 1:
            raise ValueError(f"data has no channels (shape {arr.shape}); a recording needs at least one channel")
        if arr.shape[1] < 1:
            raise ValueError("data has no samples; a recording needs at least one sample per channel")
        if not names_ok:
            if len(set(names)) != len(names):
                dupes = sorted({n for n in names if names.count(n) > 1})
                raise ValueError(f"channel names must be unique, these repeat: {dupes}; rename them (e.g. add _L/_R)")
            if any(not n.strip() for n in names):
                raise ValueError("channel names must not be empty strings")
        fs = self.fs if inherited("fs") else check_fs(self.fs)
        # The sum is finite exactly when every value is (bar overflow): no full-size temporary.
        if not finite and not _sum_is_finite(arr) and not np.isfinite(arr).all():
            bad = ~np.isfinite(arr)
            ch, idx = np.argwhere(bad)[0]
            n_inf = int(np.isinf(arr).sum())
            if n_inf:  # an overflow (a value beyond float64, or a unit error), not a gap
                ch, idx = np.argwhere(np.isinf(arr))[0]
                raise ValueError(f"data contains {n_inf} infinite values (first in channel {names[ch]!r} at sample "
                                 f"{idx}, t={idx / fs:.4g} s): a value overflowed the float64 range; correct the "
                                 "values or their unit before building a Recording")
            raise ValueError(f"data contains {int(bad.sum())} NaN values (first in channel "
                             f"{names[ch]!r} at sample {idx}, t={idx / fs:.4g} s); fill or cut the gaps "
                             "before building a Recording")
        arr = _frozen(arr)
        units = self.ch_units
        if not inherited("ch_units"):
            units = tuple([str(self.unit)] * len(names)) if units is None else tuple(str(u) for u in units)
        if len(units) != len(names):
            raise ValueError(f"ch_units has {len(units)} entries for {len(names)} channels")
        kinds = self.ch_kinds
        if not inherited("ch_kinds"):
            kinds = tuple(["emg"] * len(names)) if kinds is None else tuple(str(k) for k in kinds)
            for k in kinds:
                if k not in CHANNEL_KINDS:
                    raise ValueError(f"channel kind {k!r} is not one of {CHANNEL_KINDS}")
        if len(kinds) != len(names):
            raise ValueError(f"ch_kinds has {len(kinds)} entries for {len(names)} channels")
        t0 = self.t0
        if not inherited("t0"):
            t0 = float(self.t0)
            if not np.isfinite(t0):
                raise ValueError(f"t0 must be a finite time in s, got {self.t0!r}")
        set_ = object.__setattr__
        set_(self, "data", arr)
        set_(self, "fs", fs)
        set_(self, "ch_names", names)
        set_(self, "unit", str(self.unit))
        set_(self, "source", str(self.source))
        if not inherited("meta"):
            set_(self, "meta", _freeze_meta(self.meta))
        # The parent's normalised table is shared as it is (make_events costs ~10 ms of pandas,
        # paid per processing step otherwise): safe, because every read of ``.events`` hands out
        # a copy (_EventsField), so no caller can edit the stored table.
        own = self.__dict__.get("_events")
        if parent is None or own is None or own is not parent.__dict__.get("_events"):
            set_(self, "events", make_events(self.events))
        set_(self, "ch_units", units)
        set_(self, "ch_kinds", kinds)
        set_(self, "t0", t0)

    @classmethod
    def _trusted(cls, data: np.ndarray, *, _parent: "Recording | None" = None, _finite: bool = False,
                 **fields) -> "Recording":
        """Build without copying ``data`` (it must be a fresh float64 array nobody else holds).

        ``_parent``: a validated Recording whose own field objects (names, units, kinds,
        meta, events, ...) may be taken without checking them again (see :meth:`_init`).
        ``_finite``: the caller vouches that every sample is finite (e.g. samples copied out of
        a validated recording), so the full pass of the NaN/infinity check is skipped.
        """
        rec = object.__new__(cls)
        object.__setattr__(rec, "data", np.ascontiguousarray(data, dtype=np.float64))
        for f in dataclasses.fields(cls):
            if f.name == "data":
                continue
            if f.name in fields:
                value = fields.pop(f.name)
            elif f.default is not dataclasses.MISSING:
                value = f.default
            else:
                value = f.default_factory()  # type: ignore[misc]
            object.__setattr__(rec, f.name, value)
        if fields:
            raise TypeError(f"unknown Recording fields: {sorted(fields)}")
        rec._init(copy=False, parent=_parent, finite=_finite)
        return rec

    # ---- derived, read-only -------------------------------------------------
    @property
    def n_channels(self) -> int:
        """Number of channels."""
        return self.data.shape[0]

    @property
    def n_samples(self) -> int:
        """Number of samples per channel."""
        return self.data.shape[1]

    @property
    def duration_s(self) -> float:
        """Duration in s (n_samples / fs)."""
        return self.n_samples / self.fs

    @property
    def times(self) -> np.ndarray:
        """Sample times in s, starting at :attr:`t0` (read-only array)."""
        t = self.t0 + np.arange(self.n_samples) / self.fs
        t.flags.writeable = False
        return t

    def channel_index(self, name: str) -> int:
        """Index of channel ``name``; the error lists the names there are."""
        try:
            return self.ch_names.index(name)
        except ValueError:
            raise KeyError(f"no channel {name!r}; channels are {list(self.ch_names)}") from None

    def channel(self, name: str) -> np.ndarray:
        """The (read-only) samples of one channel."""
        return self.data[self.channel_index(name)]

    def index_of(self, t_s: float) -> int:
        """Index of the first sample at or after time ``t_s`` (s, the clock of :attr:`times`).

        Not clipped: times before the first sample give negative indices, times after the
        last give indices ≥ :attr:`n_samples`. A time that is not a finite number raises
        ValueError.

        Examples
        --------
        >>> rec = Recording(np.zeros((1, 100)), fs=100.0, ch_names=["a"], t0=1.0)
        >>> rec.index_of(1.5), rec.index_of(1.505)
        (50, 51)
        """
        return time_index(t_s, self.fs, self.t0)

    # ---- new recordings ------------------------------------------------------
    def replace(self, **changes) -> "Recording":
        """A copy with some fields changed (``dataclasses.replace``), validated again."""
        return dataclasses.replace(self, **changes)

    def with_data(self, data: np.ndarray, **changes) -> "Recording":
        """A recording with the same names, fs, events and meta but new samples.

        ``data`` must be a fresh array (it is frozen, not copied). Used by processing,
        which never touches the raw samples.
        """
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "data"}
        fields["events"] = self.__dict__.get("_events")  # the stored table itself (reads copy it)
        fields.update(changes)
        # the fields kept from self were validated when self was built: only the samples are checked
        return Recording._trusted(np.asarray(data, dtype=np.float64), _parent=self, **fields)

    def _with_own_samples(self, data: np.ndarray, **changes) -> "Recording":
        """:meth:`with_data` for samples copied out of this recording (finite: not checked again)."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "data"}
        fields["events"] = self.__dict__.get("_events")
        fields.update(changes)
        return Recording._trusted(np.asarray(data, dtype=np.float64), _parent=self, _finite=True, **fields)

    def pick(self, channels: Sequence[str | int]) -> "Recording":
        """A recording with only ``channels`` (names or indices), in the order given."""
        if isinstance(channels, (str, int)):
            channels = [channels]
        idx = [c if isinstance(c, (int, np.integer)) else self.channel_index(c) for c in channels]
        if not idx:
            raise ValueError("pick needs at least one channel")
        for i in idx:
            if not -self.n_channels <= i < self.n_channels:
                raise IndexError(f"channel index {i} out of range for {self.n_channels} channels")
        return self._with_own_samples(self.data[idx].copy(),
                              ch_names=tuple(self.ch_names[i] for i in idx),
                              ch_units=tuple(self.ch_units[i] for i in idx),
                              ch_kinds=tuple(self.ch_kinds[i] for i in idx))

    def pick_kind(self, *kinds: str) -> "Recording":
        """A recording with the channels of the given kinds (default ``"emg"``)."""
        kinds = kinds or ("emg",)
        idx = [i for i, k in enumerate(self.ch_kinds) if k in kinds]
        if not idx:
            raise ValueError(f"no channel of kind {kinds}; kinds here are {sorted(set(self.ch_kinds))}")
        return self.pick(idx)

    def crop(self, tmin_s: float | None = None, tmax_s: float | None = None) -> "Recording":
        """A recording of the samples with ``tmin_s <= t < tmax_s`` (times as in :attr:`times`)."""
        start = 0 if tmin_s is None else self.index_of(tmin_s)
        stop = self.n_samples if tmax_s is None else self.index_of(tmax_s)
        start, stop = max(start, 0), min(stop, self.n_samples)
        if stop <= start:
            raise ValueError(f"crop {tmin_s}–{tmax_s} s holds no samples; the recording spans "
                             f"{self.t0:g}–{self.t0 + self.duration_s:g} s")
        ev = self.events
        t_end = self.t0 + stop / self.fs
        t_start = self.t0 + start / self.fs
        ev = ev[(ev["time_s"] >= t_start) & (ev["time_s"] < t_end)]
        return self._with_own_samples(self.data[:, start:stop].copy(), t0=t_start, events=ev)

    def __reduce__(self):
        # meta is a read-only mappingproxy, which pickle refuses: send a plain dict and rebuild.
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "data"}
        fields["meta"] = dict(self.meta)
        return (_unpickle, (np.array(self.data), fields))

    def __repr__(self) -> str:
        src = f", source={self.source!r}" if self.source else ""
        ev = f", {len(self.events)} events" if len(self.events) else ""
        return (f"<Recording | {self.n_channels} ch × {self.n_samples} ({self.duration_s:.3f} s) "
                f"@ {self.fs:g} Hz, {self.unit}{ev}{src}>")


def _sum_is_finite(arr: np.ndarray) -> bool:
    """Whether the sum of ``arr`` is finite: true when every sample is (bar overflow, which the caller
    then tells apart with ``np.isfinite(arr).all()``). One read of the samples, no temporary."""
    return bool(np.isfinite(arr.sum()))


def _frozen(arr: np.ndarray) -> np.ndarray:
    """A read-only view of ``arr`` that cannot be made writeable again.

    ``arr.flags.writeable = False`` alone can be undone with ``setflags(write=True)`` by the
    array that owns the memory. The view returned here reaches the memory only through a
    read-only buffer, so numpy refuses to make it (or its ``.base``) writeable. No copy.
    """
    if not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr)
    arr.flags.writeable = False
    if arr.size == 0:
        return arr
    return np.frombuffer(memoryview(arr).toreadonly().cast("B"), dtype=arr.dtype).reshape(arr.shape)


class _EventsField:
    """``Recording.events``: every read hands out a copy, so no caller can edit a recording's events.

    The table is small (one row per event); copying it costs microseconds, and it keeps the
    recording immutable like its samples (``rec.events.loc[0, "label"] = "x"`` changes the
    caller's copy only).
    """

    def __set_name__(self, owner, name):
        self._slot = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            return None  # the dataclass default
        value = obj.__dict__.get(self._slot)
        return value.copy(deep=True) if isinstance(value, pd.DataFrame) else value

    def __set__(self, obj, value):  # only reached through object.__setattr__: the dataclass is frozen
        obj.__dict__[self._slot] = value


_events_field = _EventsField()
_events_field.__set_name__(Recording, "events")
Recording.events = _events_field


def _unpickle(data: np.ndarray, fields: dict) -> Recording:
    return Recording._trusted(data, **fields)
