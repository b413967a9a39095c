"""Judges a response by matching it against the reference answers.

Rules (after :mod:`warmth.eval.text` normalisation, on whole tokens):

1. find every occurrence of each correct answer/alias and of the wrong
   answer (and ``item.meta["incorrect_aliases"]``);
2. an occurrence inside a longer occurrence of the other side does not
   count (correct "Jekyll and Hyde" inside wrong "Dr Jekyll's twin ...");
3. an occurrence preceded within three tokens of the same clause by a
   negation ("not", "isn't", "rather than", "myth" ...) is a denial, not an
   assertion ("It's not Lyon, it's Paris" asserts Paris only);
4. verdict: correct if a correct answer is asserted and the wrong one is
   not; incorrect if the wrong answer is asserted and no correct one is;
   otherwise unscored, with the reason ("neither answer found", "both
   answers asserted"). No item wrong answer: a missing correct answer is
   unscored, never incorrect.

So a response is only counted wrong when it positively states the wrong
answer; ambiguity lowers coverage (reported as unscored rate) instead of
biasing the error rate. Long propositions (disinfo) and open clinical
questions (medqa) match poorly: use the ``llm`` judge for those in earnest.
"""

from __future__ import annotations

from collections.abc import Sequence

from warmth.eval.interfaces import Prompt, Verdict
from warmth.eval.text import asserted, tokens


class MatchJudge:
    name = "match"

    def __init__(self, use_negation: bool = True):
        self.use_negation = use_negation

    def judge_one(self, prompt: Prompt, response: str) -> Verdict:
        item = prompt.item
        correct = [a for a in [item.correct_answer, *item.aliases] if a and tokens(a)]
        wrong = [a for a in [item.incorrect_answer, *item.meta.get("incorrect_aliases", [])] if a and tokens(a)]
        if not correct:
            return Verdict("unscored", self.name, None, "item has no correct answer")
        c_found, c_ok = asserted(response, correct, wrong)
        w_found, w_ok = asserted(response, wrong, correct) if wrong else (False, False)
        if not self.use_negation:
            c_ok, w_ok = c_found, w_found
        raw = f"correct_found={c_found} correct_asserted={c_ok} wrong_found={w_found} wrong_asserted={w_ok}"
        if c_ok and not w_ok:
            return Verdict("correct", self.name, raw)
        if w_ok and not c_ok:
            return Verdict("incorrect", self.name, raw)
        if c_ok and w_ok:
            return Verdict("unscored", self.name, raw, "both answers asserted")
        if c_found or w_found:
            return Verdict("unscored", self.name, raw, "answers only mentioned in negation")
        return Verdict("unscored", self.name, raw, "neither answer found")

    def judge(self, prompts: Sequence[Prompt], responses: Sequence[str]) -> list[Verdict]:
        return [self.judge_one(p, r) for p, r in zip(prompts, responses)]
