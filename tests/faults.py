"""Run a real entry point until it reaches a fault point (``warmth.faults``), then SIGKILL it.

The process announces the point on a loopback socket and waits there; the
test kills its whole process group (every rank, every loader worker) on that
message. Nothing waits on a clock: ``timeout`` only ends a run that hangs.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def run_until(point: str, module: str, *args: str, log: Path, timeout: int = 1800) -> None:
    """``python -m module args`` until it reaches ``point``; SIGKILLed there. Fails if it ends first."""
    with socket.create_server(("127.0.0.1", 0)) as server, log.open("wb") as out:
        env = dict(os.environ, WARMTH_FAULT=f"{point}@{server.getsockname()[1]}")
        proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=str(REPO), env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        pidfd = os.pidfd_open(proc.pid)
        try:
            ready, _, _ = select.select([server, pidfd], [], [], timeout)
            reached = b""
            if server in ready:
                conn, _ = server.accept()
                with conn:
                    reached = conn.makefile("rb").readline().strip()
        finally:
            os.close(pidfd)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert reached == point.encode(), f"the run ended before {point}:\n{log.read_text()[-4000:]}"
    assert proc.returncode == -signal.SIGKILL
