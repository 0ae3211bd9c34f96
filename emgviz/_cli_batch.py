"""What the ``batch`` and ``bids`` commands do (imported only when one runs)."""

from __future__ import annotations

import sys

__all__ = ["cmd_batch", "cmd_bids"]


def _settings(args):
    from .cli import settings_from_args

    return settings_from_args(args)


def cmd_batch(args) -> int:
    from .batch import readable_suffixes, run_batch

    err = sys.stderr
    if args.workers is not None and args.workers < 1:
        print(f"error: --workers must be at least 1, got {args.workers}", file=err)
        return 2
    result = run_batch(args.inputs, out=args.out, settings=_settings(args), workers=args.workers,
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


def cmd_bids(args) -> int:
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
