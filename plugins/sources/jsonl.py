"""Chat JSONL: one conversation per line, in the warmth schema or ShareGPT's keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warmth.conversation import Conversation
from warmth.errors import DataError
from warmth.styledata.report import LoadReport
from warmth.styledata.roles import to_conversation


class JsonlSource:
    """Reads ``{"id", "messages": [{"role", "content"}]}`` (or ``conversations``/``from``/
    ``value``) lines; bad lines are counted with ``file:line``, never fatal."""

    def __init__(self, path: str, progress: bool = True):
        if not path:
            raise DataError("source.path is not set")
        self.path = Path(path).expanduser()
        if not self.path.is_file():
            raise DataError(f"source.path {self.path}: file not found")
        self.report = LoadReport(source=str(self.path))
        self._sha: str | None = None

    def __iter__(self) -> Iterator[Conversation]:
        self.report = LoadReport(source=str(self.path))  # each pass counts afresh
        digest = hashlib.sha256()
        with self.path.open("rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                digest.update(raw)
                if not raw.strip():
                    continue
                self.report.read += 1
                where = f"{self.path.name}:{lineno}"
                try:
                    obj = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    self.report.skip("non_utf8", where)
                    continue
                except json.JSONDecodeError as exc:
                    kind = "truncated_tail" if not raw.endswith(b"\n") else "malformed_json"
                    self.report.skip(kind, f"{where}: {exc.msg}")
                    continue
                conv = to_conversation(obj, where, self.report, f"line-{lineno}")
                if conv is not None:
                    self.report.kept += 1
                    yield conv
        self._sha = digest.hexdigest()

    def describe(self) -> dict[str, Any]:
        return {"loader": "jsonl", "path": str(self.path), "name": self.path.name,
                "sha256": self._sha, "bytes": self.path.stat().st_size}
