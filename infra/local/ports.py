"""Is a port really taken, and by whom.

The local stack's servers bind with SO_REUSEADDR (Python's HTTP servers and werkzeug do), so a port whose
last connections are still in TIME-WAIT after a stop can be bound again at once. The start-up check has to
be no stricter than the servers: it probes with SO_REUSEADDR too, and so answers "in use" only when a
socket really listens. It then names the process that listens, when Linux's /proc can say.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

_LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp


def is_free(host: str, port: int) -> bool:
    """True when the stack's servers could bind host:port now (TIME-WAIT entries do not count)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _listening_inodes(port: int, proc: Path) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        path = proc / "net" / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if len(fields) > 9 and fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def who_listens(port: int, proc: Path = Path("/proc")) -> str | None:
    """'pid 1234: python -m infra.cli dev' for the process listening on `port`, or None when unknown."""
    inodes = _listening_inodes(port, proc)
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for pid_dir in proc.iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            fds = list((pid_dir / "fd").iterdir())
            if any(os.readlink(fd) in targets for fd in fds):
                command = (pid_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                return f"pid {pid_dir.name}: {command.strip()[:120]}"
        except OSError:
            continue  # a process that ended, or one we may not look into
    return None


def in_use_message(host: str, port: int) -> str:
    owner = who_listens(port)
    held = f" by {owner}" if owner else ""
    return (
        f"Port {port} on {host} is in use{held}. Stop it, or set PORT/MOTO_PORT/STRIPE_PORT to other ports."
    )
