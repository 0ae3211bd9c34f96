"""The batch table on disk: CSV or Parquet by suffix, one row per file × channel, with provenance.

Columns, in order: ``file``, ``sha256``, the BIDS entities (``subject``, ``session``, ``task``,
``acquisition``, ``run``, ``recording``) when any input is part of a BIDS dataset, ``channel``,
``unit`` (the signal's unit: ``V``, or ``a.u.`` for raw ADC counts), one column per feature
(units in the header and the metadata: amplitude features in the signal's unit), then
``settings`` (JSON) and ``versions`` (JSON of emgviz and the libraries its numbers depend on).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

__all__ = ["BIDS_COLUMNS", "TableWriter", "read_done", "FORMATS"]

#: BIDS entities written as columns, in this order.
BIDS_COLUMNS = ("subject", "session", "task", "acquisition", "run", "recording")
#: Output formats by suffix.
FORMATS = {".csv": "csv", ".parquet": "parquet"}


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"cannot tell the output format of {path.name!r}: use a name ending in "
                         f"{' or '.join(FORMATS)}")
    return fmt


def _cell(value):
    """Numbers as Python floats with full precision; text neutralised against spreadsheet formulas."""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class TableWriter:
    """Write the rows of a batch as they arrive, in CSV or Parquet.

    Parameters
    ----------
    path : Path
        The output file; ``.csv`` or ``.parquet``.
    header : list of str
        Provenance lines (without ``# ``): CSV comment lines at the top, Parquet key-value
        metadata ``emgviz`` (joined by newlines).
    features : list of (str, str)
        ``(feature, unit)`` pairs, the feature columns in order.
    bids : bool
        Whether to write the BIDS entity columns.
    append : bool
        Add to an existing output (``--resume``): CSV rows are appended; a Parquet file is
        rewritten with its old rows first.
    """

    def __init__(self, path: Path, *, header: list[str], features: list[tuple[str, str]],
                 bids: bool, append: bool = False):
        self.path, self.format = Path(path), _format_of(Path(path))
        self.columns = (["file", "sha256"] + (list(BIDS_COLUMNS) if bids else []) + ["channel", "unit"]
                        + [f for f, _ in features] + ["settings", "versions"])
        self.header, self.features = header, features
        self.n_rows = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.format == "csv":
            self._open_csv(append)
        else:
            self._open_parquet(append)

    # --- CSV -----------------------------------------------------------------------------------
    def _open_csv(self, append: bool) -> None:
        fresh = not (append and self.path.exists())
        self._fh = self.path.open("w" if fresh else "a", encoding="utf-8", newline="")
        self._csv = csv.writer(self._fh, lineterminator="\n")
        if fresh:
            for line in self.header:
                self._fh.write(f"# {line}\n")
            self._csv.writerow(self.columns)

    # --- Parquet -------------------------------------------------------------------------------
    def _open_parquet(self, append: bool) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        old = pq.read_table(self.path) if append and self.path.exists() else None
        fields = []
        for c in self.columns:
            numeric = c in dict(self.features)
            fields.append(pa.field(c, pa.float64() if numeric else pa.string()))
        meta = {"emgviz": "\n".join(self.header),
                "emgviz_feature_units": json.dumps(dict(self.features), ensure_ascii=False)}
        self._schema = pa.schema(fields, metadata=meta)
        self._pq = pq.ParquetWriter(self.path, self._schema)
        if old is not None:
            self._pq.write_table(old.select(self.columns).cast(self._schema))
            self.n_rows += old.num_rows

    def write(self, rows: list[dict]) -> None:
        """Write rows (dicts keyed by column; a missing feature becomes empty / null)."""
        if not rows:
            return
        if self.format == "csv":
            for r in rows:
                self._csv.writerow([_cell(r.get(c, "")) if r.get(c) is not None else "" for c in self.columns])
            self._fh.flush()
        else:
            import pyarrow as pa

            cols = {c: [r.get(c) for r in rows] for c in self.columns}
            self._pq.write_table(pa.table(cols, schema=self._schema))
        self.n_rows += len(rows)

    def close(self, trailer: list[str] = ()) -> None:
        """Finish the file; ``trailer`` lines (e.g. failed files) end a CSV as ``#`` comments."""
        if self.format == "csv":
            for line in trailer:
                self._fh.write(f"# {' '.join(str(line).split())}\n")
            self._fh.close()
        else:
            self._pq.close()


def read_done(path: Path) -> tuple[dict[str, str], str | None]:
    """Files already in an output, for ``--resume``.

    Returns
    -------
    done : dict
        ``{file: sha256}`` of every file with rows in ``path``.
    settings : str or None
        The settings JSON the output was made with.
    """
    path = Path(path)
    if not path.exists():
        return {}, None
    import pandas as pd

    if _format_of(path) == "csv":
        table = pd.read_csv(path, comment="#", usecols=["file", "sha256", "settings"], dtype=str,
                            keep_default_na=False)
    else:
        table = pd.read_parquet(path, columns=["file", "sha256", "settings"])
    done = dict(zip(table["file"], table["sha256"]))
    settings = table["settings"].iloc[0] if len(table) else None
    return done, settings
