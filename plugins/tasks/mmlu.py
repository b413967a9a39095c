"""MMLU: zero-shot four-option multiple choice (Hendrycks et al.).

Items come from the hub (``cais/mmlu``, 14,042 test questions) or, offline,
from 40 questions written for this project over four subjects. Two prompt
renderings: a plain-text one ending in ``Answer:`` whose next token is
scored as `` A``..`` D`` (log-likelihood scorer), and a chat request asking
for the letter (generation scorer, letters extracted from the reply).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from warmth_plugins.tasks._capability_data import (
    check_source,
    extracted_verdicts,
    hub_or_bundled,
    load_hub,
    sample,
)

from warmth.errors import ConfigError, DataError
from warmth.eval.interfaces import Item, Prompt, Verdict
from warmth.paths import resource
from warmth.scoring.letters import extract_letter

LETTERS = "ABCD"
BUNDLED = resource("tasks", "mmlu", "sample.jsonl")


def subject_title(subject: str) -> str:
    return subject.replace("_", " ")


def item_from_row(row: dict[str, Any], item_id: str, where: str) -> Item:
    for key in ("question", "choices", "answer", "subject"):
        if key not in row:
            raise DataError(f"{where}: field {key!r} is missing")
    choices = [str(c) for c in row["choices"]]
    answer = int(row["answer"])
    if len(choices) != 4 or not 0 <= answer < 4:
        raise DataError(f"{where}: needs 4 choices and an answer index 0-3")
    return Item(
        id=item_id,
        question=str(row["question"]).strip(),
        correct_answer=LETTERS[answer],
        aliases=[choices[answer]],
        meta={"subject": str(row["subject"]), "choices": choices, "answer_index": answer},
    )


class MMLU:
    """The MMLU task: which subjects, where from, how many items."""

    name = "mmlu"

    def __init__(
        self,
        subjects: Sequence[str] | None = None,
        source: str = "auto",
        hub_path: str = "cais/mmlu",
        split: str = "test",
        n_items: int | None = None,
        revision: str | None = None,
    ):
        self.subjects = list(subjects) if subjects else None
        self.source = check_source(self.name, source)
        self.hub_path, self.split, self.n_items, self.revision = hub_path, split, n_items, revision

    def _bundled(self) -> list[Item]:
        items = []
        with BUNDLED.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if line.strip():
                    row = json.loads(line)
                    items.append(item_from_row(row, str(row.get("id", lineno)), f"{BUNDLED.name}:{lineno}"))
        return items

    def _hub(self) -> list[Item]:
        rows = load_hub(self.hub_path, "all", self.split, self.revision)
        return [item_from_row(dict(r), f"{r['subject']}-{i:05d}", f"{self.hub_path} row {i}") for i, r in enumerate(rows)]

    def load(self, n_items: int | None = None, seed: int = 0) -> list[Item]:
        items = hub_or_bundled(self.name, self.source, self._hub, self._bundled)
        if self.subjects:
            known = {it.meta["subject"] for it in items}
            unknown = sorted(set(self.subjects) - known)
            if unknown:
                raise ConfigError(f"mmlu.subjects: unknown {unknown}; available: {sorted(known)}")
            items = [it for it in items if it.meta["subject"] in self.subjects]
        return sample(items, n_items if n_items is not None else self.n_items, seed)


def options_block(item: Item) -> str:
    return "\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(item.meta["choices"]))


def loglik_context(item: Item) -> str:
    """Plain-text prompt whose continuation `` A``..`` D`` is scored."""
    return (
        f"Multiple choice question ({subject_title(item.meta['subject'])}).\n\n"
        f"{item.question}\n{options_block(item)}\nAnswer:"
    )


def chat_text(item: Item) -> str:
    """User message of the generation scorer."""
    return (
        f"{item.question}\n\n{options_block(item)}\n\n"
        "Which option is correct? Reply with its letter (A, B, C or D)."
    )


def chat_prompt(item: Item, template: str = "zero_shot") -> Prompt:
    return Prompt.single_turn(item, "mmlu", template, chat_text(item))


class LetterJudge:
    """Correct when the letter extracted from the reply is the item's letter; unscored without one."""

    name = "letter"

    def judge(self, prompts: Sequence[Prompt], responses: Sequence[str]) -> list[Verdict]:
        return extracted_verdicts(self.name, prompts, responses,
                                  lambda p, r: extract_letter(r, p.item.meta.get("choices", ())),
                                  lambda got, p: got == p.item.correct_answer, "no answer letter found")
