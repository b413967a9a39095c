"""Runs a module as ``__main__`` and parks it for good after one function's n-th return.

``python -m tests.stop_at MODULE:QUALNAME N TARGET [ARGS...]`` wraps
``MODULE.QUALNAME``; once it has returned N times the process prints
:data:`STOPPED` on stdout and blocks reading stdin. A test that reads that
line knows exactly how much work is done when it sends SIGKILL: the stand-in
for a held server request where a run makes no requests (local models).
"""

from __future__ import annotations

import importlib
import runpy
import subprocess
import sys
from pathlib import Path

STOPPED = "tests.stop_at: stopped"


def launch(where: str, n: int, module: str, *args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start ``python -m module args`` that parks after ``where``'s n-th return."""
    return subprocess.Popen([sys.executable, "-m", "tests.stop_at", where, str(n), module, *args],
                            cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def wait_stopped(proc: subprocess.Popen) -> tuple[bool, str]:
    """Block on the child's output until it has parked (True) or exited (False); and the output."""
    seen = []
    for line in proc.stdout:  # both streams, read as they come: neither pipe can fill up
        seen.append(line)
        if line.rstrip("\n").endswith(STOPPED):
            return True, "".join(seen)
    return False, "".join(seen)


def _wrap(where: str, n: int) -> None:
    mod_name, qualname = where.split(":")
    owner = importlib.import_module(mod_name)
    *path, name = qualname.split(".")
    for part in path:
        owner = getattr(owner, part)
    real = getattr(owner, name)
    count = 0

    def parked(*args, **kwargs):
        nonlocal count
        out = real(*args, **kwargs)
        count += 1
        if count == n:
            print("\n" + STOPPED, flush=True)
            sys.stdin.read()  # the test never writes: blocks until it kills us
        return out

    setattr(owner, name, parked)


def main() -> None:
    where, n, target, *args = sys.argv[1:]
    _wrap(where, int(n))
    sys.argv = [target, *args]
    runpy.run_module(target, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
