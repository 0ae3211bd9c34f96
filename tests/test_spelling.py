"""One spelling rule for public names: British (normalise, colour, centre, artefact, analyse).

The American spellings that were already public stay importable as aliases (listed here);
a new public name in American spelling fails this test.
"""

import ast
import re
import warnings
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "emgviz"
AMERICAN = re.compile(r"color|normaliz|center|artifact|analyz|behavior|favor|modeling|labeled", re.I)
#: Old public spellings kept as aliases of their British names: (module, old) -> new.
ALIASES = {("emgviz.plotting.compare", "session_colors"): "session_colours",
           ("emgviz.plotting.style", "TRACE_COLOR"): "TRACE_COLOUR",
           ("emgviz.plotting.style", "ENVELOPE_COLOR"): "ENVELOPE_COLOUR"}
#: American names in modules another helper was rewriting in this round (#15): to be given a
#: British name (and kept as aliases) when that module is next touched.
PENDING = {("emgviz.plotting.browser", n) for n in ("GRID_COLOR", "EVENT_COLOR", "MARKER_COLOR", "BASELINE_COLOR")}
#: Old module spellings kept as deprecated alias modules.
ALIAS_MODULES = {"normalize.py": "normalise.py"}


def _public_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and not target.id.startswith("_"):
                    names.add(target.id)
    return names


def test_public_names_are_british_except_the_kept_aliases():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if AMERICAN.search(path.name) and path.name not in ALIAS_MODULES:
            offenders.append(rel)
        module = "emgviz." + rel[:-3].replace("/", ".").removesuffix(".__init__")
        for name in _public_names(ast.parse(path.read_text(encoding="utf-8"))):
            if AMERICAN.search(name) and (module, name) not in ALIASES and (module, name) not in PENDING:
                offenders.append(f"{rel}: {name}")
    assert not offenders, f"use British spelling for public names (or add a kept alias): {offenders}"


def test_the_kept_aliases_are_the_british_objects():
    import importlib

    for (module, old), new in ALIASES.items():
        mod = importlib.import_module(module)
        assert getattr(mod, old) is getattr(mod, new)


def test_the_old_normalize_module_warns_and_gives_the_same_functions():
    import importlib
    import sys

    import emgviz.normalise as new
    sys.modules.pop("emgviz.normalize", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("emgviz.normalize")
    assert any(issubclass(w.category, DeprecationWarning) and "emgviz.normalise" in str(w.message) for w in caught)
    for name in new.__all__:
        assert getattr(old, name) is getattr(new, name)
