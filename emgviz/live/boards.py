"""A BrainFlow board as a live source (optional: ``pip install brainflow``); its synthetic board needs no hardware.

BrainFlow (brainflow.org) drives many biosignal amplifiers (OpenBCI, Neurosity, g.tec Unicorn, …)
through one API, and ships a *synthetic board* that generates 16 channels at 250 Hz in-process, so
this source can be tested without hardware or network. Samples arrive in µV; this source gives
volts, like every emgviz source. BrainFlow's per-sample time stamps come in bursts (one clock read
per packet), so the time stamps given here are on the ``k / fs`` grid from the first sample, with
``k`` counted from the board's package numbers (0–255, +1 per sample): a skipped package number is
a gap in the stamps, and :class:`emgviz.live.RingBuffer` counts it as lost.
"""

from __future__ import annotations

import numpy as np

from .sources import Chunk, SourceStopped

__all__ = ["BrainFlowSource", "brainflow_available"]


def brainflow_available() -> bool:
    """True when the optional ``brainflow`` package can be imported."""
    import importlib.util

    return importlib.util.find_spec("brainflow") is not None


class BrainFlowSource:
    """The EMG channels of a BrainFlow board (default: its synthetic board), read without waiting.

    Parameters
    ----------
    board : str or int, default="synthetic"
        A ``brainflow.board_shim.BoardIds`` name (case-insensitive, ``"_board"`` optional, e.g.
        ``"synthetic"``, ``"cyton"``) or its number.
    n_channels : int, optional
        Keep the first ``n_channels`` EMG channels of the board (default: all).
    **params
        Fields of ``brainflow.board_shim.BrainFlowInputParams`` for real boards (``serial_port=``,
        ``ip_address=``, …).

    Raises
    ------
    ImportError
        ``brainflow`` is not installed (``pip install emgviz[brainflow]``).
    ValueError
        Unknown board name, or a board without EMG channels.

    Examples
    --------
    >>> src = BrainFlowSource("synthetic", n_channels=2)           # doctest: +SKIP
    >>> src.fs, src.ch_names, src.units                             # doctest: +SKIP
    (250.0, ('emg1', 'emg2'), ('V', 'V'))
    """

    def __init__(self, board: str | int = "synthetic", *, n_channels: int | None = None, **params):
        try:
            from brainflow.board_shim import BoardIds, BoardShim, BrainFlowInputParams
        except ImportError as exc:
            raise ImportError("the BrainFlow source needs the optional package brainflow: "
                              "pip install 'emgviz[brainflow]' (or brainflow==5.23.0)") from exc
        if isinstance(board, str):
            key = board.strip().upper().replace(" ", "_")
            key = key if key.endswith("_BOARD") else key + "_BOARD"
            if key not in BoardIds.__members__:
                known = ", ".join(sorted(k.removesuffix("_BOARD").lower() for k in BoardIds.__members__)[:12])
                raise ValueError(f"unknown BrainFlow board {board!r}; e.g. {known}, … (see brainflow.BoardIds)")
            board_id = BoardIds[key].value
        else:
            board_id = int(board)
        BoardShim.disable_board_logger()
        self.board_id = board_id
        self.fs = float(BoardShim.get_sampling_rate(board_id))
        try:
            rows = list(BoardShim.get_emg_channels(board_id))
        except Exception:
            rows = []
        if not rows:
            raise ValueError(f"BrainFlow board {board!r} has no EMG channels")
        if n_channels is not None:
            if not 1 <= int(n_channels) <= len(rows):
                raise ValueError(f"n_channels must be 1 to {len(rows)} for this board, got {n_channels}")
            rows = rows[:int(n_channels)]
        self._rows = rows
        self._pkg_row = BoardShim.get_package_num_channel(board_id)
        self._ts_row = BoardShim.get_timestamp_channel(board_id)
        inp = BrainFlowInputParams()
        for k, v in params.items():
            if not hasattr(inp, k):
                raise ValueError(f"BrainFlowInputParams has no field {k!r}")
            setattr(inp, k, v)
        self._shim = BoardShim(board_id, inp)
        name = BoardShim.get_board_descr(board_id).get("name", str(board))
        self.name = f"BrainFlow {name} board"
        self.ch_names = tuple(f"emg{i + 1}" for i in range(len(rows)))
        self.units = ("V",) * len(rows)
        self.kinds = ("emg",) * len(rows)
        self._k = None      # sample number of the last sample returned
        self._pkg = None    # its package number
        self._t0 = None     # board time stamp of sample 0

    def start(self) -> None:
        if self._shim is None:
            raise SourceStopped(f"{self.name} was stopped; make a new BrainFlowSource")
        self._shim.prepare_session()
        self._shim.start_stream(45_000)
        self._k = self._pkg = self._t0 = None

    def stop(self) -> None:
        shim, self._shim = self._shim, None  # released now, not by BoardShim.__del__ at interpreter exit
        try:
            if shim is not None and shim.is_prepared():
                shim.stop_stream()
                shim.release_session()
        except Exception:
            pass

    def read(self) -> Chunk:
        if self._shim is None:
            raise SourceStopped(f"{self.name} was stopped")
        try:
            raw = self._shim.get_board_data()
        except Exception as exc:
            raise SourceStopped(f"the BrainFlow board stopped: {exc}") from None
        n = raw.shape[1]
        if n == 0:
            return Chunk(np.empty((len(self._rows), 0)), np.empty(0))
        k = sample_numbers(raw[self._pkg_row], previous=self._pkg, start=self._k)
        if self._t0 is None:
            self._t0 = float(raw[self._ts_row, 0])
        self._k, self._pkg = int(k[-1]), int(raw[self._pkg_row, -1])
        return Chunk(raw[self._rows] * 1e-6, self._t0 + k / self.fs)


def sample_numbers(package_num, *, previous: int | None, start: int | None) -> np.ndarray:
    """Sample numbers from BrainFlow package numbers (0–255, +1 per sample, wrapping).

    ``previous`` and ``start`` are the package number and sample number of the sample before this
    chunk (None for the first chunk, which starts at sample 0). A step of more than one package is
    a gap (samples lost); a repeated number counts as a full wrap (256 samples), the only reading
    that keeps the numbers increasing.

    Examples
    --------
    >>> sample_numbers(np.array([254, 255, 0, 1, 4]), previous=None, start=None).tolist()
    [0, 1, 2, 3, 6]
    >>> sample_numbers(np.array([5, 6]), previous=4, start=6).tolist()
    [7, 8]
    """
    p = np.asarray(package_num, dtype=np.int64)
    steps = np.diff(p, prepend=p[0] if previous is None else previous) % 256
    if previous is None:
        steps[0] = 0
    else:
        steps[steps == 0] = 256
    steps[1:][steps[1:] == 0] = 256
    return (0 if start is None else int(start)) + np.cumsum(steps)
