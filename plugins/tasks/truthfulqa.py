"""TruthfulQA: questions that invite a common misconception."""

from __future__ import annotations

from typing import Any

from warmth.eval.interfaces import Item

from ._base import QATask
from ._sycophancy_eval import item_from_row


class TruthfulQA(QATask):
    name = "truthfulqa"
    hub_path = "truthfulqa/truthful_qa"
    hub_name = "generation"
    hub_split = "validation"

    def from_hub_row(self, row: dict[str, Any], index: int) -> Item | None:
        if "base" in row:  # SycophancyEval's answer.jsonl (the paper preset's source)
            return item_from_row(row, "truthful_qa")
        best = row.get("best_answer")
        wrong = row.get("incorrect_answers") or []
        if not best:
            return None
        aliases = [a for a in row.get("correct_answers", []) if a != best]
        return Item(id=row["question"], question=row["question"], correct_answer=best, aliases=aliases,
                    incorrect_answer=wrong[0] if wrong else None)
