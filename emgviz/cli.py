"""Command line: ``python -m emgviz info|features|report|batch|bids|stream|record``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import ReadError
from .settings import ENVELOPE_METHODS, NOTCH_CHOICES, Settings

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
    g.add_argument("--notch", choices=["off"] + [f"{hz:g}" for hz in NOTCH_CHOICES if hz], default="off",
                   help="mains notch (default off)")
    g.add_argument("--envelope", choices=list(ENVELOPE_METHODS), default=d.envelope, help="envelope method")
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

    _add_batch_parser(sub)
    _add_bids_parser(sub)
    sub.add_parser("stream", help="publish a recording as a Lab Streaming Layer stream (see `stream --help`)",
                   add_help=False)
    sub.add_parser("record", help="record a Lab Streaming Layer stream to a file (see `record --help`)",
                   add_help=False)
    return p


def _add_batch_parser(sub) -> None:
    b = sub.add_parser(
        "batch", help="features of many files into one table, here or on a Dask cluster",
        description="Features of many recordings, processed with the same settings, into one table: "
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


def _add_bids_parser(sub) -> None:
    bids = sub.add_parser("bids", help="EMG-BIDS datasets: export recordings into one")
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
    sys.stdout.write(table.to_csv(index=False))
    return 0


def _cmd_report(args) -> int:
    from .report import write_report

    path = write_report(args.file, args.output, settings=settings_from_args(args))
    print(f"wrote {path}")
    return 0


def _cmd_batch(args) -> int:
    from .batch import readable_suffixes, run_batch

    err = sys.stderr
    if args.workers is not None and args.workers < 1:
        print(f"error: --workers must be at least 1, got {args.workers}", file=err)
        return 2
    result = run_batch(args.inputs, out=args.out, settings=settings_from_args(args), workers=args.workers,
                       scheduler=args.scheduler, resume=args.resume, progress=not args.quiet, fs=args.fs,
                       keep_table=False)
    for f, why in result.skipped:
        print(f"skipped: {f}: {why}", file=err)
    if result.n_files == 0 and result.n_rows == 0:
        print(f"error: no recordings found in {' '.join(args.inputs)} (readable suffixes: "
              f"{', '.join(readable_suffixes())})", file=err)
        return 1
    for w in result.warnings:
        print(f"warning: {w}", file=err)
    if len(result.failures):
        print(f"\n{len(result.failures)} of {result.n_files} file(s) failed:", file=err)
        for f, e in result.failures.itertuples(index=False):
            print(f"  {f}: {e}", file=err)
    if result.n_rows == 0:
        print("error: every file failed; nothing was written", file=err)
        return 1
    print(f"wrote {result.out} ({result.n_rows} rows; {result.n_ok} of {result.n_files} file(s) this run) "
          f"in {result.seconds:.1f} s on {result.engine}", file=err)
    return 0


def _cmd_bids(args) -> int:
    from .bids import write_bids
    from .io import read_file

    line = args.line_freq
    if line != "n/a":
        try:
            line = float(line)
        except ValueError:
            print(f"error: --line-freq must be a number in Hz or n/a, got {line!r}", file=sys.stderr)
            return 2
    several = len(args.recordings) > 1
    for i, path in enumerate(args.recordings, start=1):
        rec = read_file(path, fs=args.fs)
        run = args.run if args.run is not None else (i if several else None)
        if args.run is not None and several:
            run = args.run + i - 1
        out = write_bids(rec, args.root, subject=args.subject, task=args.task, session=args.session,
                         run=run, acquisition=args.acq, format=args.format,
                         placement_scheme=args.placement_scheme,
                         placement_description=args.placement_description, reference=args.reference,
                         power_line_hz=line, overwrite=args.overwrite)
        print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 unreadable input, 2 usage)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("stream", "record"):
        from .live.cli import main as live_main

        return live_main(argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    commands = {"info": _cmd_info, "features": _cmd_features, "report": _cmd_report, "batch": _cmd_batch,
                "bids": _cmd_bids}
    try:
        return commands[args.command](args)
    except ReadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
