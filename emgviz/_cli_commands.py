"""What the ``info``, ``features`` and ``report`` commands do (imported only when one runs)."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["cmd_formats", "cmd_info", "cmd_features", "cmd_report", "features_csv"]


def reader_options(path, *, fs: float | None = None, unit: str | None = None) -> dict:
    """The ``read_file`` options for ``path``: those given, else a bundled sample's documented ones.

    The app reads its bundled samples with the options their sources document (e.g. the
    unit of a text file that states none); the command line does the same for the same
    file, so both give the same numbers.
    """
    from pathlib import Path as _P

    from .samples import SAMPLE_DIR, SAMPLES

    opts: dict = {}
    try:
        here = _P(path).resolve()
        for s in SAMPLES:
            if here == (SAMPLE_DIR / s.filename).resolve():
                opts.update(dict(s.read_options))
    except OSError:
        pass
    if unit is not None:
        opts["unit"] = unit
    if fs is not None:
        opts["fs"] = fs
    return opts


def cmd_formats(argv: list[str]) -> int:
    """Print the formats emgviz reads (``emgviz.io.supported_formats()``), one per line, in sniffing order.

    Each line: the format's name, then its suffixes (or "(by content)" for layouts recognised
    by their content alone). Takes no arguments.
    """
    import argparse

    argparse.ArgumentParser(prog="python -m emgviz formats",
                            description="The file formats emgviz reads, with their suffixes.").parse_args(argv)
    from .io import supported_formats

    rows = supported_formats()
    width = max(len(f["format"]) for f in rows)
    for f in rows:
        print(f"{f['format']:<{width}}  {' '.join(f['suffixes']) or '(by content)'}")
    return 0


def cmd_info(args) -> int:
    """Print channels, sampling rate, duration, units and events of ``args.file``."""
    from .io import read_file

    rec = read_file(args.file, **reader_options(args.file, fs=args.fs, unit=getattr(args, "signal_unit", None)))
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


def features_csv(path, *, settings, fs: float | None = None, raw: bool = False, unit: str = "auto",
                 signal_unit: str | None = None) -> tuple[str, list]:
    """The ``features`` command's CSV text for one file, and the pipeline's warnings.

    The table is the app's per-muscle table (``feature_table`` of the filtered signal, or
    of the raw one with ``raw=True``) in the display unit ``unit`` (see
    :func:`emgviz.units.display_unit`), led by the provenance lines of
    :func:`emgviz.export.provenance_lines`.
    """
    from .export import file_source, table_csv
    from .features import feature_table
    from .io import read_file
    from .pipeline import preprocess
    from .units import recording_display_unit, to_display_units

    opts = reader_options(path, fs=fs, unit=signal_unit)
    rec = read_file(path, **opts)
    out = preprocess(rec, settings)
    shown = recording_display_unit(rec, choice=unit)
    table = to_display_units(feature_table(rec if raw else out.filtered), shown)
    text = table_csv(table, settings=out.settings, sources=[file_source(path, reader_options=opts)],
                     units=shown.describe(), what="features" + (" of the raw signal" if raw else " of the filtered signal"))
    return text, list(out.warnings)


def cmd_features(args) -> int:
    """Write the per-muscle feature table of ``args.file`` as CSV to stdout."""
    from .cli import settings_from_args

    text, warnings = features_csv(args.file, settings=settings_from_args(args), fs=args.fs, raw=args.raw,
                                  unit=args.unit, signal_unit=args.signal_unit)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    sys.stdout.write(text)
    return 0


def cmd_report(args) -> int:
    """Write the HTML report of ``args.file`` to ``args.output``."""
    from .cli import settings_from_args
    from .report import write_report

    path = write_report(args.file, args.output, settings=settings_from_args(args))
    print(f"wrote {Path(path)}")
    return 0
