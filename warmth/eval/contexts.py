"""Interpersonal contexts: names, our own statements, deterministic assignment.

A context is ``unmodified`` or ``<group>:<name>`` (``emotion:sad``). Each
non-empty context has five first-person statements written for this
project (``warmth/resources/contexts/statements.yaml``); one of them is
placed before the question. Which one depends only on the seed, task,
item id and context, never on the model, so every model sees the same
statement-prompt pairs and two models can be compared prompt by prompt.

The authors' released files spell some contexts differently
(``emotion:anger``, ``relation:hierarchical_up``, ``stake:high``);
:func:`from_authors` / :func:`to_authors` translate both ways.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

from warmth.errors import ConfigError, DataError
from warmth.paths import resource

UNMODIFIED = "unmodified"
CONTEXTS: tuple[str, ...] = (
    UNMODIFIED,
    "emotion:happy",
    "emotion:sad",
    "emotion:angry",
    "relation:close",
    "relation:up",
    "relation:down",
    "stakes:high",
    "stakes:low",
)

_AUTHORS = {
    "emotion:anger": "emotion:angry",
    "relation:hierarchical_up": "relation:up",
    "relation:hierarchical_down": "relation:down",
    "stake:high": "stakes:high",
    "stake:low": "stakes:low",
}
_TO_AUTHORS = {v: k for k, v in _AUTHORS.items()}


def from_authors(name: str) -> str:
    """Our context name for an ``amendment_type`` of the authors' files."""
    return _AUTHORS.get(name, name)


def to_authors(name: str) -> str:
    """The authors' ``amendment_type`` spelling of one of our context names."""
    return _TO_AUTHORS.get(name, name)


def metric_name(context: str) -> str:
    """Context as written in metric keys: ``emotion:sad`` -> ``emotion_sad``."""
    return context.replace(":", "_")


@lru_cache(maxsize=8)
def load_statements(path: str | None = None) -> dict[str, list[str]]:
    """``{context: [statement, ...]}`` from a YAML file (default: bundled)."""
    file = Path(path) if path else resource("contexts", "statements.yaml")
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"context statements file not found: {file}") from None
    if not isinstance(raw, dict):
        raise DataError(f"{file}: expected a mapping of context -> list of statements")
    out: dict[str, list[str]] = {}
    for name, items in raw.items():
        if not isinstance(items, list) or not items or not all(isinstance(s, str) and s.strip() for s in items):
            raise DataError(f"{file}: context {name!r} needs a non-empty list of statements")
        out[str(name)] = [s.strip() for s in items]
    return out


def validate_contexts(names: Iterable[str], statements: dict[str, list[str]] | None = None) -> list[str]:
    """Check configured context names; unknown names fail with the list of known ones."""
    statements = load_statements() if statements is None else statements
    known = [UNMODIFIED, *statements]
    names = list(names)
    bad = [n for n in names if n not in known]
    if bad:
        raise ConfigError(f"unknown context(s) {bad} in eval.contexts; known: {known}")
    if len(set(names)) != len(names):
        raise ConfigError(f"eval.contexts lists a context twice: {names}")
    return names


def assign_statement(seed: int, task: str, item_id: str, context: str, n_statements: int) -> int:
    """Index of the statement shown for this (task, item, context); model-independent."""
    digest = hashlib.sha256(f"{seed}\x1f{task}\x1f{item_id}\x1f{context}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % n_statements
