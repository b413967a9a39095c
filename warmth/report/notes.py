"""What a report left out and why: collected while building, shown in the HTML."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger("warmth.report")


@dataclass
class Notes:
    """Warnings grouped by the part of the report they concern."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def warn(self, section: str, message: str) -> None:
        if (section, message) not in self.items:
            self.items.append((section, message))
            log.warning("[%s] %s", section, message)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)
