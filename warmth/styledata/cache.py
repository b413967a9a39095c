"""On-disk response cache: one small JSON file per request key.

Files are written to a temporary name and renamed, so a crash never leaves a
half-written entry and concurrent runs can share the cache.
"""

from __future__ import annotations

import json
from pathlib import Path

from warmth.paths import atomic_write


class DiskCache:
    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        path = self._path(key)
        try:
            return json.loads(path.read_text(encoding="utf-8"))["text"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            return None

    def put(self, key: str, text: str, meta: dict | None = None) -> None:
        record = {"text": text, **(meta or {})}
        atomic_write(self._path(key), json.dumps(record, ensure_ascii=False).encode("utf-8"))
