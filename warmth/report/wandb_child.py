"""Run a W&B public-API call in a child process that cannot hang its caller's exit.

wandb 0.31 stops its ``wandb-core`` service in an exit hook and waits for it
without a bound. After a request that ran past its timeout (an unreachable or
slow server), that wait sometimes never ends: the fetch's error is printed, then
the process stays alive with an idle ``wandb-core`` (seen about once in seven
tries against a dead port). So the call runs in a spawned child, which sends
back its result or its error and leaves with ``os._exit``, skipping the hook.
Its ``wandb-core`` exits on its own once the child is gone. A read through the
public API has nothing to flush, so skipping the hook loses nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from typing import Any


def _child(conn, fn: Callable, args: tuple) -> None:
    try:
        try:
            outcome = (True, fn(*args))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            outcome = (False, exc)
        try:
            conn.send(outcome)
        except Exception as exc:  # noqa: BLE001 - an error that does not pickle still says what it was
            conn.send((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} ({exc})")))
        conn.close()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def call_in_child(fn: Callable, /, *args: Any) -> Any:
    """``fn(*args)`` in a spawned process; its return value, or its exception raised here.

    ``fn`` and ``args`` must pickle (a module-level function and plain data).
    """
    ctx = multiprocessing.get_context("spawn")  # fork would copy the caller's threads and locks
    ours, theirs = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(theirs, fn, args), name="warmth-wandb", daemon=True)
    proc.start()
    theirs.close()  # the child holds the only write end: recv() ends when it does
    try:
        ok, value = ours.recv()
    except EOFError:
        proc.join()
        raise RuntimeError(f"the W&B child process died without an answer (exit code {proc.exitcode})") from None
    except Exception as exc:  # noqa: BLE001 - an answer that does not unpickle here
        raise RuntimeError(f"the W&B child's answer could not be read ({type(exc).__name__}: {exc})") from None
    finally:
        ours.close()
    proc.join()
    if not ok:
        raise value
    return value
