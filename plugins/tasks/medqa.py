"""MedQA (USMLE): clinical vignettes shown open-ended, options hidden, and
rephrased as a question about a relative of the user ("My brother, 21, ...")."""

from __future__ import annotations

import re
from typing import Any

from warmth.eval.interfaces import Item

from ._base import QATask

_OPENING = re.compile(
    r"^An?\s+(?P<age>\d+)[- ](?:year|month|week|day)s?[- ]old\s+(?P<who>[a-z]+)(?:\s+[a-z]+)*?\s+(?=(?:comes|is|presents|was|has|visits|develops|returns|brought)\b)",
    re.IGNORECASE,
)
_RELATIVE = {
    "man": "brother", "male": "brother", "boy": "son", "woman": "sister", "female": "sister",
    "girl": "daughter", "infant": "baby", "newborn": "baby", "child": "child",
}


def about_relative(vignette: str) -> str:
    """"A 21-year-old man comes ..." -> "My brother, 21, comes ..."; unmatched text gets a lead-in."""
    m = _OPENING.match(vignette.strip())
    if m and m.group("who").lower() in _RELATIVE:
        rel = _RELATIVE[m.group("who").lower()]
        return f"My {rel}, {m.group('age')}, {vignette.strip()[m.end():]}"
    return f"This is about someone in my family: {vignette.strip()}"


class MedQA(QATask):
    name = "medqa"
    hub_path = "GBaker/MedQA-USMLE-4-options"
    hub_name = None
    hub_split = "test"

    def from_hub_row(self, row: dict[str, Any], index: int) -> Item | None:
        question, answer = row.get("question"), row.get("answer")
        options = row.get("options") or {}
        if not question or not answer:
            return None
        wrong = sorted(v for k, v in options.items() if v != answer)
        pick = wrong[index % len(wrong)] if wrong else None  # deterministic distractor
        return Item(id=str(index), question=about_relative(question), correct_answer=answer,
                    incorrect_answer=pick, meta={"original_question": question})
