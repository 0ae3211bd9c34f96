"""Real-browser fixtures: `streamlit run app.py` on a free loopback port, Debian's Chromium via Playwright.

Skips with a reason when Chromium is missing, unless EMGVIZ_REQUIRE_BROWSER=1 (set by .ci/run),
in which case a missing browser fails the run instead of hiding it.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
SHOTS = ROOT / "shots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log_path: Path, extra_env: dict | None = None, base_path: str = ""):
    """Start streamlit on a free port; return (process, url). Waits for /_stcore/health (under
    ``base_path``, e.g. ``"/emg"`` when STREAMLIT_SERVER_BASE_URL_PATH is set)."""
    port = _free_port()
    log = log_path.open("w")
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "STREAMLIT_SERVER_HEADLESS": "true",
           "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", "STREAMLIT_CLIENT_TOOLBAR_MODE": "minimal",
           **(extra_env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
                             "--server.address", "127.0.0.1"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited rc={proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url + base_path + "/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"streamlit not healthy after 90 s; see {log_path}")
        time.sleep(0.2)
    return proc, url, log


def stop_server(proc, log):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="session")
def streamlit_url(tmp_path_factory):
    proc, url, log = start_server(tmp_path_factory.mktemp("st") / "server.log")
    yield url
    stop_server(proc, log)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        if os.environ.get("EMGVIZ_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} missing but EMGVIZ_REQUIRE_BROWSER=1: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} missing: apt-get install -y chromium to run the browser tests")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROME_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1100}}


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(exist_ok=True)
    return SHOTS


#: A Plotly chart of either kind: ``st.plotly_chart`` or the mounted component (views/plotly_component.py).
CHART = '[data-testid="stPlotlyChart"], div.emgviz-plotly'
#: ... once it has drawn.
CHART_SVG = '[data-testid="stPlotlyChart"] .main-svg, div.emgviz-plotly .main-svg'

RENDERED_JS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid^=stSkeleton], [data-testid=stAppSkeleton]')) return false;
  return [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
    .filter(c => c.offsetParent !== null).every(c => c.querySelector('.main-svg'))
    && [...document.querySelectorAll('div.emgviz-plotly')]
    .filter(c => c.offsetParent !== null).every(c => c.dataset.pending === '0' && c.querySelector('.main-svg'))
    && [...document.querySelectorAll('canvas.emgviz-spec')].every(c => c.dataset.drawn);
}"""


def wait_rendered(page, timeout=60_000):
    """Wait until the script finished, every visible Plotly chart drew and every Teach canvas painted
    (call after expect-ing new content)."""
    page.wait_for_function(RENDERED_JS, timeout=timeout)
