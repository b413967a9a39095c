"""Counts of what a loader or stage read, kept and skipped, and where."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_LOCATIONS = 20  # per reason; the counts stay exact


@dataclass
class LoadReport:
    """What a source loader saw: every skipped record is counted under a reason.

    ``locations`` keeps the first few places per reason (``file:line``, record index,
    byte offset) so a user can look at the offending input.
    """

    source: str = ""
    read: int = 0
    kept: int = 0
    skipped: Counter = field(default_factory=Counter)
    locations: dict[str, list[str]] = field(default_factory=dict)
    repaired: Counter = field(default_factory=Counter)
    seen_ids: set[str] = field(default_factory=set, repr=False)  # ids kept so far: a repeat is skipped

    def skip(self, reason: str, where: str) -> None:
        self.skipped[reason] += 1
        locs = self.locations.setdefault(reason, [])
        if len(locs) < MAX_LOCATIONS:
            locs.append(where)

    def repair(self, what: str) -> None:
        self.repaired[what] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "read": self.read,
            "kept": self.kept,
            "skipped": dict(sorted(self.skipped.items())),
            "skipped_total": sum(self.skipped.values()),
            "repaired": dict(sorted(self.repaired.items())),
            "locations": {k: v for k, v in sorted(self.locations.items())},
        }

    def summary(self) -> str:
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(self.skipped.items())) or "none"
        return f"{self.source}: read {self.read}, kept {self.kept}, skipped {sum(self.skipped.values())} ({reasons})"
