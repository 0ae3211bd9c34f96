"""One exception type out of every reader: anything a reader or its library raises becomes a ReadError."""

from __future__ import annotations

from ..errors import ReadError
from ..recording import Recording

__all__ = ["guarded"]


def guarded(mod, name: str, func, *args, **kwargs) -> Recording:
    """Call a reader function; any error that escapes it becomes a ReadError naming the file.

    Every call of a reader (``read``, ``read_path``, ``wfdbio.read_record``) goes through here,
    so callers see one exception type whatever the reader or its library raises.
    """
    try:
        return func(*args, **kwargs)
    except ReadError:
        raise
    except Exception as exc:
        if isinstance(exc, TypeError) and "unexpected keyword" in str(exc):
            raise ReadError(name, f"option not understood by the {mod.FORMAT} reader ({exc})",
                            "remove it") from exc
        detail = str(exc) or "no message"
        raise ReadError(name, f"the {mod.FORMAT} reader failed ({type(exc).__name__}: {detail})",
                        "check the file is complete and of this format") from exc
