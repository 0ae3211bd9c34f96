"""Exports another person can reproduce: CSV with provenance, self-contained HTML, PNG via kaleido."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from .csvsafe import neutralise
from .settings import Settings

__all__ = ["table_csv", "provenance_lines", "read_provenance", "preset_text", "provenance_preset", "PRESET_KEY", "Source", "file_source", "file_sha256", "figure_html", "figure_png", "png_available", "library_versions",
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


@dataclass(frozen=True)
class Source:
    """One input file of an export: its name, SHA-256 and the options it was read with.

    Attributes
    ----------
    name : str
        The file name as the user knows it (uploaded name or path).
    sha256 : str
        SHA-256 hex digest of the file's bytes.
    reader_options : dict
        The :func:`emgviz.read_file` options used (``{"fs": 1000, "unit": "mV"}``); empty
        when the file stated everything itself.
    label : str, optional
        The session label (Compare) or another role of the file.
    """

    name: str
    sha256: str
    reader_options: Mapping = field(default_factory=dict)
    label: str | None = None

    def to_dict(self) -> dict:
        out = {"file": _one_line(self.name), "sha256": _one_line(self.sha256),
               "reader_options": {str(k): v for k, v in dict(self.reader_options).items() if v is not None}}
        if self.label is not None:
            out["label"] = _one_line(self.label)
        return out


def file_sha256(path) -> str:
    """SHA-256 hex digest of a file's bytes (read in 1 MiB blocks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_source(path, *, reader_options: Mapping | None = None, label: str | None = None) -> Source:
    """The :class:`Source` of a file on disk (hashes it)."""
    return Source(str(path), file_sha256(path), dict(reader_options or {}), label)


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def provenance_lines(*, settings: Settings | None = None, source_name: str | None = None,
                     sha256: str | None = None, sources: Sequence[Source] = (),
                     reader_options: Mapping | None = None, units: str | None = None,
                     what: str = "export", extra: Mapping[str, object] | None = None) -> list[str]:
    """The ``#`` comment lines that say where a table came from and how it was computed.

    The one provenance format of emgviz: every CSV (features, bursts, comparison,
    markers, the CLI's ``features`` and ``batch``) and the HTML report write these lines.
    Each line is ``# key: value``; values that are structures are JSON (sorted keys), so
    a reader can parse them back (:func:`read_provenance`).

    Parameters
    ----------
    settings : Settings, optional
        The processing settings (a readable line, a JSON line and the preset they equal,
        ``# settings preset: needle`` or ``none (custom settings)``, :func:`preset_text`).
    source_name, sha256 : str, optional
        One input file (shorthand for ``sources=[Source(source_name, sha256, reader_options)]``).
    sources : sequence of Source
        The input files, each with its SHA-256 and reader options.
    reader_options : dict, optional
        Reader options of the ``source_name`` file.
    units : str, optional
        What the amplitude columns are in (``"µV (stored V × 1e6)"``).
    what : str, default="export"
        What the file is (``"features"``, ``"comparison"``, ``"batch features"``).
    extra : dict, optional
        More ``key: value`` lines (e.g. the %MVC reference, burst parameters as JSON).

    Returns
    -------
    list of str
        Lines starting with ``"# "``, without newlines.

    Examples
    --------
    >>> lines = provenance_lines(settings=Settings(), source_name="a.csv", sha256="00",
    ...                          reader_options={"fs": 1000})
    >>> [line.split(":")[0] for line in lines][:4]
    ['# emgviz 0.1.0 export', '# input', '# settings', '# settings json']
    >>> read_provenance("\\n".join(lines))["input"]
    {'file': 'a.csv', 'reader_options': {'fs': 1000}, 'sha256': '00'}
    """
    versions = library_versions()
    srcs = list(sources)
    if source_name is not None:
        srcs.insert(0, Source(source_name, sha256 or "", dict(reader_options or {})))
    lines = [f"# emgviz {versions['emgviz']} {_one_line(what)}"]
    for i, src in enumerate(srcs):
        key = "input" if len(srcs) == 1 else f"input {i + 1}"
        lines.append(f"# {key}: {_json(src.to_dict())}")
    if settings is not None:
        lines.append(f"# settings: {_one_line(settings.describe())}")
        lines.append(f"# settings json: {_json(settings.to_dict())}")
        lines.append(f"# {PRESET_KEY}: {preset_text(settings)}")
    if units is not None:
        lines.append(f"# units: {_one_line(units)}")
    lines.append(f"# versions: {_json(versions)}")
    for key, value in (extra or {}).items():
        text = value if isinstance(value, str) else _json(value)
        lines.append(f"# {_one_line(key)}: {_one_line(text)}")
    lines.append("# read with pandas.read_csv(path, comment='#')")
    return lines


