"""Live mode over real Lab Streaming Layer on loopback: `stream` and `record` as real processes.

Every process here (pytest and its children) uses emgviz's loopback-only LSL configuration
(tests/conftest.py sets LSLAPICFG before anything loads liblsl); no packet leaves 127.0.0.1.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

import emgviz
from emgviz.live.lsl import StreamNotFound, channel_metadata, find_stream
from emgviz.live.lslconfig import LOOPBACK_CONFIG, config_path, configure_lsl, lsl
from emgviz.live.record import record_lsl

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
NAMES = ["biceps_L", "triceps L", "deltoid"]


def _emgviz(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "emgviz", *map(str, args)], env=kw.pop("env", ENV), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _wait_line(proc, startswith, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(startswith):
            return line
        if not line and proc.poll() is not None:
            raise AssertionError(f"process ended rc={proc.returncode}: {proc.stderr.read()}")
    raise AssertionError(f"no line starting {startswith!r} within {timeout} s")


@pytest.fixture(scope="module")
def source_file(tmp_path_factory):
    rng = np.random.default_rng(17)
    rec = emgviz.Recording(rng.normal(0, 3e-4, (3, 3000)), fs=1000.0, ch_names=NAMES)  # distinct values
    path = tmp_path_factory.mktemp("lsl") / "src.npz"
    emgviz.write_file(rec, path)
    return path


@pytest.fixture(scope="module")
def stream(source_file):
    """`python -m emgviz stream SRC --name NAME --loop` for the whole module; Ctrl+C at the end."""
    name = f"emgviz-test-{os.getpid()}"
    proc = _emgviz("stream", source_file, "--name", name, "--loop", "--chunk-ms", "10")
    try:
        line = _wait_line(proc, "streaming")
        assert f"'{name}'" in line and "3 ch @ 1000 Hz" in line
        yield name, proc
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl+C
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped after" in out and "Traceback" not in err


def _aligned(received: np.ndarray, source: np.ndarray) -> np.ndarray:
    """The source (float32 values, looped) at the position where ``received`` starts."""
    s32 = source.astype(np.float32).astype(np.float64)
    starts = np.flatnonzero((s32 == received[:, :1]).all(axis=0))
    assert len(starts) == 1, "the first recorded sample must match exactly one source sample"
    idx = (starts[0] + np.arange(received.shape[1])) % source.shape[1]
    return s32[:, idx]


# ---- the loopback configuration ------------------------------------------------------------------
def test_the_loopback_configuration_is_written_and_inherited_by_children():
    path = configure_lsl()
    assert path == config_path() and path.read_text() == LOOPBACK_CONFIG
    for line in ("IPv6 = disable", "ResolveScope = machine", "AddressesOverride = {127.0.0.1}",
                 "KnownPeers = {127.0.0.1}"):
        assert line in LOOPBACK_CONFIG
    assert os.environ["LSLAPICFG"] == str(path)
    child = subprocess.run([sys.executable, "-c", "import os; print(os.environ['LSLAPICFG'])"],
                           env=dict(os.environ), capture_output=True, text=True, check=True)
    assert child.stdout.strip() == str(path)


def test_lan_opt_out_leaves_liblsl_configuration_alone():
    env = {k: v for k, v in ENV.items() if k != "LSLAPICFG"}
    code = ("import os; from emgviz.live.lslconfig import configure_lsl, mode; "
            "print(configure_lsl(), os.environ.get('LSLAPICFG'), mode())")
    out = subprocess.run([sys.executable, "-c", code], env={**env, "EMGVIZ_LSL_LAN": "1"}, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["None", "None", "lan"]
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[1] == out[0] and out[2] == "loopback"


def test_stream_process_sockets_stay_on_loopback(stream):
    """The outlet's discovery responder binds 127.0.0.1, no IPv6 socket exists, nothing talks to another host.

    liblsl binds the data (TCP) and time (UDP) service ports to 0.0.0.0 whatever the
    configuration says (documented in emgviz.live.lslconfig); every other socket is loopback.
    """
    _, proc = stream
    conns = psutil.Process(proc.pid).net_connections(kind="inet")
    assert conns, "the stream process has LSL sockets"
    assert all(c.family == socket.AF_INET for c in conns), "IPv6 = disable: no IPv6 socket"
    responders = [c for c in conns if c.type == socket.SOCK_DGRAM and c.laddr.port == 16571]
    assert responders and all(c.laddr.ip == "127.0.0.1" for c in responders)
    assert all(c.laddr.ip in ("127.0.0.1", "0.0.0.0") for c in conns)
    assert all(not c.raddr or c.raddr.ip == "127.0.0.1" for c in conns)


# ---- stream: metadata and values -----------------------------------------------------------------
def test_stream_describes_channels_in_the_lsl_layout(stream):
    name, _ = stream
    pylsl = lsl()
    inlet = pylsl.StreamInlet(find_stream(name, timeout_s=30))
    info = inlet.info(timeout=10)
    assert info.nominal_srate() == 1000.0 and info.channel_count() == 3 and info.type() == "EMG"
    assert info.channel_format() == pylsl.cf_float32
    ch = info.desc().child("channels").child("channel")
    got = []
    while not ch.empty():
        got.append((ch.child_value("label"), ch.child_value("unit"), ch.child_value("type")))
        ch = ch.next_sibling("channel")
    assert got == [(n, "V", "EMG") for n in NAMES]
    assert channel_metadata(info) == (tuple(NAMES), ("V",) * 3, ("emg",) * 3)
    inlet.close_stream()


def test_record_cli_round_trip_is_exact_for_npz(stream, source_file, tmp_path):
    name, _ = stream
    out = tmp_path / "rec.npz"
    proc = _emgviz("record", "--lsl", name, "--seconds", "2.5", "--out", out)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "2500 samples" in stdout and "lost 0" in stdout and "complete" in stdout
    rec = emgviz.read_file(out)
    src = emgviz.read_file(source_file)
    assert rec.ch_names == tuple(NAMES) and rec.fs == 1000.0 and rec.n_samples == 2500
    assert rec.ch_units == ("V",) * 3 and rec.meta["samples_lost"] == 0
    np.testing.assert_array_equal(rec.data, _aligned(rec.data, src.data))  # none lost, doubled or altered


@pytest.mark.parametrize("suffix", [".csv", ".edf"])
def test_record_to_csv_and_edf_reads_back_within_the_format_resolution(stream, source_file, tmp_path, suffix):
    name, _ = stream
    result = record_lsl(name, 1.0, tmp_path / f"rec{suffix}", timeout_s=30)
    assert result.complete and result.n_samples == 1000 and result.lost == 0
    rec = emgviz.read_file(result.path)
    assert rec.ch_names == tuple(NAMES) and rec.fs == 1000.0 and rec.n_samples == 1000
    src = emgviz.read_file(source_file).data
    s32 = src.astype(np.float32).astype(np.float64)
    # align on the sample nearest to the first recorded one (EDF rounds values)
    start = int(np.argmin(np.abs(s32 - rec.data[:, :1]).sum(axis=0)))
    expected = s32[:, (start + np.arange(1000)) % src.shape[1]]
    if suffix == ".csv":
        np.testing.assert_array_equal(rec.data, expected)  # full float64 precision text
    else:
        step = (expected.max(axis=1) - expected.min(axis=1)) / 65535  # one 16-bit EDF step per channel
        assert np.all(np.abs(rec.data - expected) <= step[:, None] * 1.01)


# ---- errors and stopping -------------------------------------------------------------------------
def test_record_without_such_a_stream_says_how_to_start_one(tmp_path):
    with pytest.raises(StreamNotFound, match=r"no LSL stream named 'nobody-streams-this'.*emgviz stream FILE"):
        record_lsl("nobody-streams-this", 1.0, tmp_path / "x.npz", timeout_s=0.5)
    assert not (tmp_path / "x.npz").exists()


def test_record_rejects_an_unknown_suffix_before_waiting(tmp_path):
    proc = _emgviz("record", "--lsl", "whatever", "--seconds", "1", "--out", tmp_path / "x.txt")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "must end in one of" in err and ".npz" in err and "Traceback" not in err


def test_stream_without_loop_ends_after_the_file(tmp_path):
    path = tmp_path / "short.npz"
    emgviz.write_file(emgviz.Recording(np.zeros((1, 300)), fs=1000, ch_names=["m"]), path)
    proc = _emgviz("stream", path, "--name", f"short-{os.getpid()}")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "stopped after 300 samples (0.300 s)" in out


def test_ctrl_c_stops_a_stream_started_with_sigint_ignored(source_file):
    """`emgviz stream … &` in a shell script starts with SIGINT ignored; Ctrl+C (SIGINT) must still stop it."""
    proc = _emgviz("stream", source_file, "--name", f"emgviz-ignint-{os.getpid()}", "--loop",
                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        _wait_line(proc, "streaming")
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stopped after" in out and "Traceback" not in err
