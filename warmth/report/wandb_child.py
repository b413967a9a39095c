"""Run a W&B public-API call in a child process that cannot hang its caller's exit.

wandb 0.31 stops its ``wandb-core`` service in an exit hook and waits for it
without a bound. After a request that ran past its timeout (an unreachable or
slow server), that wait sometimes never ends: the fetch's error is printed, then
the process stays alive with an idle ``wandb-core`` (seen about once in seven
tries against a dead port). So the call runs in a child, which sends back its
result or its error and leaves with ``os._exit``, skipping the hook. Its
``wandb-core`` exits on its own once the child is gone. A read through the
public API has nothing to flush, so skipping the hook loses nothing.

The child is ``python -m warmth.report.wandb_child``, not a ``multiprocessing``
one: spawning would re-run the caller's main script, which a researcher's script
without a ``__main__`` guard does not survive.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Any


def call_in_child(fn: Callable, /, *args: Any) -> Any:
    """``fn(*args)`` in a child process; its return value, or its exception raised here.

    ``fn`` and ``args`` must pickle (a module-level function and plain data).
    """
    read_end, write_end = os.pipe()
    env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # the caller's imports resolve
    with subprocess.Popen([sys.executable, "-m", __name__, str(write_end)], stdin=subprocess.PIPE, bufsize=0,
                          pass_fds=(write_end,), env=env) as proc:
        os.close(write_end)  # the child holds the only write end: the read ends when it does
        with os.fdopen(read_end, "rb") as answer:
            try:
                proc.stdin.write(pickle.dumps((fn, args)))
                proc.stdin.close()
            except BrokenPipeError:  # the child died at start; its empty answer says so below
                pass
            data = answer.read()
    if not data:
        raise RuntimeError(f"the W&B child process died without an answer (exit code {proc.returncode})")
    try:
        ok, value = pickle.loads(data)
    except Exception as exc:  # noqa: BLE001 - an answer that does not unpickle here
        raise RuntimeError(f"the W&B child's answer could not be read ({type(exc).__name__}: {exc})") from None
    if not ok:
        raise value
    return value


def _answer(fd: int) -> None:
    """The child: run the pickled call from stdin, write the outcome to ``fd``, leave without exit hooks."""
    try:
        fn, args = pickle.load(sys.stdin.buffer)
        try:
            outcome = (True, fn(*args))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            outcome = (False, exc)
        try:
            data = pickle.dumps(outcome)
        except Exception as exc:  # noqa: BLE001 - an error that does not pickle still says what it was
            data = pickle.dumps((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} ({exc})")))
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    _answer(int(sys.argv[1]))
