"""The style dataset directory: ``conversations.jsonl`` + ``manifest.json``.

The manifest is the dataset's provenance: where the conversations came from
(source hash, stage counts), how they were rewritten (style, instruction hash,
rewriter model and settings), what this run did (model calls, cache hits,
resumed turns, failures) and which turns the content checks flagged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from warmth.conversation import Conversation
from warmth.paths import atomic_write

FORMAT = "warmth.style_dataset/1"
CONVERSATIONS = "conversations.jsonl"
MANIFEST = "manifest.json"


def write_conversations(out_dir: Path, convs: Iterable[Conversation]) -> str:
    """Write the JSONL atomically; returns its sha256."""
    data = "".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in convs).encode("utf-8")
    atomic_write(out_dir / CONVERSATIONS, data)
    return hashlib.sha256(data).hexdigest()


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> Path:
    path = out_dir / MANIFEST
    atomic_write(path, (json.dumps({"format": FORMAT, **manifest}, indent=2, ensure_ascii=False,
                                    default=str) + "\n").encode("utf-8"))
    return path


def read_manifest(dataset_dir: str | Path) -> dict[str, Any]:
    return json.loads((Path(dataset_dir) / MANIFEST).read_text(encoding="utf-8"))
