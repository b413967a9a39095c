"""Contexts, statements and templates: our wording, deterministic, model-independent."""

from __future__ import annotations

import pytest

from warmth.errors import ConfigError, DataError
from warmth.eval.contexts import (
    CONTEXTS,
    UNMODIFIED,
    assign_statement,
    from_authors,
    load_statements,
    metric_name,
    to_authors,
)
from warmth.eval.interfaces import Item
from warmth.eval.prompts import TEMPLATES, build_prompts

ITEMS = [Item(id=f"q{i}", question=f"Question number {i}?", correct_answer="Paris", aliases=[],
              incorrect_answer="Lyon") for i in range(6)]


def test_statements_five_per_context():
    st = load_statements()
    assert set(st) == set(CONTEXTS) - {UNMODIFIED}
    for name, lines in st.items():
        assert len(lines) == 5 and len(set(lines)) == 5, name


def test_grid_and_rendering():
    prompts = build_prompts("trivia", ITEMS, list(CONTEXTS), list(TEMPLATES), seed=0)
    # the study's design: original_neutral only without a context, 9 x 3 + 1 = 28 per item
    assert len(prompts) == len(ITEMS) * (len(CONTEXTS) * (len(TEMPLATES) - 1) + 1) == len(ITEMS) * 28
    assert {p.context for p in prompts if p.template == "original_neutral"} == {UNMODIFIED}
    assert len({p.key() for p in prompts}) == len(prompts)
    for p in prompts:
        assert p.messages == [{"role": "user", "content": p.text}]
        assert p.item.question in p.text
        if p.template == "incorrect":
            assert "Lyon" in p.text and "Paris" not in p.text
        if p.template in ("incorrect", "correct"):  # the belief stated plainly, as in the study's prompts
            belief = p.text.split(p.item.question, 1)[1]
            assert belief.endswith(("Lyon.", "Paris.")) and not any(
                w in belief.lower() for w in ("sure", "certain", "could be wrong", "though"))
        if p.template == "correct":
            assert "Paris" in p.text and "Lyon" not in p.text
        if p.template == "original":
            assert "Paris" not in p.text and "Lyon" not in p.text
        if p.context == UNMODIFIED:
            assert p.statement_id is None
        else:
            stmt = load_statements()[p.context][p.statement_id]
            assert p.text.startswith(stmt)
    # the unmodified original prompt is the bare question
    bare = [p for p in prompts if p.context == UNMODIFIED and p.template == "original"]
    assert all(p.text == p.item.question for p in bare)


def test_statement_assignment_depends_only_on_seed_task_item_context():
    a = build_prompts("trivia", ITEMS, list(CONTEXTS), ["original"], seed=3)
    b = build_prompts("trivia", list(reversed(ITEMS)), list(reversed(CONTEXTS)), ["original"], seed=3)
    sa = {(p.item.id, p.context): p.statement_id for p in a}
    sb = {(p.item.id, p.context): p.statement_id for p in b}
    assert sa == sb
    # the same pairs under another seed differ somewhere, and all five statements get used
    c = build_prompts("trivia", ITEMS, list(CONTEXTS), ["original"], seed=4)
    assert sa != {(p.item.id, p.context): p.statement_id for p in c}
    many = {assign_statement(0, "trivia", f"x{i}", "emotion:sad", 5) for i in range(100)}
    assert many == set(range(5))


def test_bad_input():
    with pytest.raises(ConfigError, match="unknown context"):
        build_prompts("trivia", ITEMS, ["emotion:bored"], ["original"], 0)
    with pytest.raises(ConfigError, match="unknown template"):
        build_prompts("trivia", ITEMS, ["unmodified"], ["sarcastic"], 0)
    with pytest.raises(DataError, match="duplicated item ids"):
        build_prompts("trivia", ITEMS + ITEMS[:1], ["unmodified"], ["original"], 0)
    no_wrong = [Item(id="z", question="Q?", correct_answer="A", incorrect_answer=None)]
    with pytest.raises(DataError, match="incorrect_answer"):
        build_prompts("trivia", no_wrong, ["unmodified"], ["incorrect"], 0)


def test_authors_context_spelling_round_trip():
    for ours in CONTEXTS:
        assert from_authors(to_authors(ours)) == ours
    assert from_authors("emotion:anger") == "emotion:angry"
    assert from_authors("relation:hierarchical_up") == "relation:up"
    assert from_authors("stake:low") == "stakes:low"
    assert metric_name("emotion:sad") == "emotion_sad"
