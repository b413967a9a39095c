"""Helpers the tasks share: deterministic sampling, hub access (all tasks), bundled files,
verdicts from an extracted answer (capability judges)."""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from warmth.errors import ConfigError, DataError
from warmth.eval.interfaces import Prompt, Verdict

log = logging.getLogger(__name__)

T = TypeVar("T")
SOURCES = ("auto", "hub", "bundled")


def offline() -> bool:
    flags = (os.environ.get(k, "").strip().lower() for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))
    return any(f in {"1", "true", "yes", "on"} for f in flags)


def check_source(task: str, source: str) -> str:
    if source not in SOURCES:
        raise ConfigError(f"{task}.source must be one of {SOURCES}, got {source!r}")
    return source


def use_hub(task: str, source: str) -> bool:
    """``auto`` reaches the hub unless HF_HUB_OFFLINE / HF_DATASETS_OFFLINE is set."""
    check_source(task, source)
    return source == "hub" or (source == "auto" and not offline())


def hub_or_bundled(task: str, source: str, hub: Callable[[], list[T]], bundled: Callable[[], list[T]]) -> list[T]:
    """The hub's items when ``use_hub``; with ``auto`` a failed hub load falls back, with a warning."""
    if not use_hub(task, source):
        return bundled()
    try:
        return hub()
    except DataError as exc:
        if source == "hub":
            raise
        log.warning("%s: %s; using the offline sample", task, exc)
        return bundled()


def sample(items: Sequence[T], n_items: int | None, seed: int) -> list[T]:
    """``n_items`` of ``items`` chosen by ``seed``, kept in their original order."""
    if n_items is None or n_items >= len(items):
        return list(items)
    if n_items < 0:
        raise ConfigError(f"n_items must be >= 0 or null, got {n_items}")
    keep = sorted(random.Random(seed).sample(range(len(items)), n_items))
    return [items[i] for i in keep]


def load_hub(path: str, name: str | None, split: str, revision: str | None = None,
             data_files: str | list[str] | None = None) -> Any:
    """A split of a hub dataset (``data_files``: only these files of the repo), with the reason in one line when it fails."""
    try:
        import datasets
    except ImportError:
        raise DataError(f"loading {path} from the hub needs the `datasets` package (pip install datasets)") from None
    try:
        if data_files:
            return datasets.load_dataset(path, name, data_files=data_files, split=split, revision=revision)
        return datasets.load_dataset(path, name, split=split, revision=revision)
    except Exception as exc:  # noqa: BLE001 - network, auth, unknown config or revision: the user's to fix
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = f"{path}/{name}" if name else path
        pinned = f" at revision {revision}" if revision else ""
        hint = " (HF_HUB_OFFLINE/HF_DATASETS_OFFLINE is set: unset it or use an offline source)" if offline() else ""
        raise DataError(f"could not load {where} ({split}{pinned}) from the hub{hint}: "
                        f"{type(exc).__name__}: {first}") from None


def extracted_verdicts(judge: str, prompts: Sequence[Prompt], responses: Sequence[str],
                       extract: Callable[[Prompt, str], str | None], matches: Callable[[str, Prompt], bool],
                       missing: str) -> list[Verdict]:
    """One verdict per response: unscored (reason ``missing``) when ``extract`` finds no answer,
    else correct or incorrect by ``matches``; the extracted answer is the verdict's ``raw``."""
    out = []
    for p, r in zip(prompts, responses):
        got = extract(p, r)
        if got is None:
            out.append(Verdict("unscored", judge, None, missing))
        else:
            out.append(Verdict("correct" if matches(got, p) else "incorrect", judge, got))
    return out
