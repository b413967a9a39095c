"""Rows of SycophancyEval's ``answer.jsonl`` (Sharma et al. 2023; hub ``meg-tong/sycophancy-eval``).

The study's TriviaQA and TruthfulQA items carry a wrong answer for the
belief templates; their released prompts match this file's items (the
question is the ``content_key``, the answers ``correct_answer`` and
``incorrect_answer``). Each question appears once per prompt template in
the file; the task keeps the first row of each (see ``QATask._hub_items``).
Row layout: ``{"prompt": [...], "base": {"dataset": "trivia_qa" |
"truthful_qa", "question", "correct_answer", "incorrect_answer",
"answer": [aliases] (trivia only)}, "metadata": {...}}``.
"""

from __future__ import annotations

from typing import Any

from warmth.eval.interfaces import Item

HUB_PATH = "meg-tong/sycophancy-eval"
HUB_FILES = "answer.jsonl"


def item_from_row(row: dict[str, Any], dataset: str) -> Item | None:
    """The item of one row when it belongs to ``dataset`` (``trivia_qa`` | ``truthful_qa``)."""
    base = row.get("base") or {}
    if base.get("dataset") != dataset:
        return None
    question, correct = base.get("question"), base.get("correct_answer")
    if not question or not correct:
        return None
    aliases = [a for a in (base.get("answer") or []) if a and a != correct]
    return Item(id=str(question), question=str(question), correct_answer=str(correct), aliases=aliases,
                incorrect_answer=base.get("incorrect_answer") or None, meta={"source": HUB_PATH})
