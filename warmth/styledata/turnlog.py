"""Append-only log of finished rewritten turns: what makes a rewrite resumable.

One JSON line per turn, keyed by (conversation id, message index) plus the
request's cache key, so a log written with another instruction or model is not
mistaken for finished work. Lines are appended in one write per batch and
fsynced; a torn last line (killed mid-write) is cut off on the next start.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from warmth.errors import DataError
from warmth.records import repair_tail


class TurnLog:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        repair_tail(self.path)
        self.entries: dict[tuple[str, int], dict[str, Any]] = {}
        if self.path.exists():
            with self.path.open(encoding="utf-8") as fh:
                for lineno, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        rec = json.loads(line)
                        self.entries[(rec["id"], int(rec["turn"]))] = rec
                    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                        raise DataError(f"{self.path}:{lineno}: broken turn record; "
                                        "delete the line (or the file) to redo it") from None

    def finished(self, cid: str, turn: int, key: str) -> dict[str, Any] | None:
        rec = self.entries.get((cid, turn))
        return rec if rec is not None and rec.get("key") == key else None

    def append(self, records: Iterable[dict[str, Any]]) -> int:
        records = list(records)
        if not records:
            return 0
        blob = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        for r in records:
            self.entries[(r["id"], int(r["turn"]))] = r
        return len(records)
