"""The authors' released prompt files: exact stimuli, loaded at run time.

One JSON object per line with ``content_key``, ``correct_answer``,
``incorrect_answer``, ``prompt_template``, ``prompt``, ``amendment_type``
(medqa/disinfo files may name the item and answers differently; the same
column fallbacks as the CSV importer apply). ``path`` may be a local file or
an http(s) URL (downloaded once into the warmth cache).
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from warmth.errors import DataError
from warmth.eval.authors_csv import CORRECT_COLS, ITEM_COLS, TEMPLATE_COLS, WRONG_COLS, first_of
from warmth.eval.contexts import from_authors
from warmth.eval.interfaces import Item, Prompt
from warmth.eval.prompts import in_design
from warmth.paths import cache_dir


def fetch(path: str) -> Path:
    if not path.startswith(("http://", "https://")):
        local = Path(path).expanduser()
        if not local.exists():
            raise DataError(f"authors' prompt file not found: {local}")
        return local
    import httpx

    target = cache_dir("authors_prompts") / (hashlib.sha256(path.encode()).hexdigest()[:16] + ".jsonl")
    if not target.exists():
        try:
            resp = httpx.get(path, timeout=60, follow_redirects=True)
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise DataError(f"could not download authors' prompt file {path}: {exc}") from None
        target.write_bytes(resp.content)
    return target


def load_prompts(path: str, task: str, contexts: list[str], templates: list[str],
                 n_items: int | None, seed: int) -> list[Prompt]:
    """Prompts of the file restricted to the configured contexts/templates and n items."""
    file = fetch(path)
    prompts: list[Prompt] = []
    seen: set[tuple] = set()
    for lineno, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise DataError(f"{path}:{lineno}: invalid JSON") from None
        item_id = first_of(row, ITEM_COLS)
        template = first_of(row, TEMPLATE_COLS)
        for name, value in (("content_key", item_id), ("prompt_template", template),
                            ("prompt", row.get("prompt")), ("amendment_type", row.get("amendment_type"))):
            if not value:
                raise DataError(f"{path}:{lineno}: missing field {name!r}")
        context = from_authors(str(row["amendment_type"]))
        if context not in contexts or template not in templates or not in_design(context, template):
            continue
        key = (item_id, template, context)
        if key in seen:
            raise DataError(f"{path}:{lineno}: duplicated prompt (item {item_id!r}, {template}, {context})")
        seen.add(key)
        item = Item(id=str(item_id), question=str(item_id), correct_answer=first_of(row, CORRECT_COLS),
                    incorrect_answer=first_of(row, WRONG_COLS), meta={"source": "authors"})
        text = str(row["prompt"])
        prompts.append(Prompt(item=item, task=task, template=template, context=context, statement_id=None,
                              messages=[{"role": "user", "content": text}], text=text))
    ids = sorted({p.item.id for p in prompts})
    if not ids:
        raise DataError(f"{path}: no prompts for contexts {contexts} and templates {templates}")
    if n_items is not None and n_items < len(ids):
        keep = set(random.Random(seed).sample(ids, n_items))
        prompts = [p for p in prompts if p.item.id in keep]
    return prompts
