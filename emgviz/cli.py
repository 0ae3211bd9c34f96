"""Command line: ``python -m emgviz info|features|report|batch``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import ReadError
from .settings import Settings

__all__ = ["main", "build_parser", "settings_from_args", "add_settings_args"]


def add_settings_args(p: argparse.ArgumentParser) -> None:
    d = Settings()
    g = p.add_argument_group("processing settings")
    g.add_argument("--no-dc", action="store_true", help="keep the DC offset")
    g.add_argument("--no-bandpass", action="store_true", help="skip the band-pass filter")
    g.add_argument("--low", type=float, default=d.low_hz, metavar="HZ", help=f"band-pass low edge (default {d.low_hz:g})")
    g.add_argument("--high", type=float, default=d.high_hz, metavar="HZ",
                   help=f"band-pass high edge (default {d.high_hz:g})")
    g.add_argument("--order", type=int, default=d.order, help=f"Butterworth order (default {d.order})")
    g.add_argument("--notch", choices=["off", "50", "60"], default="off", help="mains notch (default off)")
    g.add_argument("--envelope", choices=["rms", "lowpass"], default=d.envelope, help="envelope method")
    g.add_argument("--rms-window-ms", type=float, default=d.rms_window_ms, metavar="MS")
    g.add_argument("--lowpass-hz", type=float, default=d.lowpass_hz, metavar="HZ")


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The Settings the command-line flags describe."""
    return Settings(remove_dc=not args.no_dc, bandpass=not args.no_bandpass, low_hz=args.low, high_hz=args.high,
                    order=args.order, notch_hz=None if args.notch == "off" else float(args.notch),
                    envelope=args.envelope, rms_window_ms=args.rms_window_ms, lowpass_hz=args.lowpass_hz)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m emgviz", description="Explore EMG recordings from the command line.")
    p.add_argument("--version", action="version", version=f"emgviz {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    info = sub.add_parser("info", help="channels, sampling rate, duration, units and events of a file")
    info.add_argument("file")
    info.add_argument("--fs", type=float, help="sampling rate in Hz, for files that state none")

    feat = sub.add_parser("features", help="the per-muscle feature table as CSV on stdout")
    feat.add_argument("file")
    feat.add_argument("--fs", type=float, help="sampling rate in Hz, for files that state none")
    feat.add_argument("--raw", action="store_true", help="measure the raw signal instead of the filtered one")
    add_settings_args(feat)

    rep = sub.add_parser("report", help="a self-contained HTML report (figures, tables, settings, snippet)")
    rep.add_argument("file")
    rep.add_argument("-o", "--output", required=True, help="the HTML file to write")
    add_settings_args(rep)

    sub.add_parser("batch", help="features of many files into one tidy CSV (see `batch --help`)",
                   add_help=False)
    return p


def _cmd_info(args) -> int:
    from .io import read_file

    rec = read_file(args.file, fs=args.fs)
    print(f"file:      {args.file}")
    print(f"format:    {rec.meta.get('format', '?')}")
    print(f"channels:  {rec.n_channels}")
    print(f"fs:        {rec.fs:g} Hz")
    print(f"samples:   {rec.n_samples}")
    print(f"duration:  {rec.duration_s:.3f} s (from t = {rec.t0:g} s)")
    print(f"unit:      {rec.unit}")
    print(f"events:    {len(rec.events)}")
    width = max(len(n) for n in rec.ch_names)
    for name, unit, kind in zip(rec.ch_names, rec.ch_units, rec.ch_kinds):
        print(f"  {name:<{width}}  {unit:<5} {kind}")
    return 0


def _cmd_features(args) -> int:
    from .features import feature_table
    from .io import read_file
    from .pipeline import preprocess

    rec = read_file(args.file, fs=args.fs)
    settings = settings_from_args(args)
    out = preprocess(rec, settings)
    for w in out.warnings:
        print(f"warning: {w}", file=sys.stderr)
    table = feature_table(rec if args.raw else out.filtered)
    print(f"# emgviz {__version__}; file {Path(args.file).name}; "
          f"{'raw signal' if args.raw else out.settings.describe()}")
    from .csvsafe import neutralise

    sys.stdout.write(neutralise(table).to_csv(index=False))
    return 0


def _cmd_report(args) -> int:
    from .report import write_report

    path = write_report(args.file, args.output, settings=settings_from_args(args))
    print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 unreadable input, 2 usage)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "batch":
        from .batch import main as batch_main

        return int(batch_main(argv[1:]) or 0)
    args = build_parser().parse_args(argv)
    commands = {"info": _cmd_info, "features": _cmd_features, "report": _cmd_report}
    try:
        return commands[args.command](args)
    except ReadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
