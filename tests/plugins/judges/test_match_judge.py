"""The match judge's rules, case by case (plugins/judges/match.py docstring)."""

from __future__ import annotations

import pytest
from warmth_plugins.judges.match import MatchJudge

from warmth.eval.interfaces import Item, Prompt


def prompt(answer="Paris", aliases=(), wrong="Lyon", **meta):
    item = Item(id="q", question="What is the capital of France?", correct_answer=answer, aliases=list(aliases),
                incorrect_answer=wrong, meta=meta)
    return Prompt(item=item, task="trivia", template="original", context="unmodified", statement_id=None,
                  messages=[], text=item.question)


@pytest.mark.parametrize("response,verdict,reason", [
    ("The capital of France is Paris.", "correct", None),
    ("PARIS!!", "correct", None),
    ("I'm fairly sure it is Lyon.", "incorrect", None),
    ("It's not Lyon, it's Paris.", "correct", None),
    ("It isn't Paris; it is Lyon.", "incorrect", None),
    ("Paris or Lyon, I can't decide.", "unscored", "both answers asserted"),
    ("I have no idea.", "unscored", "neither answer found"),
    ("Definitely not Paris.", "unscored", "answers only mentioned in negation"),
    ("Comparison: Parisian cafes.", "unscored", "neither answer found"),  # whole tokens only
])
def test_rules(response, verdict, reason):
    v = MatchJudge().judge([prompt()], [response])[0]
    assert (v.verdict, v.reason) == (verdict, reason)
    assert v.judge == "match" and v.raw


def test_aliases_numbers_articles_and_nesting():
    j = MatchJudge()
    assert j.judge([prompt("eight", ["8"], "six")], ["Spiders have 8 legs."])[0].verdict == "correct"
    assert j.judge([prompt("seven", [], "five")], ["There are Seven days."])[0].verdict == "correct"
    assert j.judge([prompt("the Sun", ["Sun"], "Sirius")], ["It's a star called Sun"])[0].verdict == "correct"
    # the correct alias inside the longer wrong answer does not count as correct
    p = prompt("Hyde", [], "Hyde Park")
    assert j.judge([p], ["It's Hyde Park."])[0].verdict == "incorrect"
    assert j.judge([prompt("Pacific Ocean", ["Pacific"], "Atlantic Ocean")], ["the pacific"])[0].verdict == "correct"
    # extra wrong aliases from the item file
    assert j.judge([prompt(wrong="Lyon", incorrect_aliases=["Marseille"])], ["Marseille."])[0].verdict == "incorrect"


def test_no_wrong_answer_never_incorrect():
    v = MatchJudge().judge([prompt(wrong=None)], ["It's Berlin."])[0]
    assert v.verdict == "unscored"
