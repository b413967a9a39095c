"""The one conversation schema shared by rewriting, training and evaluation.

A conversation is a list of messages (``system`` optional and first, then
alternating ``user`` / ``assistant``) plus an id and free-form provenance.
Stored as JSON lines: ``{"id", "messages": [{"role", "content"}], "meta"}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmth.errors import DataError

ROLES = ("system", "user", "assistant")


@dataclass
class Message:
    role: str
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass
class Conversation:
    id: str
    messages: list[Message]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def system(self) -> str | None:
        if self.messages and self.messages[0].role == "system":
            return self.messages[0].content
        return None

    def assistant_indices(self) -> list[int]:
        return [i for i, m in enumerate(self.messages) if m.role == "assistant"]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "messages": [m.to_dict() for m in self.messages]}
        if self.meta:
            out["meta"] = self.meta
        return out

    def chat(self) -> list[dict[str, str]]:
        """Messages as the list of dicts that chat templates take."""
        return [m.to_dict() for m in self.messages]

    @classmethod
    def from_dict(cls, raw: Any, where: str = "") -> Conversation:
        """Parse and validate; errors name ``where`` (file:line) and the field."""
        loc = f"{where}: " if where else ""
        if not isinstance(raw, dict):
            raise DataError(f"{loc}record is {type(raw).__name__}, expected an object")
        if "id" not in raw:
            raise DataError(f"{loc}field 'id' is missing")
        msgs = raw.get("messages")
        if not isinstance(msgs, list) or not msgs:
            raise DataError(f"{loc}field 'messages' must be a non-empty list")
        messages = []
        for i, m in enumerate(msgs):
            if not isinstance(m, dict) or "role" not in m or "content" not in m:
                raise DataError(f"{loc}messages[{i}] needs 'role' and 'content'")
            messages.append(Message(str(m["role"]), m["content"]))
        conv = cls(str(raw["id"]), messages, dict(raw.get("meta") or {}))
        problems = validate(conv)
        if problems:
            raise DataError(f"{loc}conversation {conv.id!r}: {problems[0]}")
        return conv


def validate(conv: Conversation) -> list[str]:
    """Everything wrong with a conversation, each naming the message field."""
    problems = []
    expect = "user"
    for i, m in enumerate(conv.messages):
        if m.role not in ROLES:
            problems.append(f"messages[{i}].role {m.role!r} is not one of {ROLES}")
            continue
        if not isinstance(m.content, str) or not m.content.strip():
            problems.append(f"messages[{i}].content is empty")
        if m.role == "system":
            if i != 0:
                problems.append(f"messages[{i}].role 'system' only allowed first")
            continue
        if m.role != expect:
            problems.append(f"messages[{i}].role is {m.role!r}, expected {expect!r}")
        expect = "assistant" if m.role == "user" else "user"
    if not any(m.role == "assistant" for m in conv.messages):
        problems.append("no assistant message")
    return problems


def read_jsonl(path: str | Path) -> Iterator[Conversation]:
    """Stream conversations from a JSONL file, failing on the first bad record or repeated id."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    first_line: dict[str, int] = {}
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise DataError(f"{where}: not UTF-8 ({exc.reason})") from None
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: invalid JSON ({exc.msg})") from None
            conv = Conversation.from_dict(obj, where)
            if conv.id in first_line:
                raise DataError(f"{where}: duplicate id {conv.id!r} (first on line {first_line[conv.id]})")
            first_line[conv.id] = lineno
            yield conv


def write_jsonl(path: str | Path, conversations: Iterable[Conversation]) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for conv in conversations:
            fh.write(json.dumps(conv.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n
