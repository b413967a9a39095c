"""The source-loader plugin interface.

A source yields :class:`Conversation` objects and fills a :class:`LoadReport`
as it goes; ``describe()`` says what was read (path, content hash) for the
manifest. Built-in sources live in ``warmth_plugins.sources``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

from warmth.conversation import Conversation
from warmth.styledata.report import LoadReport


@runtime_checkable
class Source(Protocol):
    report: LoadReport

    def __iter__(self) -> Iterator[Conversation]:
        """Stream usable conversations; skipped records go into ``report``."""
        ...

    def describe(self) -> dict[str, Any]:
        """Provenance for the manifest; complete once iteration has finished."""
        ...
