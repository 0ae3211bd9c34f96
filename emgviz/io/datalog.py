"""Biometrics DataLOG text exports, recognised by their structure (not by the vendor's name).

The header states each channel on one line, in any language for the name::

    File Name: sentado.log
    Channel 4: 'Recto Femoral', 38971 values, engineering units: mV, no filters.

then tab-separated numbers without a column-name row. Channel numbers need not start at 1;
the file may state no sampling rate (then ``fs=`` is asked for). Names, units and value counts
are taken from these lines, never replaced by ``ch1…`` in ``a.u.``.
"""

from __future__ import annotations

import re

from ..errors import ReadError
from ..recording import Recording
from . import text as _text

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "channel_lines"]

FORMAT = "Biometrics DataLOG text"
SUFFIXES = ()

_CHANNEL = re.compile(r"^\s*Channel\s+(?P<num>\d+)\s*:\s*(?P<q>['\"])(?P<name>.*?)(?P=q)\s*,\s*"
                      r"(?P<count>\d+)\s+values?\b(?:.*?units?\s*:\s*(?P<unit>[^,;]+?)\s*(?:[,;]|$))?",
                      re.IGNORECASE)
_NAMED = re.compile(r"biometrics|datalog", re.IGNORECASE)


def channel_lines(lines) -> list[dict]:
    """The ``Channel N: 'name', K values, engineering units: U`` lines, in file order.

    Returns
    -------
    list of dict
        ``number`` (int), ``name`` (str), ``count`` (int) and ``unit`` (str or None) per line.

    Examples
    --------
    >>> channel_lines(["Channel 4: 'Recto Femoral', 38971 values, engineering units: mV, no filters."])
    [{'number': 4, 'name': 'Recto Femoral', 'count': 38971, 'unit': 'mV'}]
    """
    out = []
    for line in lines:
        m = _CHANNEL.match(line)
        if m:
            unit = (m.group("unit") or "").strip().rstrip(".") or None
            out.append({"number": int(m.group("num")), "name": m.group("name").strip(),
                        "count": int(m.group("count")), "unit": unit})
    return out


def sniff(head: bytes, name: str) -> bool:
    """Text whose header holds ``Channel N: '…', K values`` lines, or names Biometrics/DataLOG."""
    if not _text.is_text(head[:8192]):
        return False
    text = head[:16384].decode("latin-1")
    return bool(channel_lines(text.splitlines()[:64]) or _NAMED.search(text))


def read(content: bytes, name: str, *, fs: float | None = None, unit: str | None = None) -> Recording:
    """Read a DataLOG text export.

    Parameters
    ----------
    fs : float, optional
        Sampling rate in Hz (needed when the file states none, as DataLOG text often does).
    unit : str, optional
        Unit of channels whose header states none.

    Returns
    -------
    Recording
        Channel names and units from the header lines; ``meta["datalog_channels"]`` lists the
        channel numbers and the value counts the header states.
    """
    layout = _text.scan_layout(content, name)
    chans = channel_lines(layout.preamble)
    if not chans:  # the older variant: vendor name and key: value lines only
        return _text.read_table(content, name, fs=fs, unit=unit, fmt=FORMAT, layout=layout)
    if len(chans) != layout.n_cols - layout.pad:
        raise ReadError(name, f"the header describes {len(chans)} channels but the rows hold "
                              f"{layout.n_cols - layout.pad} columns", "export the file again")
    labels = [c["name"] or f"Channel {c['number']}" for c in chans]
    meta_extra = {"datalog_channels": {c["name"]: {"number": c["number"], "values": c["count"]} for c in chans}}
    rec = _text.read_table(content, name, fs=fs, unit=unit, fmt=FORMAT, layout=layout,
                           labels=labels + [""] * layout.pad,
                           ch_units=[c["unit"] for c in chans] + [None] * layout.pad, meta_extra=meta_extra)
    stated = min(c["count"] for c in chans)
    if rec.n_samples != stated:
        notes = [*rec.meta.get("notes", ()),
                 f"the header states {stated:,} values per channel but {rec.n_samples:,} rows were read"]
        rec = rec.with_data(rec.data, meta={**rec.meta, "notes": notes})
    return rec
