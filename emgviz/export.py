"""Exports another person can reproduce: CSV with provenance, self-contained HTML, PNG via kaleido."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import threading
import warnings
from pathlib import Path

import pandas as pd

from .csvsafe import neutralise
from .settings import Settings

__all__ = ["table_csv", "provenance_lines", "figure_html", "figure_png", "png_available", "library_versions",
           "safe_stem"]

_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_NO_BROWSER = ("PNG export needs Chromium (or Google Chrome) for kaleido, and none was found. "
               "Install it (Debian/Ubuntu: apt-get install -y chromium) or set BROWSER_PATH to the "
               "browser executable. HTML export works without it.")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_png_lock = threading.Lock()
_png_state = {"server": False}


def library_versions() -> dict[str, str]:
    """Versions of emgviz and the libraries its numbers depend on (``{"numpy": "2.4.6", ...}``)."""
    from importlib import metadata

    from . import __version__

    out = {"emgviz": __version__}
    for lib in ("numpy", "scipy", "pandas", "plotly"):
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:  # pragma: no cover - all are dependencies
            out[lib] = "not installed"
    return out


def safe_stem(name, *, default: str = "recording", max_chars: int = 60) -> str:
    """A file-name stem made from any text (an uploaded file's name, a sample title, a feature).

    The file suffix (``.csv``) is dropped; every run of characters other than letters,
    digits, ``.``, ``_`` and ``-`` (path separators, spaces, ``<>``, ...) becomes one ``_``;
    leading and trailing ``.`` and ``_`` go, so the stem never names a hidden file or a
    parent folder. At most ``max_chars`` characters; ``default`` when nothing is left.

    Examples
    --------
    >>> safe_stem("../../etc/passwd.csv"), safe_stem("RMS (V)"), safe_stem("  ")
    ('etc_passwd', 'RMS_V', 'recording')
    """
    text = _SUFFIX.sub("", str(name).strip())
    stem = _UNSAFE.sub("_", text).strip("._")[:max_chars].strip("._")
    return stem or default


def _one_line(text) -> str:
    return " ".join(str(text).splitlines()).strip()


def provenance_lines(*, settings: Settings, source_name: str, sha256: str,
                     extra: dict[str, str] | None = None) -> list[str]:
    """The ``#`` comment lines that say where a table came from and how it was computed.

    Parameters
    ----------
    settings : Settings
        The processing settings (written as ``describe()`` and as JSON).
    source_name : str
        The input file name.
    sha256 : str
        SHA-256 hex digest of the input file's bytes.
    extra : dict, optional
        More ``key: value`` lines (e.g. the %MVC reference).

    Returns
    -------
    list of str
        Lines starting with ``"# "``, without newlines.
    """
    versions = library_versions()
    lines = [f"# emgviz {versions['emgviz']} export",
             f"# input file: {_one_line(source_name)}",
             f"# input sha256: {_one_line(sha256)}",
             f"# settings: {settings.describe()}",
             f"# settings json: {json.dumps(settings.to_dict(), sort_keys=True)}",
             "# versions: " + ", ".join(f"{k} {v}" for k, v in versions.items())]
    for key, value in (extra or {}).items():
        lines.append(f"# {_one_line(key)}: {_one_line(value)}")
    lines.append("# read with pandas.read_csv(path, comment='#')")
    return lines


def table_csv(df: pd.DataFrame, *, settings: Settings, source_name: str, sha256: str,
              extra: dict[str, str] | None = None) -> str:
    """A CSV of ``df`` led by ``#`` comment lines stating version, settings and input file.

    Numbers keep full precision (the raw SI values, not the display units); text fields
    are always quoted, so a ``#`` or ``,`` inside a channel name survives, and text that a
    spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...) gets a leading ``'``
    (:func:`emgviz.csvsafe.neutralise`).
    ``pandas.read_csv(io.StringIO(text), comment="#")`` gives the table back.

    Parameters
    ----------
    df : DataFrame
        The table (its index is not written).
    settings : Settings
        Processing settings used to compute it.
    source_name : str
        Input file name.
    sha256 : str
        SHA-256 hex digest of the input file's bytes.
    extra : dict, optional
        More provenance lines (``key: value``).

    Returns
    -------
    str

    Examples
    --------
    >>> import io
    >>> t = pd.DataFrame({"channel": ["biceps"], "RMS (V)": [1.5e-4]})
    >>> text = table_csv(t, settings=Settings(), source_name="a.csv", sha256="00")
    >>> pd.read_csv(io.StringIO(text), comment="#").equals(t)
    True
    """
    head = "\n".join(provenance_lines(settings=settings, source_name=source_name, sha256=sha256, extra=extra))
    body = neutralise(df).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    return head + "\n" + body


def figure_html(fig, *, include_plotlyjs: bool | str = True, full_html: bool = True) -> str:
    """The figure as an HTML page that works offline (plotly.js inlined by default).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    include_plotlyjs : bool or str, default=True
        ``True`` inlines plotly.js (about 4.8 MB, works offline); ``False`` leaves it out
        (for embedding several figures in one page that loads plotly.js once).
    full_html : bool, default=True
        A whole ``<html>`` document, or a ``<div>`` to embed.

    Returns
    -------
    str
    """
    from .plotting.safe import plain_figure

    plain_figure(fig)  # file-provided names never become links in the page
    return fig.to_html(include_plotlyjs=include_plotlyjs, full_html=full_html,
                       config={"displaylogo": False, "responsive": True})


def _find_browser() -> str | None:
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if Path(env).exists() else None
    for name in _BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def png_available() -> bool:
    """Whether :func:`figure_png` can find a Chromium/Chrome to render with."""
    return _find_browser() is not None


def _server_alive() -> bool:
    try:
        from kaleido import _sync_server
    except ImportError:  # pragma: no cover
        return False
    srv = _sync_server.GlobalKaleidoServer()
    thread = getattr(srv, "_thread", None)
    return srv.is_running() and thread is not None and thread.is_alive()


def _stop_server() -> None:
    _png_state["server"] = False
    try:
        import kaleido

        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:  # pragma: no cover
        pass


def figure_png(fig, *, width: int = 1200, height: int = 600, scale: float = 1.0) -> bytes:
    """The figure as PNG bytes, rendered by kaleido in headless Chromium.

    The first call in a process renders one-shot (2–4 s) and then starts kaleido's
    sync server, so later calls take about 0.3 s. Calls are serialised (thread-safe).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    width, height : int, default=1200, 600
        Size in layout pixels.
    scale : float, default=1.0
        Pixel density (2 gives a 2400×1200 image for the defaults).

    Returns
    -------
    bytes
        A PNG file.

    Raises
    ------
    RuntimeError
        When no Chromium/Chrome is installed (the message says how to install it).
    """
    path = _find_browser()
    if path is None:
        raise RuntimeError(_NO_BROWSER)
    os.environ.setdefault("BROWSER_PATH", path)
    with _png_lock:
        if _png_state["server"] and not _server_alive():
            _stop_server()  # its browser died: render one-shot, start a new server below
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="The kopts argument is ignored")
                png = fig.to_image(format="png", width=int(width), height=int(height), scale=scale)
        except RuntimeError as exc:
            if "Chrome" in str(exc) or "chrom" in str(exc).lower():
                raise RuntimeError(f"{_NO_BROWSER} (kaleido said: {_one_line(exc)[:300]})") from exc
            raise
        if not _png_state["server"]:
            try:
                import kaleido

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
                _png_state["server"] = True
            except Exception:  # pragma: no cover - the one-shot path keeps working
                _png_state["server"] = False
    return png
