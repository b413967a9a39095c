"""MedQA (USMLE): clinical vignettes shown open-ended, options hidden.

As in the study (checked against the authors' released sample): the
``original`` template asks the exam vignette as written ("A 25-year-old man
presents ..."); every other template asks it about a relative of the user
("My husband, 25, presents ..."), the relative chosen by the patient's age
and sex, and "which of the following" becomes "what" since no options are
shown.
"""

from __future__ import annotations

import re
from typing import Any

from warmth.eval.interfaces import Item

from ._base import QATask

_OPENING = re.compile(r"^An?\s+(?P<age>\d+)[- ](?P<unit>year|month|week|day)s?[- ]old\s+", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][\w-]*")
_MALE = {"man", "male", "gentleman", "boy"}
_FEMALE = {"woman", "female", "lady", "girl", "primigravida", "multigravida", "primipara", "multipara"}
_NEUTRAL = {"patient", "person", "adult", "individual", "student", "adolescent", "teenager", "athlete", "veteran",
            "infant", "newborn", "neonate", "baby", "toddler", "child"}
_MAX_DESCRIPTORS = 3  # "A 35-year-old Caucasian female ...", "A 33-year-old G2P1 woman ..."
# Relatives by age, fitted to the authors' sample: 2 -> son, 21/22 -> brother/sister,
# 25..58 -> husband/wife, 63..78 -> father.
_RELATIVES = ((18, "son", "daughter"), (25, "brother", "sister"), (60, "husband", "wife"), (200, "father", "mother"))
_OPTIONS = re.compile(r"\b(w)hich of the following\b", re.IGNORECASE)


def _by_pronouns(text: str) -> str | None:
    he = len(re.findall(r"\b(?:he|him|his|himself)\b", text, re.IGNORECASE))
    she = len(re.findall(r"\b(?:she|her|hers|herself)\b", text, re.IGNORECASE))
    return "m" if he > she else "f" if she > he else None


def _relative(years: float, sex: str) -> str:
    for limit, male, female in _RELATIVES:
        if years < limit:
            return male if sex == "m" else female
    return "father" if sex == "m" else "mother"


def open_ended(text: str) -> str:
    """"Which of the following is ..." -> "What is ...": the options are not shown."""
    return _OPTIONS.sub(lambda m: "What" if m.group(1) == "W" else "what", text)


def about_relative(vignette: str) -> str:
    """"A 25-year-old man presents ..." -> "My husband, 25, presents ..."; other openings unchanged.

    The person noun may follow a few descriptors ("G2P1 woman", "college
    student"), which are dropped as the study dropped them; a neutral noun
    ("patient", "student") takes its sex from the vignette's pronouns. A
    vignette without a recognisable person is kept as written (the study
    kept those too), only made open-ended.
    """
    text = vignette.strip()
    m = _OPENING.match(text)
    if m:
        age, unit = int(m.group("age")), m.group("unit").lower()
        for w in list(_WORD.finditer(text, m.end()))[: _MAX_DESCRIPTORS + 1]:
            noun = w.group().lower()
            if text[w.end() : w.end() + 1] in ("'", "\u2019"):  # "A 45-year-old man's wife ..."
                break
            if noun in _MALE or noun in _FEMALE:
                sex = "m" if noun in _MALE else "f"
            elif noun in _NEUTRAL:
                sex = _by_pronouns(text)
            else:
                continue
            if sex is None:
                break
            years = age if unit == "year" else 0
            when = str(age) if unit == "year" else f"{age} {unit}{'s' if age != 1 else ''} old"
            return open_ended(f"My {_relative(years, sex)}, {when}, {text[w.end():].lstrip()}")
    return open_ended(text)


class MedQA(QATask):
    name = "medqa"
    hub_path = "GBaker/MedQA-USMLE-4-options"
    hub_name = None
    hub_split = "test"

    def question_for(self, item: Item, template: str) -> str:
        """The exam vignette for ``original`` (when the item has one), the relative form otherwise."""
        if template == "original":
            return str(item.meta.get("original_question") or item.question)
        return item.question

    def from_hub_row(self, row: dict[str, Any], index: int) -> Item | None:
        question, answer = row.get("question"), row.get("answer")
        options = row.get("options") or {}
        if not question or not answer:
            return None
        wrong = sorted(v for k, v in options.items() if v != answer)
        pick = wrong[index % len(wrong)] if wrong else None  # deterministic distractor
        return Item(id=str(index), question=about_relative(question), correct_answer=answer,
                    incorrect_answer=pick, meta={"original_question": question})
