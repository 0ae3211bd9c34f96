"""The README's command-line examples run exactly as written (``.venv/bin/python`` → this interpreter)."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PREFIX = ".venv/bin/python -m emgviz"


def readme_commands() -> list[str]:
    """Every line of a ```sh block in the README that calls the CLI, comments removed."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith(PREFIX):
                out.append(line.split("  #", 1)[0].strip())
    return out


def test_the_readme_has_cli_examples_and_they_name_files_that_exist():
    cmds = readme_commands()
    assert len(cmds) >= 6
    for cmd in cmds:
        for word in shlex.split(cmd):
            if word.startswith("sample_data/"):
                assert (ROOT / word).exists(), f"README example names a missing file: {cmd}"


@pytest.mark.parametrize("cmd", readme_commands())
def test_readme_example_runs_as_written(cmd, tmp_path):
    # a fresh clone's layout: the repository root as the working directory; outputs go to a tmp copy
    argv = [sys.executable, *shlex.split(cmd)[1:]]
    for flag in ("-o", "--out", "--root"):
        if flag in argv:
            i = argv.index(flag) + 1
            argv[i] = str(tmp_path / argv[i])
    r = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"{cmd}\n{r.stderr}"
    assert "Traceback" not in r.stderr and "error" not in r.stderr.lower()
    if " features " in cmd:
        assert r.stdout.startswith("# emgviz") and "sha256" in r.stdout
