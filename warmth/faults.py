"""Named fault points, so kill tests stop a real run exactly where they mean to.

With ``WARMTH_FAULT=<point>@<port>`` in the environment, a process reaching
``<point>`` sends the point's name to ``127.0.0.1:<port>`` and then waits
until it is killed: the test kills it on that message, not after a delay,
and the run cannot finish first. Points:

- ``step=<n>``: optimizer step ``n`` is done and logged; the next batch has
  not started (rank 0 sends; every rank waits).
- ``save:staged:<name>``: checkpoint ``<name>`` is written and synced under its
  staging name, not yet renamed into place.
- ``save:swap:<name>``: the previous ``<name>`` folder has been moved aside and
  the new one not yet renamed in.

Unset (always, outside tests) :func:`reach` returns at once and no callback
is added to the trainer.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

ENV = "WARMTH_FAULT"


def _armed() -> tuple[str, int] | None:
    value = os.environ.get(ENV)
    if not value:
        return None
    point, _, port = value.rpartition("@")
    return point, int(port)


def reach(point: str, announce: bool = True) -> None:
    """Announce ``point`` and wait to be killed, if the environment names it; else return."""
    armed = _armed()
    if armed is None or armed[0] != point:
        return
    if announce:
        with socket.create_connection(("127.0.0.1", armed[1])) as conn:
            conn.sendall(point.encode() + b"\n")
    threading.Event().wait()


def fault_callbacks() -> list[Any]:
    """The trainer callback for a ``step=<n>`` point, when one is armed (Lightning imported only then)."""
    armed = _armed()
    if armed is None or not armed[0].startswith("step="):
        return []
    from lightning import Callback

    class StepFault(Callback):
        def on_train_batch_start(self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int) -> None:
            reach(f"step={trainer.global_step}", announce=trainer.is_global_zero)

    return [StepFault()]
