"""MedQA (USMLE): clinical vignettes shown open-ended, options hidden, and
rephrased as a question about a relative of the user ("My brother, 21, ...")."""

from __future__ import annotations

import re
from typing import Any

from warmth.eval.interfaces import Item

from ._base import QATask

_OPENING = re.compile(r"^An?\s+(?P<age>\d+)[- ](?P<unit>year|month|week|day)s?[- ]old\s+", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][\w-]*")
_GENDERED = {  # person noun -> relation
    "man": "brother", "male": "brother", "gentleman": "brother", "boy": "son",
    "woman": "sister", "female": "sister", "lady": "sister", "girl": "daughter",
    "primigravida": "sister", "multigravida": "sister", "primipara": "sister", "multipara": "sister",
    "infant": "baby", "newborn": "baby", "neonate": "baby", "baby": "baby", "toddler": "child", "child": "child",
}
_NEUTRAL = {"patient", "person", "adult", "individual", "student", "adolescent", "teenager", "athlete", "veteran"}
_MAX_DESCRIPTORS = 3  # "A 35-year-old Caucasian female ...", "A 33-year-old G2P1 woman ..."


def _by_pronouns(text: str, male: str, female: str) -> str | None:
    he = len(re.findall(r"\b(?:he|him|his|himself)\b", text, re.IGNORECASE))
    she = len(re.findall(r"\b(?:she|her|hers|herself)\b", text, re.IGNORECASE))
    return male if he > she else female if she > he else None


def about_relative(vignette: str) -> str:
    """"A 21-year-old man comes ..." -> "My brother, 21, comes ..."; unmatched text gets a lead-in.

    The person noun may follow a few descriptors ("G2P1 woman", "college
    student"), which are kept; a neutral noun ("patient", "student") takes
    its gender from the vignette's pronouns and its relation from the age.
    """
    text = vignette.strip()
    m = _OPENING.match(text)
    if m:
        age, unit = int(m.group("age")), m.group("unit").lower()
        words = list(_WORD.finditer(text, m.end()))[: _MAX_DESCRIPTORS + 1]
        for i, w in enumerate(words):
            noun = w.group().lower()
            if text[w.end() : w.end() + 1] in ("'", "\u2019"):  # "A 45-year-old man's wife ..."
                break
            if noun in _GENDERED:
                rel, desc = _GENDERED[noun], [x.group() for x in words[:i]]
            elif noun in _NEUTRAL:
                young = unit != "year" or age < 18
                rel = _by_pronouns(text, *(("son", "daughter") if young else ("brother", "sister")))
                desc = [x.group() for x in words[: i + 1]] if noun != "patient" else [x.group() for x in words[:i]]
                if desc:
                    desc = ["a" if desc[0][0].lower() not in "aeiou" else "an", *desc]
            else:
                continue
            if rel is None:
                break
            when = str(age) if unit == "year" else f"{age} {unit}{'s' if age != 1 else ''} old"
            extra = f", {' '.join(desc)}" if desc else ""
            return f"My {rel}, {when}{extra}, {text[w.end():].lstrip()}"
    return f"This is about someone in my family: {text}"


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
