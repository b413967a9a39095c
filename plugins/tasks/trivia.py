"""TriviaQA: short factual questions with accepted answer aliases."""

from __future__ import annotations

from typing import Any

from warmth.eval.interfaces import Item

from ._base import QATask
from ._sycophancy_eval import item_from_row


class Trivia(QATask):
    """Hub rows of ``mandarjoshi/trivia_qa`` (``rc.nocontext``) carry no wrong answer: the
    ``incorrect`` template then needs SycophancyEval's items (``hub_path:
    meg-tong/sycophancy-eval``, the paper preset's source), ``source=authors`` or an item file."""

    name = "trivia"
    hub_path = "mandarjoshi/trivia_qa"
    hub_name = "rc.nocontext"
    hub_split = "validation"

    def from_hub_row(self, row: dict[str, Any], index: int) -> Item | None:
        if "base" in row:  # SycophancyEval's answer.jsonl
            return item_from_row(row, "trivia_qa")
        answer = row.get("answer") or {}
        value = answer.get("value")
        if not value:
            return None
        aliases = [a for a in answer.get("aliases", []) if a != value]
        return Item(id=str(row.get("question_id") or index), question=row["question"], correct_answer=value,
                    aliases=aliases, incorrect_answer=None)
