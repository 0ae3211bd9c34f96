"""Size limits every reader applies before allocating big arrays."""

from __future__ import annotations

import os

from ..errors import ReadError

__all__ = ["max_samples", "check_size", "check_declared", "max_file_bytes", "DEFAULT_MAX_FILE_BYTES", "max_channels", "max_unzipped_bytes", "DEFAULT_MAX_SAMPLES",
           "DEFAULT_MAX_CHANNELS", "DEFAULT_MAX_UNZIPPED_BYTES"]

#: Default largest n_channels × n_samples a reader accepts (1.6 GB of float64).
DEFAULT_MAX_SAMPLES = 200_000_000
#: Default largest number of channels (columns) a reader accepts.
DEFAULT_MAX_CHANNELS = 4096
#: Default largest file read_file opens (bytes).
DEFAULT_MAX_FILE_BYTES = 4 * 1024 ** 3
#: Default largest total uncompressed size of a zip upload (bytes).
DEFAULT_MAX_UNZIPPED_BYTES = 1024 ** 3


def _env_int(var: str, default: int) -> int:
    raw = os.environ.get(var, "").strip().replace("_", "").replace(",", "")
    if not raw:
        return default
    try:
        value = int(float(raw))
    except ValueError:
        raise ValueError(f"{var} must be a whole number, got {os.environ[var]!r}") from None
    if value < 1:
        raise ValueError(f"{var} must be at least 1, got {value}")
    return value


def max_samples() -> int:
    """Largest n_channels × n_samples a reader accepts: ``EMGVIZ_MAX_SAMPLES`` or 200,000,000."""
    return _env_int("EMGVIZ_MAX_SAMPLES", DEFAULT_MAX_SAMPLES)


def max_channels() -> int:
    """Largest number of channels a reader accepts: ``EMGVIZ_MAX_CHANNELS`` or 4096."""
    return _env_int("EMGVIZ_MAX_CHANNELS", DEFAULT_MAX_CHANNELS)


def max_unzipped_bytes(default: int = DEFAULT_MAX_UNZIPPED_BYTES) -> int:
    """Largest total uncompressed size of a zip upload: ``EMGVIZ_MAX_UNZIPPED_BYTES`` or 1 GiB."""
    return _env_int("EMGVIZ_MAX_UNZIPPED_BYTES", default)


def max_file_bytes() -> int:
    """Largest file (bytes) ``read_file`` opens: ``EMGVIZ_MAX_FILE_BYTES`` or 4 GiB."""
    return _env_int("EMGVIZ_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)


def check_declared(name: str, what: str, shape, itemsize: int = 8) -> None:
    """Refuse an array a file *declares* before it is allocated (any number of dimensions).

    Parameters
    ----------
    name : str
        The file name, for the message.
    what : str
        Which array ("dataset raw/channel_1", "variable emg").
    shape : sequence of int
        The declared shape.
    itemsize : int
        Bytes per element as stored (for the byte limit, 8 × :func:`max_samples`).
    """
    shape = tuple(int(n) for n in shape)
    if any(n < 0 for n in shape):
        raise ReadError(name, f"{what} declares a negative size {shape}", "check that the file is complete")
    count = 1
    for n in shape:
        count *= n
    limit = max_samples()
    if count > limit or count * max(int(itemsize), 1) > 8 * limit:
        raise ReadError(name, f"{what} declares {count:,} values (shape {shape}), above the limit of "
                              f"{limit:,} samples",
                        "check that the file is complete and not damaged, or raise EMGVIZ_MAX_SAMPLES")


def check_size(name: str, n_channels: int, n_samples: int) -> None:
    """Raise :class:`ReadError` when ``n_channels × n_samples`` is above :func:`max_samples`.

    Parameters
    ----------
    name : str
        The file name, for the message.
    n_channels, n_samples : int
        The size the reader is about to allocate (an estimate is fine).
    """
    n_channels, n_samples = int(n_channels), int(n_samples)
    limit = max_samples()
    if n_channels * n_samples > limit:
        raise ReadError(name, f"the recording holds {n_channels:,} × {n_samples:,} samples, above the "
                              f"limit of {limit:,}",
                        "cut the file or raise EMGVIZ_MAX_SAMPLES")
    if n_channels > max_channels():
        raise ReadError(name, f"the recording has {n_channels:,} channels, above the limit of "
                              f"{max_channels():,}",
                        "split the file or raise EMGVIZ_MAX_CHANNELS")
