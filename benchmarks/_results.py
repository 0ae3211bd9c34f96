"""Write one benchmark's section of benchmarks/RESULTS.md, leaving the others in place; what each section states
about the run (the machine, its load, the checkout measured)."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = ("# Benchmark results\n\nEach section is rewritten by its script (`python benchmarks/<name>.py`); "
          "ratios inside a section come from one run, side by side.\n")


def machine() -> str:
    return (f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
            f"{platform.machine()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def uptime() -> str:
    """The machine's load as ``uptime`` prints it (the load average where there is no ``uptime``)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"load average {os.getloadavg()[0]:.2f}"


def git_label(root: Path) -> str:
    """The branch and short commit of the checkout at ``root`` ("detached <commit>" off a branch)."""
    try:
        branch, commit = (subprocess.run(["git", "-C", str(root), "rev-parse", *a], capture_output=True, text=True,
                                         check=True).stdout.strip()
                          for a in (["--abbrev-ref", "HEAD"], ["--short", "HEAD"]))
        return f"{branch} {commit}" if branch != "HEAD" else f"detached {commit}"
    except (OSError, subprocess.CalledProcessError):
        return Path(root).name


def write_section(name: str, markdown: str) -> None:
    """Replace the section between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    block = f"<!-- {name}:start -->\n{markdown.strip()}\n<!-- {name}:end -->"
    pattern = re.compile(rf"<!-- {re.escape(name)}:start -->.*?<!-- {re.escape(name)}:end -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text)
