"""``import emgviz`` and ``python -m emgviz --help`` load no heavy library; names still resolve on use."""

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "pandas", "scipy", "plotly", "streamlit")


def _loaded_after(code: str) -> list[str]:
    probe = code + f"\nimport sys, json; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_import_emgviz_loads_no_heavy_library():
    assert _loaded_after("import emgviz") == []


def test_help_parses_without_heavy_libraries():
    code = ("import contextlib, io\nfrom emgviz.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try: main(['--help'])\n    except SystemExit: pass")
    assert _loaded_after(code) == []


def test_public_names_resolve_lazily_and_only_their_modules():
    loaded = _loaded_after("import emgviz; emgviz.Settings; emgviz.NeedsSamplingRate")
    assert "pandas" not in loaded and "plotly" not in loaded and "streamlit" not in loaded
    assert set(_loaded_after("import emgviz; emgviz.read_file")) >= {"numpy", "pandas"}


def test_every_public_name_is_importable_and_unknown_names_say_so():
    import emgviz

    for name in emgviz.__all__:
        assert getattr(emgviz, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        emgviz.nope  # noqa: B018
    assert "read_file" in dir(emgviz)
