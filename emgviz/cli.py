"""Command line: ``python -m emgviz <command>``; one table of lazily imported subcommands.

Nothing heavy is imported until a command runs: ``python -m emgviz --help`` builds a
parser from the table below only, and each command imports its own modules. To add a
command, add one row to :data:`COMMANDS`: either ``configure`` (adds arguments to its
sub-parser) plus ``run`` (``"module:function"`` taking the parsed arguments), or only
``run`` naming a ``main(argv) -> int`` that parses its own arguments (``stream``, ``record``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from typing import Callable

from . import __version__

__all__ = ["main", "build_parser", "settings_from_args", "add_settings_args", "add_unit_arg", "COMMANDS",
           "Command"]


@dataclass(frozen=True)
class Command:
    """One subcommand: its one-line help, how to add its arguments, and what runs it.

    Attributes
    ----------
    help : str
        One line for ``python -m emgviz --help``.
    run : str
        ``"module:function"`` (relative to ``emgviz``), imported only when the command runs.
    configure : callable, optional
        ``configure(parser)`` adds the command's arguments; without it ``run`` is a
        ``main(argv) -> int`` that gets the remaining arguments unparsed.
    """

    help: str
    run: str
    configure: Callable[[argparse.ArgumentParser], None] | None = None

    def target(self):
        module, _, func = self.run.partition(":")
        return getattr(importlib.import_module(module, __package__), func)


def add_settings_args(p: argparse.ArgumentParser) -> None:
    """The processing-settings flags (defaults read from :class:`~emgviz.Settings`)."""
    from .settings import ENVELOPE_METHODS, NOTCH_CHOICES, Settings

    d = Settings()
    g = p.add_argument_group("processing settings")
    g.add_argument("--no-dc", action="store_true", help="keep the DC offset")
    g.add_argument("--no-bandpass", action="store_true", help="skip the band-pass filter")
    g.add_argument("--low", type=float, default=d.low_hz, metavar="HZ", help=f"band-pass low edge (default {d.low_hz:g})")
    g.add_argument("--high", type=float, default=d.high_hz, metavar="HZ",
                   help=f"band-pass high edge (default {d.high_hz:g})")
    g.add_argument("--order", type=int, default=d.order, help=f"Butterworth order (default {d.order})")
    g.add_argument("--notch", choices=["off"] + [f"{hz:g}" for hz in NOTCH_CHOICES if hz], default="off",
                   help="mains notch (default off)")
    g.add_argument("--envelope", choices=list(ENVELOPE_METHODS), default=d.envelope, help="envelope method")
    g.add_argument("--rms-window-ms", type=float, default=d.rms_window_ms, metavar="MS")
    g.add_argument("--lowpass-hz", type=float, default=d.lowpass_hz, metavar="HZ")


def add_unit_arg(p: argparse.ArgumentParser) -> None:
    """``--unit``: the display unit of amplitude columns (the app's rule by default)."""
    from .units import UNIT_CHOICES

    p.add_argument("--unit", choices=UNIT_CHOICES, default="auto",
                   help="unit of amplitude columns: auto (default, as the app shows them: µV, or mV when "
                        "the recording's RMS is 1 mV or more), V, mV or µV (uV); raw ADC files stay a.u.")


def settings_from_args(args: argparse.Namespace):
    """The :class:`~emgviz.Settings` the command-line flags describe."""
    from .settings import Settings

    return Settings(remove_dc=not args.no_dc, bandpass=not args.no_bandpass, low_hz=args.low, high_hz=args.high,
                    order=args.order, notch_hz=None if args.notch == "off" else float(args.notch),
                    envelope=args.envelope, rms_window_ms=args.rms_window_ms, lowpass_hz=args.lowpass_hz)


def _file_args(p: argparse.ArgumentParser, *, fs: bool = True) -> None:
    p.add_argument("file")
    if fs:
        p.add_argument("--fs", type=float, help="sampling rate in Hz, for files that state none")
        p.add_argument("--signal-unit", metavar="UNIT",
                       help="unit of the file's values (V, mV, uV), for files that state none; without it "
                            "such files stay raw counts (a.u.); bundled samples use their documented unit")


def _configure_features(p: argparse.ArgumentParser) -> None:
    _file_args(p)
    p.add_argument("--raw", action="store_true", help="measure the raw signal instead of the filtered one")
    add_unit_arg(p)
    add_settings_args(p)


def _configure_report(p: argparse.ArgumentParser) -> None:
    _file_args(p, fs=False)
    p.add_argument("-o", "--output", required=True, help="the HTML file to write")
    add_settings_args(p)


def _configure_batch(b: argparse.ArgumentParser) -> None:
    b.description = ("Features of many recordings, processed with the same settings, into one table: "
                     "one row per file x EMG channel with file, SHA-256, BIDS entities, settings and versions. "
                     ".csv or .parquet by the suffix of --out.")
    b.add_argument("inputs", nargs="+", help="folders (searched recursively; a BIDS dataset is read as one), "
                                             "files or glob patterns (quote them: 'data/**/*.edf')")
    b.add_argument("-o", "--out", required=True, help="the table to write: .csv or .parquet")
    b.add_argument("-j", "--workers", type=int, default=None,
                   help="local worker processes (default: all cores; 1 runs serially)")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on an existing dask.distributed cluster, e.g. tcp://127.0.0.1:8786")
    b.add_argument("--resume", action="store_true",
                   help="skip files already in --out (same SHA-256) and add the others")
    b.add_argument("--fs", type=float, help="sampling rate in Hz, for files that state none")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    add_settings_args(b)


def _configure_bids(bids: argparse.ArgumentParser) -> None:
    bsub = bids.add_subparsers(dest="bids_command", required=True)
    ex = bsub.add_parser("export", help="write recordings as EMG-BIDS (BDF+/EDF+ with the required sidecars)")
    ex.add_argument("recordings", nargs="+", help="files emgviz reads")
    ex.add_argument("--root", required=True, help="the dataset folder (created if needed)")
    ex.add_argument("--subject", required=True, help="BIDS subject label (letters and digits)")
    ex.add_argument("--task", required=True, help="BIDS task label (letters and digits)")
    ex.add_argument("--session", help="BIDS session label")
    ex.add_argument("--acq", help="BIDS acquisition label")
    ex.add_argument("--run", type=int, help="run index (default: 1, 2, ... when several recordings are given)")
    ex.add_argument("--format", choices=["bdf", "edf"], default="bdf", help="data format (default bdf: 24-bit)")
    ex.add_argument("--placement-scheme", choices=["Measured", "ChannelSpecific", "Other"], default="Other")
    ex.add_argument("--placement-description", help="how the electrode sites were chosen (e.g. SENIAM)")
    ex.add_argument("--reference", default="n/a", help="where the reference electrode was")
    ex.add_argument("--line-freq", default="n/a", help="power line frequency in Hz (50 or 60)")
    ex.add_argument("--fs", type=float, help="sampling rate in Hz, for files that state none")
    ex.add_argument("--overwrite", action="store_true", help="replace files that exist")


#: The subcommands, in the order ``--help`` lists them.
COMMANDS: dict[str, Command] = {
    "formats": Command("the file formats emgviz reads, with their suffixes", "._cli_commands:cmd_formats"),
    "info": Command("channels, sampling rate, duration, units and events of a file",
                    "._cli_commands:cmd_info", _file_args),
    "features": Command("the per-muscle feature table as CSV on stdout (with provenance # lines)",
                        "._cli_commands:cmd_features", _configure_features),
    "report": Command("a self-contained HTML report (figures, tables, settings, snippet)",
                      "._cli_commands:cmd_report", _configure_report),
    "batch": Command("features of many files into one table (CSV/Parquet), here or on a Dask cluster",
                     "._cli_batch:cmd_batch", _configure_batch),
    "bids": Command("EMG-BIDS datasets: export recordings into one", "._cli_batch:cmd_bids", _configure_bids),
    "stream": Command("publish a recording as a Lab Streaming Layer stream (see `stream --help`)",
                      ".live.cli:stream_main"),
    "record": Command("record a Lab Streaming Layer stream to a file (see `record --help`)",
                      ".live.cli:record_main"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s arguments are added (all commands' when it is ``None``)."""
    p = argparse.ArgumentParser(prog="python -m emgviz", description="Explore EMG recordings from the command line.")
    p.add_argument("--version", action="version", version=f"emgviz {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}")
    for name, cmd in COMMANDS.items():
        sp = sub.add_parser(name, help=cmd.help, description=cmd.help, add_help=cmd.configure is not None)
        if cmd.configure is not None and command in (None, name):
            cmd.configure(sp)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 unreadable input, 2 usage)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    name = argv[0] if argv else None
    cmd = COMMANDS.get(name)
    if cmd is not None and cmd.configure is None:  # the command parses its own arguments
        return int(cmd.target()(argv[1:]) or 0)
    args = build_parser(name if cmd is not None else "").parse_args(argv)
    from .errors import ReadError

    try:
        return int(COMMANDS[args.command].target()(args) or 0)
    except (ReadError, ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
