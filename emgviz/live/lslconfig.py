"""Keep Lab Streaming Layer (LSL) on this machine: a loopback-only liblsl configuration.

liblsl's default configuration announces and looks for streams by multicast on the local
network (``ResolveScope = site``). emgviz instead writes a configuration that confines
discovery to 127.0.0.1 and points liblsl at it, *before* liblsl reads its configuration
(once per process, at the first LSL call), in every process that uses LSL:

- ``LSLAPICFG`` is set in ``os.environ``, so child processes (``python -m emgviz stream``
  started by the app or a test, any other LSL program started from this one) inherit it;
  liblsl reads ``LSLAPICFG`` ahead of ``lsl_api.cfg`` in the working directory,
  ``~/lsl_api/lsl_api.cfg`` and ``/etc/lsl_api/lsl_api.cfg``.
- the same text is handed to liblsl with ``pylsl.set_config_content``, which liblsl reads
  before any file.

The configuration (keys from liblsl's ``api_config.cpp``)::

    [ports]
    IPv6 = disable                      # no IPv6 sockets at all
    [multicast]
    ResolveScope = machine              # time-to-live 0: no multicast leaves the host
    AddressesOverride = {127.0.0.1}     # resolve queries go to 127.0.0.1 only
    ListenAddress = 127.0.0.1           # the outlet's discovery responder binds 127.0.0.1
    Interfaces = {127.0.0.1}            # multicast interface: loopback
    [lab]
    KnownPeers = {127.0.0.1}            # unicast discovery: this machine only

What this does not change (liblsl 1.18 has no key for it): an outlet's TCP data port and its
UDP time-service port are bound to the wildcard address (0.0.0.0). No emgviz process ever
sends them a packet from or to another host, but a host on the network that already knew the
port could connect unless a firewall stops it.

Opting out: ``--lan`` on the command line, or the environment variable ``EMGVIZ_LSL_LAN=1``,
leaves liblsl's own configuration (its defaults, or your ``LSLAPICFG``) untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["LOOPBACK_CONFIG", "LAN_ENV", "configure_lsl", "lsl", "config_path", "lan_requested", "mode"]

#: The loopback-only liblsl configuration emgviz uses unless LAN mode is asked for.
LOOPBACK_CONFIG = """\
; emgviz: keep Lab Streaming Layer on this machine (loopback only).
; Written by emgviz.live.lslconfig; LSLAPICFG points here. Use --lan or EMGVIZ_LSL_LAN=1 to opt out.
[ports]
IPv6 = disable

[multicast]
ResolveScope = machine
AddressesOverride = {127.0.0.1}
ListenAddress = 127.0.0.1
Interfaces = {127.0.0.1}

[lab]
KnownPeers = {127.0.0.1}

[log]
level = -2
"""

#: Environment variable that, set to 1/true/yes, lets LSL use the local network.
LAN_ENV = "EMGVIZ_LSL_LAN"

_state: dict = {"mode": None}


def lan_requested(lan: bool = False) -> bool:
    """True when ``lan`` is set or ``EMGVIZ_LSL_LAN`` is 1/true/yes."""
    return bool(lan) or os.environ.get(LAN_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def config_path() -> Path:
    """Where the loopback configuration is written (per user, in the temp directory)."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"emgviz-lsl-{uid}" / "lsl_api.cfg"


def _write_config() -> Path:
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != LOOPBACK_CONFIG:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(LOOPBACK_CONFIG)
        os.replace(tmp, path)
    return path


def configure_lsl(*, lan: bool = False) -> Path | None:
    """Make this process and its children use the loopback-only LSL configuration.

    Writes the configuration file and sets ``LSLAPICFG``; it does not import pylsl, so the
    test suite and the app can call it first thing. :func:`lsl` calls it, then hands the same
    text to liblsl. Calling again is harmless.

    Parameters
    ----------
    lan : bool, default=False
        True (or ``EMGVIZ_LSL_LAN=1``): leave liblsl's configuration alone (network discovery).

    Returns
    -------
    Path or None
        The configuration file in use, or None in LAN mode.

    Raises
    ------
    RuntimeError
        When LSL was already configured in this process in the other mode (liblsl reads its
        configuration once per process).
    """
    mode = "lan" if lan_requested(lan) else "loopback"
    if _state["mode"] is not None and _state["mode"] != mode:
        raise RuntimeError(f"LSL was already configured for {_state['mode']} in this process; "
                           f"start a new process to switch to {mode}")
    _state["mode"] = mode
    if mode == "lan":
        return None
    path = _write_config()
    os.environ["LSLAPICFG"] = str(path)
    return path


def lsl(*, lan: bool = False):
    """The ``pylsl`` module, loopback-only unless ``lan``. emgviz uses LSL only through this."""
    configure_lsl(lan=lan)
    import pylsl

    if _state["mode"] == "loopback" and not _state.get("content_set"):
        pylsl.set_config_content(LOOPBACK_CONFIG)  # read by liblsl before any file
        _state["content_set"] = True
    return pylsl


def mode() -> str | None:
    """``"loopback"``, ``"lan"`` or None (not configured yet) for this process."""
    return _state["mode"]
