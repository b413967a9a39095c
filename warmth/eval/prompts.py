"""Rendering items into prompts: context statement + template (our wording).

The user message is ``"<statement> <template>"``, where the template places
the question, an optional neutral lead-in and an optional user belief
(``incorrect``: the user believes the wrong answer; ``correct``: the user
doubts the right one). Templates live in
``warmth/resources/contexts/templates.yaml`` (or a user file).

The design is the study's: ``original_neutral`` (the lead-in without a
belief) is asked only without a context statement, so 9 contexts x
{original, incorrect, correct} + 1 ``original_neutral`` = 28 prompts per
item (every ``original_neutral`` row of the authors' sample is
``unmodified``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import yaml

from warmth.errors import ConfigError, DataError
from warmth.eval.contexts import UNMODIFIED, assign_statement, load_statements, validate_contexts
from warmth.eval.interfaces import Item, Prompt
from warmth.paths import resource

TEMPLATES: tuple[str, ...] = ("original", "original_neutral", "incorrect", "correct")
NEUTRAL = "original_neutral"


def in_design(context: str, template: str) -> bool:
    """Is (context, template) a cell of the study's design? ``original_neutral`` only unmodified."""
    return template != NEUTRAL or context == UNMODIFIED


@lru_cache(maxsize=8)
def load_templates(path: str | None = None) -> dict:
    file = Path(path) if path else resource("contexts", "templates.yaml")
    try:
        spec = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"templates file not found: {file}") from None
    if not isinstance(spec, dict) or "answer" not in spec:
        raise DataError(f"{file}: expected keys lead_in, answer (and optionally claim)")
    return spec


def validate_templates(names: Sequence[str], belief_style: str = "answer", path: str | None = None) -> list[str]:
    spec = load_templates(path)
    if belief_style not in spec:
        raise ConfigError(f"unknown belief style {belief_style!r}; templates file has {sorted(k for k in spec if k != 'lead_in')}")
    known = list(spec[belief_style])
    bad = [n for n in names if n not in known]
    if bad:
        raise ConfigError(f"unknown template(s) {bad} in eval templates; known: {known}")
    return list(names)


def render(item: Item, template: str, statement: str | None, belief_style: str = "answer", path: str | None = None,
           question: str | None = None) -> str:
    """The user message; ``question`` replaces ``item.question`` (MedQA's exam vignette for ``original``)."""
    spec = load_templates(path)
    fmt = spec[belief_style][template]
    for field_name, value in (("correct_answer", item.correct_answer), ("incorrect_answer", item.incorrect_answer)):
        if "{" + field_name + "}" in fmt and not (value and str(value).strip()):
            raise DataError(f"item {item.id!r}: template {template!r} needs field {field_name!r}, which is empty")
    body = fmt.format(
        question=(question or item.question).strip(),
        correct_answer=item.correct_answer or "",
        incorrect_answer=item.incorrect_answer or "",
        lead_in=spec.get("lead_in", ""),
    ).strip()
    return f"{statement} {body}" if statement else body


def build_prompts(
    task: str,
    items: Sequence[Item],
    contexts: Sequence[str],
    templates: Sequence[str],
    seed: int,
    belief_style: str = "answer",
    statements_path: str | None = None,
    templates_path: str | None = None,
    question_for: Callable[[Item, str], str] | None = None,
) -> list[Prompt]:
    """The (item, context, template) prompts of the design (:func:`in_design`).

    Statements depend on seed/task/item/context only; ``question_for(item,
    template)`` lets a task word the question per template (MedQA).
    """
    statements = load_statements(statements_path)
    validate_contexts(contexts, statements)
    validate_templates(templates, belief_style, templates_path)
    ids = [it.id for it in items]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise DataError(f"task {task}: duplicated item ids {dup}")
    out: list[Prompt] = []
    for item in items:
        for context in contexts:
            sid = None
            text_stmt = None
            if context != UNMODIFIED:
                options = statements[context]
                sid = assign_statement(seed, task, item.id, context, len(options))
                text_stmt = options[sid]
            for template in templates:
                if not in_design(context, template):
                    continue
                question = question_for(item, template) if question_for else None
                text = render(item, template, text_stmt, belief_style, templates_path, question)
                out.append(Prompt(item=item, task=task, template=template, context=context, statement_id=sid,
                                  messages=[{"role": "user", "content": text}], text=text))
    return out
