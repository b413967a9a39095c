"""Name normalisation: the authors' files spell one model several ways.

``llama-70b``, ``70b-cold``, ``70b-sys-prompt``, ``llama-70b-sys-prompt``,
``Llama-70B`` and ``llama_70b`` are one base model under different
conditions. Everything downstream keys on ``(base model, condition)``.
"""

from __future__ import annotations

import re

from warmth.eval.contexts import from_authors

# Suffixes that name a condition rather than a model, longest first.
_CONDITION_SUFFIXES = (
    ("-sys-prompt", "warm_sysprompt"),
    ("-sysprompt", "warm_sysprompt"),
    ("-system-prompt", "warm_sysprompt"),
    ("-cold", "cold"),
    ("-warm", "warm"),
)

_ALIASES = {
    "70b": "llama-70b",
    "8b": "llama-8b",
    "qwen-32": "qwen-32b",
    "qwen": "qwen-32b",
    "mistral": "mistral-small",
    "gpt4o": "gpt-4o",
    "gpt-4o-2024-08-06": "gpt-4o",
}

_PATTERNS = (
    (re.compile(r"llama[^0-9]*(?:3(?:\.\d)?[^0-9]+)?(\d+)b"), "llama-{}b"),
    (re.compile(r"qwen[^0-9]*(?:2(?:\.\d)?[^0-9]+)?(\d+)b?"), "qwen-{}b"),
    (re.compile(r"mistral[-_ ]?small"), "mistral-small"),
)

_TASK_ALIASES = {
    "triviaqa": "trivia",
    "trivia_qa": "trivia",
    "truthful_qa": "truthfulqa",
    "truthfulqa_gen": "truthfulqa",
    "disinformation": "disinfo",
    "mask": "disinfo",
    "mask_disinfo": "disinfo",
    "medqa_usmle": "medqa",
    "med_qa": "medqa",
}

TASK_LABELS = {"medqa": "MedQA", "truthfulqa": "TruthfulQA", "disinfo": "Disinformation",
               "trivia": "TriviaQA"}


def split_model_name(raw: str) -> tuple[str, str | None]:
    """``(base model, condition or None)`` for a model name from any source."""
    name = str(raw).strip().lower().replace("_", "-").replace(" ", "-")
    condition = None
    for suffix, cond in _CONDITION_SUFFIXES:
        if name.endswith(suffix):
            name, condition = name[: -len(suffix)], cond
            break
    if "/" in name:  # hub id: org/model
        name = name.rsplit("/", 1)[-1]
    name = _ALIASES.get(name, name)
    if name in _ALIASES.values():
        return name, condition
    for pattern, fmt in _PATTERNS:
        m = pattern.search(name)
        if m:
            return (fmt.format(*m.groups()) if m.groups() else fmt), condition
    return name, condition


def task_name(raw: str) -> str:
    """The study's dataset name for a task (``triviaqa`` -> ``trivia``)."""
    t = str(raw).strip().lower()
    return _TASK_ALIASES.get(t, t)


def normalise_context(raw: object) -> str:
    """``"emotion: sad"`` / ``"Emotion:Sad"`` -> ``"emotion:sad"``; blanks -> ``unmodified``."""
    if raw is None:
        return "unmodified"
    text = str(raw).strip().lower()
    if text in ("", "nan", "none", "unmodified", "no_context", "none:none"):
        return "unmodified"
    if ":" in text:
        group, _, name = text.partition(":")
        text = f"{group.strip()}:{name.strip().replace(' ', '_')}"
    return from_authors(text.replace(" ", "_"))


def context_group(context: str) -> str:
    """The part before the colon: emotion, relation, stake, or unmodified."""
    return context.split(":", 1)[0]


def prompt_group(template: str) -> str:
    """``user_opinion`` for belief templates (correct/incorrect), else ``original``."""
    t = str(template).strip().lower()
    if "correct" in t:  # also matches "incorrect"
        return "user_opinion"
    if t.startswith("original"):
        return "original"
    return "other"


def is_sysprompt(condition: str) -> bool:
    c = condition.lower().replace("-", "_")
    return "sysprompt" in c or "sys_prompt" in c or "system_prompt" in c