#: The provenance key naming the settings preset (``# settings preset: needle``).
PRESET_KEY = "settings preset"
_CUSTOM = "none (custom settings)"


#: Settings the pipeline lowers to fit a recording's sampling rate (see ``Processed.settings``).
_RATE_ADAPTED = ("high_hz", "lowpass_hz", "notch_harmonics")


def preset_text(settings: Settings) -> str:
    """The ``# settings preset:`` value: the :data:`emgviz.settings.SETTINGS_PRESETS` key the settings
    equal (``"needle"``); the key and what was lowered, when they equal a preset except for values the
    pipeline lowers to fit the sampling rate (the effective settings of the needle preset at 4 kHz:
    ``"needle, with high_hz=1900 (the preset's 10000)"``); else ``"none (custom settings)"``.

    Examples
    --------
    >>> preset_text(Settings.from_preset("needle")), preset_text(Settings(notch_hz=60))
    ('needle', 'none (custom settings)')
    >>> preset_text(Settings.from_preset("needle", high_hz=1900))
    "needle, with high_hz=1900 (the preset's 10000)"
    """
    exact = settings.preset_name()
    if exact is not None:
        return exact
    import dataclasses

    from .settings import SETTINGS_PRESETS

    for name, preset in SETTINGS_PRESETS.items():
        ref = Settings.from_dict(preset.values)
        diff = [f.name for f in dataclasses.fields(Settings) if getattr(settings, f.name) != getattr(ref, f.name)]
        if diff and all(d in _RATE_ADAPTED and getattr(settings, d) < getattr(ref, d) for d in diff):
            return f"{name}, with " + ", ".join(f"{d}={getattr(settings, d):g} (the preset's {getattr(ref, d):g})"
                                                for d in diff)
    return _CUSTOM


def provenance_preset(prov: Mapping) -> str | None:
    """The preset named in parsed provenance (:func:`read_provenance`), or None when the settings were
    custom or the file predates the ``settings preset`` line.

    Examples
    --------
    >>> provenance_preset(read_provenance("\\n".join(provenance_lines(settings=Settings.from_preset("needle")))))
    'needle'
    """
    value = prov.get(PRESET_KEY)
    return None if value in (None, _CUSTOM) else str(value).split(",")[0]


def read_provenance(text: str) -> dict:
    """The ``# key: value`` lines at the top of an emgviz CSV, JSON values decoded.

    Keys repeat for several inputs (``input 1``, ``input 2``); the first line is returned
    under ``"emgviz"`` (``"0.1.0 features"``).
    """
    out: dict = {}
    for line in str(text).splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if body.startswith("emgviz ") and "emgviz" not in out:
            out["emgviz"] = body[len("emgviz "):]
            continue
        key, sep, value = body.partition(": ")
        if not sep:
            continue
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def table_csv(df: pd.DataFrame, *, settings: Settings | None = None, source_name: str | None = None,
              sha256: str | None = None, extra: Mapping[str, object] | None = None, **provenance) -> str:
    """A CSV of ``df`` led by the :func:`provenance_lines` (version, inputs, settings, units).

    Numbers keep full precision; text fields are always quoted, so a ``#`` or ``,``
    inside a channel name survives; text that a spreadsheet would run as a formula (``=``,
    ``+``, ``-``, ``@``...) gets a leading ``'`` (:func:`emgviz.csvsafe.neutralise`).
    ``pandas.read_csv(io.StringIO(text), comment="#")`` gives the table back.

    Parameters
    ----------
    df : DataFrame
        The table (its index is not written).
    settings : Settings, optional
        Processing settings used to compute it.
    source_name, sha256 : str, optional
        Input file name and the SHA-256 hex digest of its bytes.
    extra : dict, optional
        More provenance lines (``key: value``).
    **provenance
        ``sources``, ``reader_options``, ``units``, ``what``: see :func:`provenance_lines`.

    Returns
    -------
    str

    Examples
    --------
    >>> import io
    >>> t = pd.DataFrame({"channel": ["biceps"], "RMS (µV)": [150.0]})
    >>> text = table_csv(t, settings=Settings(), source_name="a.csv", sha256="00")
    >>> pd.read_csv(io.StringIO(text), comment="#").equals(t)
    True
    """
    head = "\n".join(provenance_lines(settings=settings, source_name=source_name, sha256=sha256, extra=extra,
                                      **provenance))
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
