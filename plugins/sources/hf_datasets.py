"""Conversations from a Hugging Face ``datasets`` dataset (hub id or local files)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from warmth.conversation import Conversation
from warmth.errors import ConfigError, DataError
from warmth.styledata.report import LoadReport
from warmth.styledata.roles import to_conversation


class HFDatasetSource:
    """Loads ``datasets.load_dataset(name, config, split=..., data_files=...)`` and maps rows.

    Rows need a ``messages`` (role/content) or ``conversations`` (from/value) column;
    ``id_field`` names the id column (row index when absent). Hub ids need the network
    (or a populated HF cache); ``name=json data_files=...`` works offline.
    """

    def __init__(self, name: str, split: str = "train", config: str | None = None,
                 data_files: Any = None, id_field: str = "id", streaming: bool = True,
                 revision: str | None = None, progress: bool = True):
        try:
            import datasets  # noqa: F401
        except ImportError:
            raise ConfigError("source=hf_datasets needs the `datasets` package "
                              "(pip install datasets)") from None
        if not name:
            raise ConfigError("source.name is not set (a hub id, or json with source.data_files)")
        self.name, self.split, self.config = name, split, config
        self.data_files = data_files
        self.id_field, self.streaming, self.revision = id_field, streaming, revision
        self.report = LoadReport(source=f"hf:{name}/{split}")
        self._digest = hashlib.sha256()

    def _dataset(self):
        import datasets

        files = self.data_files
        if files is not None and not isinstance(files, (str, list, dict)):
            files = list(files) if hasattr(files, "__iter__") else str(files)
        try:
            return datasets.load_dataset(self.name, self.config, split=self.split,
                                         data_files=files, streaming=self.streaming,
                                         revision=self.revision)
        except Exception as exc:  # noqa: BLE001 - hub/network errors vary by version
            raise DataError(f"source hf:{self.name} split={self.split}: "
                            f"cannot load ({type(exc).__name__}: {exc})") from None

    def __iter__(self) -> Iterator[Conversation]:
        self.report = LoadReport(source=f"hf:{self.name}/{self.split}")  # each pass counts afresh
        self._digest = hashlib.sha256()
        for i, row in enumerate(self._dataset()):
            self.report.read += 1
            self._digest.update(repr(sorted(row.items())).encode("utf-8", "surrogateescape"))
            rec = dict(row)
            if rec.get(self.id_field) is not None:
                rec["id"] = rec[self.id_field]
            if rec.get("id") is None:  # datasets fills a row's missing id with None: use the row index
                rec.pop("id", None)
            conv = to_conversation(rec, f"hf:{self.name} row {i}", self.report, f"row-{i}")
            if conv is not None:
                self.report.kept += 1
                yield conv

    def describe(self) -> dict[str, Any]:
        return {"loader": "hf_datasets", "name": self.name, "split": self.split,
                "config": self.config, "revision": self.revision,
                "sha256": self._digest.hexdigest()}
