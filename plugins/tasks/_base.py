"""Common behaviour of the built-in factual tasks.

A task loads its items from one ``source``:

- ``bundled``: the sample written for this project (offline, tests);
- ``file``: a JSON-lines item file at ``path`` (format in :mod:`._items`);
- ``authors``: the authors' released prompt file at ``path`` (a file or
  URL); their exact prompts are used instead of our rendering;
- ``hub``: the public dataset through ``datasets`` (needs the network);
  ``hub_files`` picks files of a repo that holds several (SycophancyEval's
  ``answer.jsonl``). Rows naming the same item id twice keep the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from warmth.errors import ConfigError, DataError
from warmth.eval.interfaces import Item, Prompt

from . import _authors, _items
from ._capability_data import load_hub

SOURCES = ("bundled", "file", "authors", "hub")


class QATask:
    name = "qa"
    belief_style = "answer"  # how the user's belief is phrased (templates.yaml)
    refusal_policy = "exclude"  # the study excludes refusals on factual tasks
    hub_path: str | None = None
    hub_name: str | None = None
    hub_split: str = "validation"
    hub_files: str | None = None

    def __init__(self, source: str = "bundled", path: str | None = None, n_items: int | None = None,
                 hub_path: str | None = None, hub_name: str | None = None, hub_split: str | None = None,
                 revision: str | None = None, refusal_policy: str | None = None, hub_files: str | None = None):
        if source not in SOURCES:
            raise ConfigError(f"task {self.name}: source must be one of {SOURCES}, got {source!r}")
        if source in ("file", "authors") and not path:
            raise ConfigError(f"task {self.name}: source={source} needs `path`")
        self.source, self.path, self.n_items = source, path, n_items
        own_repo = not hub_path or hub_path == type(self).hub_path
        self.hub_path = hub_path or self.hub_path
        # the class's config name belongs to its own repo; another repo has its own (or none)
        self.hub_name = hub_name or (self.hub_name if own_repo else None)
        self.hub_split = hub_split or self.hub_split
        self.hub_files = hub_files or self.hub_files
        self.revision = revision
        if refusal_policy:
            self.refusal_policy = refusal_policy

    # -- items ---------------------------------------------------------
    def load(self, n_items: int | None, seed: int) -> list[Item]:
        if self.source == "bundled":
            items = _items.bundled_items(self.name)
        elif self.source == "file":
            items = _items.read_items(str(self.path))
        elif self.source == "hub":
            items = self._hub_items()
        else:
            raise DataError(f"task {self.name}: source=authors gives prompts, not items")
        return _items.select(items, n_items, seed)

    def fixed_prompts(self, contexts: list[str], templates: list[str], n_items: int | None, seed: int) -> list[Prompt] | None:
        """The authors' exact prompts when ``source=authors``; otherwise None (we render)."""
        if self.source != "authors":
            return None
        return _authors.load_prompts(str(self.path), self.name, contexts, templates, n_items, seed)

    # -- hub -----------------------------------------------------------
    def from_hub_row(self, row: dict[str, Any], index: int) -> Item | None:
        raise NotImplementedError

    def _hub_items(self) -> list[Item]:
        try:
            rows: Iterable[dict] = load_hub(self.hub_path, self.hub_name, self.hub_split, self.revision,
                                            self.hub_files)
        except DataError as exc:
            raise DataError(f"task {self.name}: {exc}") from None
        unique: dict[str, Item] = {}
        for i, row in enumerate(rows):
            if (it := self.from_hub_row(dict(row), i)) is not None:
                unique.setdefault(it.id, it)
        items = list(unique.values())
        if not items:
            raise DataError(f"task {self.name}: no usable items in {self.hub_path}")
        return items
