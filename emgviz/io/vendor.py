"""Vendor text exports (kept for its public names): each layout now has its own reader module.

:mod:`.vicon`, :mod:`.delsys`, :mod:`.datalog` and :mod:`.noraxon` are rows of the reader table
in :mod:`emgviz.io`; :func:`which_vendor` and :func:`read` here dispatch to them.
"""

from __future__ import annotations

from ..errors import ReadError
from ..recording import Recording
from . import datalog, delsys, noraxon, vicon

__all__ = ["FORMAT", "SUFFIXES", "sniff", "read", "which_vendor", "FORMATS"]

FORMAT = "Vendor text export"
SUFFIXES = ()
_MODULES = {"vicon": vicon, "delsys": delsys, "biometrics": datalog, "noraxon": noraxon}
#: Human names of the layouts.
FORMATS = {key: mod.FORMAT for key, mod in _MODULES.items()}


def which_vendor(head: bytes) -> str | None:
    """``"delsys"``, ``"vicon"``, ``"biometrics"``, ``"noraxon"`` or ``None`` from the first bytes."""
    return next((key for key, mod in _MODULES.items() if mod.sniff(head, "")), None)


def sniff(head: bytes, name: str) -> bool:
    """True for any vendor text layout."""
    return which_vendor(head) is not None


def read(content: bytes, name: str, *, fs: float | None = None, group=None, unit: str | None = None) -> Recording:
    """Read a vendor text export with the module of its layout (``group=`` for Delsys only)."""
    key = which_vendor(content[:65536])
    if key is None:
        raise ReadError(name, "this is no vendor text layout emgviz knows", "read it as CSV/TXT")
    if key == "delsys":
        return delsys.read(content, name, fs=fs, group=group, unit=unit)
    if group is not None:
        raise ReadError(name, "group= applies to Delsys files with several sampling rates", "remove group=")
    return _MODULES[key].read(content, name, fs=fs, unit=unit)
