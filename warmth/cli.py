"""Runs a Hydra app so that user mistakes end in one clear line.

Hydra normally prints several lines (or a trimmed traceback) for a bad
override. We let exceptions reach us (``HYDRA_FULL_ERROR=1``) and print
``error: ...`` once for config problems and :class:`WarmthError`; real
bugs keep their full traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable

from omegaconf.errors import OmegaConfBaseException

from warmth.errors import WarmthError


def _one_line(exc: BaseException) -> str:
    parts = []
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        # OmegaConf appends "full_key: ... object_type=..." context; keep the key.
        text = text.replace("    ", " ")
        if text and text not in parts:
            parts.append(text)
        exc = exc.__cause__ or exc.__context__
    return " | ".join(parts)[:600]


def _is_config_error(exc: BaseException) -> bool:
    from hydra.errors import HydraException

    return isinstance(exc, (HydraException, OmegaConfBaseException))


class _QuietJobErrors:
    """stderr that drops Hydra's "Error executing job with overrides" preamble.

    We print our own one-line error instead; everything else passes through.
    """

    PREFIX = "Error executing job with overrides:"

    def __init__(self, stream):
        self._stream = stream
        self.at_line_start = True  # False while a progress bar's "\r..." line is open

    def write(self, text: str) -> int:
        if text.startswith(self.PREFIX):
            return len(text)
        if text:
            self.at_line_start = text.endswith("\n")
        return self._stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _close_progress_bars() -> None:
    """End any progress bar the failed run left open, so it cannot redraw after the error line."""
    tqdm = sys.modules.get("tqdm")
    for bar in list(getattr(getattr(tqdm, "tqdm", None), "_instances", ()) or ()):
        with contextlib.suppress(Exception):  # best effort: the error line matters more
            bar.close()


def report(exc: BaseException) -> None:
    """Print ``error: ...`` on a line of its own (never after a progress bar's text)."""
    _close_progress_bars()
    sys.stdout.flush()  # what the run printed comes first
    stream = sys.stderr
    if not getattr(stream, "at_line_start", True):
        stream.write("\n")
    print(f"error: {_one_line(exc)}", file=stream)


def run(app: Callable[[], object]) -> None:
    """Call a ``@hydra.main`` function and translate user errors."""
    os.environ.setdefault("HYDRA_FULL_ERROR", "1")
    sys.stderr = _QuietJobErrors(sys.stderr)
    try:
        app()
    except WarmthError as exc:
        report(exc)
        sys.exit(2)
    except Exception as exc:
        if _is_config_error(exc):
            report(exc)
            sys.exit(2)
        raise
