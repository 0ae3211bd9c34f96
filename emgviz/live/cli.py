"""``python -m emgviz stream FILE --name NAME`` and ``python -m emgviz record --lsl NAME --seconds S --out OUT``."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "stream_main", "record_main", "build_parser", "COMMANDS"]

#: The subcommands this module runs (emgviz.cli hands them over).
COMMANDS = ("stream", "record")

_LAN_HELP = ("use the local network (liblsl's own configuration) instead of this machine only; "
             "same as EMGVIZ_LSL_LAN=1")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m emgviz", description="Live EMG over Lab Streaming Layer (LSL).")
    sub = p.add_subparsers(dest="command", required=True)
    st = sub.add_parser("stream", help="publish a recording as an LSL outlet at real time",
                        description="Publish FILE as an LSL stream at real time: one float32 channel per "
                                    "recording channel, values unchanged, label/unit/type in desc/channels. "
                                    "Ctrl+C stops.")
    st.add_argument("file", metavar="FILE", help="any recording emgviz reads")
    st.add_argument("--name", required=True, metavar="NAME", help="the LSL stream name")
    st.add_argument("--loop", action="store_true", help="restart at the end of the file")
    st.add_argument("--chunk-ms", type=float, default=20.0, metavar="MS", help="push interval in ms (default 20)")
    st.add_argument("--fs", type=float, help="sampling rate in Hz, for files that state none")
    st.add_argument("--lan", action="store_true", help=_LAN_HELP)
    rec = sub.add_parser("record", help="record an LSL stream to a file",
                         description="Find the LSL stream NAME (waits up to 10 s), record S seconds "
                                     "(S x nominal rate samples) to OUT (.npz, .edf or .csv by suffix).")
    rec.add_argument("--lsl", required=True, metavar="NAME", help="the LSL stream name")
    rec.add_argument("--seconds", required=True, type=float, metavar="S", help="how long to record, s")
    rec.add_argument("--out", required=True, metavar="OUT", help="file to write (.npz, .edf, .csv)")
    rec.add_argument("--timeout", type=float, default=10.0, metavar="S", help="wait this long for the stream")
    rec.add_argument("--lan", action="store_true", help=_LAN_HELP)
    return p


def _stream(args) -> int:
    import signal
    import threading

    from ..io import read_file
    from .lsl import publish

    recording = read_file(args.file, fs=args.fs)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # `kill` stops as cleanly as Ctrl+C
    # Ctrl+C / SIGINT stops even when started from a shell that ignores it (`cmd &` in a script): the
    # ignored disposition is inherited, and Python then installs no KeyboardInterrupt handler.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 PID` prints where every thread is (a stream that will not stop)
        import faulthandler

        faulthandler.register(signal.SIGUSR1, all_threads=True)

    def started(_outlet):
        print(f"streaming {args.file} as LSL stream {args.name!r}: {recording.n_channels} ch @ {recording.fs:g} Hz, "
              f"{recording.duration_s:.3f} s{' (looping)' if args.loop else ''}; Ctrl+C stops", flush=True)

    pushed = publish(recording, args.name, loop=args.loop, chunk_ms=args.chunk_ms, on_start=started, lan=args.lan,
                     stop=stop)
    print(f"stopped after {pushed} samples ({pushed / recording.fs:.3f} s)", flush=True)
    return 0


def _record(args) -> int:
    from .record import record_lsl

    def progress(n, wanted):
        print(f"\r{n}/{wanted} samples", end="", file=sys.stderr, flush=True)

    result = record_lsl(args.lsl, args.seconds, args.out, timeout_s=args.timeout, lan=args.lan,
                        on_progress=progress if sys.stderr.isatty() else None)
    wanted = int(round(args.seconds * result.fs))
    state = "complete" if result.complete else f"stopped early ({result.n_samples} of {wanted} samples)"
    print(f"wrote {result.path}: {result.n_samples} samples ({result.n_samples / result.fs:.3f} s @ "
          f"{result.fs:g} Hz), lost {result.lost}; {state}", flush=True)
    return 0 if result.complete and result.lost == 0 else 1


def main(argv: list[str]) -> int:
    """Run ``stream`` or ``record``; returns the exit code (0 ok, 1 error or incomplete, 2 usage)."""
    from ..errors import ReadError
    from .lsl import StreamNotFound

    args = build_parser().parse_args(argv)
    try:
        return {"stream": _stream, "record": _record}[args.command](args)
    except KeyboardInterrupt:
        return 0
    except (ReadError, ValueError, StreamNotFound) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def stream_main(argv: list[str]) -> int:
    """``python -m emgviz stream ...`` (the arguments after ``stream``)."""
    return main(["stream", *argv])


def record_main(argv: list[str]) -> int:
    """``python -m emgviz record ...`` (the arguments after ``record``)."""
    return main(["record", *argv])


def stream_main(argv: list[str]) -> int:
    """``python -m emgviz stream ...`` (``argv`` without the word ``stream``)."""
    return main(["stream", *argv])


def record_main(argv: list[str]) -> int:
    """``python -m emgviz record ...`` (``argv`` without the word ``record``)."""
    return main(["record", *argv])
