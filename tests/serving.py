"""A real OpenAI-compatible server for tests: `transformers serve` on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def transformers_serve(model_dir: str) -> Iterator[str]:
    """Start the server on a free loopback port; yields its ``/v1`` base URL once it listens.

    Readiness is the server's own word, read from its stderr as it comes (uvicorn logs
    "Uvicorn running on ..." once the socket is bound), not a polled clock.
    """
    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        pytest.skip("transformers[serving] is not installed")
    port = free_port()
    cli = Path(sys.executable).parent / "transformers"
    proc = subprocess.Popen([str(cli), "serve", model_dir, "--host", "127.0.0.1", "--port", str(port),
                             "--device", "cpu"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    try:
        seen = []
        for line in proc.stderr:  # ends when the server exits without ever listening
            seen.append(line)
            if f"Uvicorn running on http://127.0.0.1:{port}" in line:
                break
        else:
            raise AssertionError("transformers serve exited before listening:\n" + "".join(seen)[-2000:])
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
