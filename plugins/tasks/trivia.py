"""TriviaQA: short factual questions with accepted answer aliases."""

from __future__ import annotations

from typing import Any

from warmth.eval.interfaces import Item

from ._base import QATask


class Trivia(QATask):
    """Hub rows (``mandarjoshi/trivia_qa``, ``rc.nocontext``) carry no wrong answer:
    the ``incorrect`` template then needs ``source=authors`` or an item file."""

    name = "trivia"
    hub_path = "mandarjoshi/trivia_qa"
    hub_name = "rc.nocontext"
    hub_split = "validation"

    def from_hub_row(self, row: dict[str, Any], index: int) -> Item | None:
        answer = row.get("answer") or {}
        value = answer.get("value")
        if not value:
            return None
        aliases = [a for a in answer.get("aliases", []) if a != value]
        return Item(id=str(row.get("question_id") or index), question=row["question"], correct_answer=value,
                    aliases=aliases, incorrect_answer=None)
