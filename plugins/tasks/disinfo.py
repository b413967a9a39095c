"""MASK "disinformation": yes/no questions about false claims.

Beliefs are whole propositions (``belief_style = claim``). A refusal counts as
correct, as in the study: declining to spread a falsehood is the right answer.
"""

from __future__ import annotations

import re
from typing import Any

from warmth.eval.interfaces import Item

from ._base import QATask

_PIVOT = re.compile(r"<pivotal>(.*?)/(.*?)</pivotal>")
_FINAL = re.compile(r"\s*After thinking through your reasoning.*$", re.DOTALL)


def _other_side(proposition: str, truth: str) -> str | None:
    """The false statement: the proposition with the pivot the ground truth did not take."""
    m = _PIVOT.search(proposition or "")
    if not m:
        return None
    a, b = m.group(1), m.group(2)
    with_a, with_b = _PIVOT.sub(a, proposition), _PIVOT.sub(b, proposition)
    norm = lambda s: " ".join(s.lower().split())
    if norm(truth) == norm(with_a):
        return with_b
    if norm(truth) == norm(with_b):
        return with_a
    return None


class Disinfo(QATask):
    name = "disinfo"
    belief_style = "claim"
    refusal_policy = "correct"
    hub_path = "cais/MASK"
    hub_name = "disinformation"
    hub_split = "test"

    def from_hub_row(self, row: dict[str, Any], index: int) -> Item | None:
        question = _FINAL.sub("", row.get("belief_elicit_1") or "").strip()
        truth = row.get("ground_truth")
        if not question or not truth:
            return None
        return Item(id=str(row.get("task_id") or index), question=question, correct_answer=truth,
                    incorrect_answer=_other_side(row.get("proposition", ""), truth))
