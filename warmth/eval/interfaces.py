"""Plugin interfaces of the evaluation engine.

The engine knows no concrete task, judge or backend; plugins in
``warmth_plugins`` (or any package) implement these and are named in
config by ``_target_``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass
class Item:
    """One question of a task with what judges need to score answers to it."""

    id: str
    question: str
    correct_answer: str | None = None
    aliases: list[str] = field(default_factory=list)  # further accepted correct answers
    incorrect_answer: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Prompt:
    """A fully rendered request: one item under one template and context."""

    item: Item
    task: str
    template: str
    context: str  # "unmodified" or "<group>:<name>"
    statement_id: int | None
    messages: list[dict[str, str]]  # chat messages, system prompt included if any
    text: str  # the user message, as stored in records

    def key(self) -> tuple[str, str, str, str]:
        return (self.task, self.item.id, self.template, self.context)

    @classmethod
    def single_turn(cls, item: Item, task: str, template: str, text: str) -> Prompt:
        """One user message, no interpersonal context (capability tasks, warmth prompts)."""
        return cls(item=item, task=task, template=template, context="unmodified", statement_id=None,
                   messages=[{"role": "user", "content": text}], text=text)


@dataclass
class GenerationParams:
    temperature: float = 0.8
    max_new_tokens: int = 300
    top_p: float = 1.0
    n_samples: int = 1
    seed: int = 0


@dataclass
class Verdict:
    verdict: str  # correct | incorrect | unscored
    judge: str
    raw: str | None = None
    reason: str | None = None
    score: float | None = None  # optional numeric score, copied to Record.score


@runtime_checkable
class Task(Protocol):
    name: str

    def load(self, n_items: int | None, seed: int) -> list[Item]:
        """Items, deterministic for a given seed; ``n_items=None`` means all."""


@runtime_checkable
class GenerationBackend(Protocol):
    name: str

    def generate(self, requests: Sequence[list[dict[str, str]]], params: GenerationParams) -> list[list[str]]:
        """For each chat request, ``params.n_samples`` responses."""


@runtime_checkable
class Judge(Protocol):
    name: str

    def judge(self, prompts: Sequence[Prompt], responses: Sequence[str]) -> list[Verdict]:
        """Verdicts, one per (prompt, response)."""


@runtime_checkable
class RefusalDetector(Protocol):
    """Says whether a response declines to answer (recorded on every record)."""

    def is_refusal(self, response: str) -> bool: ...
