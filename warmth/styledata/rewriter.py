"""The rewriter-backend plugin interface (built-ins: ``warmth_plugins.rewriters``).

A backend turns chat requests into text. It does not know about caching,
resuming or datasets; the engine (``warmth.styledata.engine``) does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from warmth.errors import WarmthError


@dataclass
class Request:
    id: str  # conversation id
    turn: int  # index of the assistant message in the conversation
    key: str  # cache key (instruction hash, model, temperature, settings, input)
    messages: list[dict[str, str]]  # what the model sees
    source_text: str  # the reply being rewritten (for length budgets)


@dataclass
class Result:
    request: Request
    text: str | None = None
    error: str | None = None  # a per-request failure: counted, the run goes on
    retried: int = 0


class RewriterUnavailable(WarmthError):
    """The backend cannot serve any request (no key, server unreachable): stop the run."""


@runtime_checkable
class Rewriter(Protocol):
    model_id: str  # identity used in cache keys and the manifest
    temperature: float

    def settings(self) -> dict[str, Any]:
        """Generation settings that change outputs (they join the cache key)."""
        ...

    def check(self) -> None:
        """Fail fast with :class:`RewriterUnavailable` before any work starts."""
        ...

    def rewrite(self, requests: Sequence[Request]) -> Iterator[list[Result]]:
        """Yield results in groups as they finish (a group is saved in one write)."""
        ...

    def close(self) -> None:
        ...
