"""Shared loading of task items: bundled samples, user files, selection by seed.

Item file format (JSON lines, one item per line)::

    {"id": "trivia-001", "question": "...", "answer": "Paris",
     "aliases": ["..."], "incorrect_answer": "Lyon", "incorrect_aliases": [...]}

``answer``, ``id`` and ``question`` are required; ``incorrect_answer`` is
required by the belief templates. A missing field, a duplicated id or
invalid JSON is a :class:`DataError` naming file, line and field.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

from warmth.errors import DataError
from warmth.eval.interfaces import Item
from warmth.paths import resource

REQUIRED = ("id", "question", "answer")


def read_items(path: str | Path) -> list[Item]:
    path = Path(path)
    if not path.exists():
        raise DataError(f"task items file not found: {path}")
    items: list[Item] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from None
        if not isinstance(raw, dict):
            raise DataError(f"{path}:{lineno}: expected a JSON object")
        for key in REQUIRED:
            if not str(raw.get(key, "")).strip():
                raise DataError(f"{path}:{lineno}: missing field {key!r}")
        item_id = str(raw["id"])
        if item_id in seen:
            raise DataError(f"{path}:{lineno}: duplicated item id {item_id!r} (first on line {seen[item_id]})")
        seen[item_id] = lineno
        aliases = raw.get("aliases") or []
        if not isinstance(aliases, list):
            raise DataError(f"{path}:{lineno}: field 'aliases' must be a list")
        meta = {k: v for k, v in raw.items() if k not in ("id", "question", "answer", "aliases", "incorrect_answer")}
        items.append(Item(id=item_id, question=str(raw["question"]), correct_answer=str(raw["answer"]),
                          aliases=[str(a) for a in aliases], incorrect_answer=raw.get("incorrect_answer") or None,
                          meta=meta))
    if not items:
        raise DataError(f"{path}: no items")
    return items


def bundled_items(task: str) -> list[Item]:
    """The sample written for this project (``warmth/resources/tasks/<task>.jsonl``)."""
    return read_items(resource("tasks", f"{task}.jsonl"))


def select(items: Sequence[Item], n_items: int | None, seed: int) -> list[Item]:
    """``n_items`` items chosen by the seed alone (same for every model); all if None or larger."""
    ordered = sorted(items, key=lambda it: it.id)
    if n_items is None or n_items >= len(ordered):
        return ordered
    if n_items < 1:
        raise DataError(f"n_items must be positive, got {n_items}")
    picked = random.Random(seed).sample(ordered, n_items)
    return sorted(picked, key=lambda it: it.id)
