"""Memory of the real Streamlit server (default EMGVIZ_CACHE_MB) with a 1 h × 16 ch × 2 kHz EDF uploaded in
Chromium: VmRSS and VmHWM (peak) of the server process after the Overview, after each notch change
(50 Hz → Off → 50 Hz → Off), Browse, a Browse page, back to the Overview, the Summary and back.

    python benchmarks/bench_app_memory_server.py ROOT [ROOT ...]

Each checkout (its app.py and emgviz) runs in a server of its own, one after the other. A step ends when the
server has used no CPU for 1.5 s; its seconds are until the last busy moment (coarse: a tenth of a second).
Prints markdown rows (step, s, RSS GB, RSS ratio, peak GB, peak ratio); ratios are (GB − GB before the
upload) ÷ the float64 data. The numbers are in section "app_memory" of RESULTS.md (written by hand).
"""
import os, subprocess, sys, tempfile, time
from pathlib import Path
from playwright.sync_api import sync_playwright

PY = "/work/main/.venv/bin/python"


def status(pid):
    d = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmHWM", "VmRSS"):
            d[k] = int(v.split()[0]) * 1024 / 1e9
    return d


def cpu_s(pid):
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def idle(pg, timeout=300, pid=None):
    """Wait until the server has used no CPU for 1.5 s; the seconds until its last busy moment."""
    t = time.time()
    last_busy, c = t, cpu_s(pid)
    while time.time() - t < timeout:
        time.sleep(0.1)
        c2 = cpu_s(pid)
        if c2 - c > 0.02:
            last_busy = time.time()
        c = c2
        if time.time() - last_busy > 1.5:
            return last_busy - t
    return float("nan")


def run(root: str, edf: Path, port: int):
    env = dict(os.environ, PYTHONPATH=root)
    env.pop("EMGVIZ_CACHE_MB", None)
    srv = subprocess.Popen([PY, "-m", "streamlit", "run", f"{root}/app.py", "--server.port", str(port)],
                           cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    try:
        time.sleep(6)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            pg = b.new_page(viewport={"width": 1440, "height": 1000})
            pg.goto(f"http://127.0.0.1:{port}/", wait_until="networkidle")
            pg.wait_for_selector("div.emgviz-plotly .main-svg", timeout=120000)
            idle(pg, pid=srv.pid)
            sb = pg.locator('[data-testid="stSidebar"]')
            radio = lambda lab: sb.locator('[data-testid="stRadio"] label').filter(has_text=lab).first.click()
            radio("Upload"); idle(pg, pid=srv.pid)
            base = status(srv.pid)["VmRSS"]
            rows.append(("before the upload", 0.0, status(srv.pid)["VmHWM"], base))
            sb.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(edf))
            s = idle(pg, 300, pid=srv.pid)
            rows.append(("first Overview", s, *status(srv.pid).values()))
            for lab in ("50 Hz", "Off", "50 Hz", "Off"):
                radio(lab)
                s = idle(pg, pid=srv.pid)
                rows.append((f"notch {lab}", s, *status(srv.pid).values()))
            radio("Browse"); s = idle(pg, pid=srv.pid); rows.append(("Browse", s, *status(srv.pid).values()))
            pg.get_by_role("button", name="Next ▶").first.click(); s = idle(pg, pid=srv.pid)
            rows.append(("Browse page", s, *status(srv.pid).values()))
            radio("Overview"); s = idle(pg, pid=srv.pid); rows.append(("back to Overview", s, *status(srv.pid).values()))
            radio("Summary"); s = idle(pg, 600, pid=srv.pid); rows.append(("Summary", s, *status(srv.pid).values()))
            radio("Overview"); s = idle(pg, pid=srv.pid); rows.append(("back to Overview", s, *status(srv.pid).values()))
            b.close()
    finally:
        srv.terminate(); srv.wait()
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from emgviz import write_file
    from bench_browser import synthetic
    with tempfile.TemporaryDirectory() as tmp:
        edf = Path(tmp) / "long.edf"
        rec = synthetic(seconds=3600)
        f64 = rec.data.nbytes / 1e9
        write_file(rec, edf)
        del rec
        for k, root in enumerate(sys.argv[1:]):
            print(f"== {root}  {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}", flush=True)
            rows = run(root, edf, 8650 + k)
            base = rows[0][3]
            for label, s, hwm, rss in rows:  # /proc/PID/status lists VmHWM before VmRSS
                print(f"| {label} | {s:.1f} | {rss:.2f} | {(rss - base) / f64:.2f}× | {hwm:.2f} | {(hwm - base) / f64:.2f}× |", flush=True)
