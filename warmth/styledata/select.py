"""The selection pipeline: source -> content filter -> labels -> truncation -> balanced sample.

Two streaming passes over the source keep memory at one conversation: pass 1
filters and labels everything and remembers only (position, type); the sample
is drawn from those; pass 2 re-reads the source and keeps the picked positions.
Each stage's counts are logged and returned for the manifest.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from warmth.conversation import Conversation
from warmth.errors import DataError
from warmth.styledata.filters import ContentFilter
from warmth.styledata.labels import QUERY_TYPES, label_conversation, pair_labels
from warmth.styledata.sampling import balanced_sample, truncate
from warmth.styledata.source import Source

log = logging.getLogger(__name__)


@dataclass
class Selection:
    conversations: list[Conversation]
    stages: list[dict[str, Any]] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    load: dict[str, Any] = field(default_factory=dict)


def select(source: Source, content_filter: ContentFilter, size: int | None, seed: int,
           max_turns: int = 20, balanced: bool = True) -> Selection:
    """Run every stage; ``size=None`` keeps all conversations (no sampling)."""
    candidates: dict[str, list[int]] = {t: [] for t in QUERY_TYPES}
    dropped: Counter = Counter()
    n_in = over_limit = 0
    for pos, conv in enumerate(source):
        n_in += 1
        ok, reason = content_filter.keep(conv)
        if not ok:
            dropped[reason.split(":")[0]] += 1
            continue
        candidates[label_conversation(conv)].append(pos)
        start = 1 if conv.system is not None else 0
        over_limit += max_turns > 0 and len(conv.messages) - start > max_turns
    load = source.report.to_dict()
    log.info("load: %s", source.report.summary())
    if not n_in:
        raise DataError(f"{load['source']}: no usable conversation "
                        f"(skipped: {load['skipped'] or 'nothing read'})")
    kept = sum(len(v) for v in candidates.values())
    labels = {t: len(candidates[t]) for t in QUERY_TYPES}
    stages = [
        {"stage": "load", "in": load["read"], "out": load["kept"], "skipped": load["skipped"]},
        {"stage": "content_filter", **content_filter.provenance(), "in": n_in, "out": kept,
         "dropped": dict(sorted(dropped.items()))},
        {"stage": "label", "rules": "first-match (warmth.styledata.labels)", "counts": labels},
    ]
    log.info("content_filter (%s): %d -> %d; labels: %s", content_filter.method, n_in, kept, labels)
    if size is None:
        picked = sorted(p for v in candidates.values() for p in v)
    elif balanced:
        picked = balanced_sample(candidates, int(size), seed, QUERY_TYPES)
    else:
        every = sorted(p for v in candidates.values() for p in v)
        picked = sorted(random.Random(f"{seed}:all").sample(every, min(int(size), len(every))))
    order = {p: i for i, p in enumerate(picked)}
    type_of = {p: t for t, positions in candidates.items() for p in positions}  # the label sampling used
    chosen: list[Conversation | None] = [None] * len(picked)
    cut = 0
    for pos, conv in enumerate(source):  # pass 2: same stream, same positions
        if pos in order:
            cut += truncate(conv, max_turns)
            conv.meta.update({"query_type": type_of[pos], "pair_types": pair_labels(conv),
                              "source_position": pos})
            chosen[order[pos]] = conv
    convs = [c for c in chosen if c is not None]
    if len(convs) != len(picked):
        raise DataError(f"{load['source']}: source changed between passes "
                        f"({len(convs)} of {len(picked)} picked conversations found again)")
    _unique_ids(convs)
    per_type = Counter(c.meta["query_type"] for c in convs)
    stages.append({"stage": "truncate", "max_turns": max_turns, "over_limit_in_pool": over_limit,
                   "in": len(convs), "truncated": cut})
    stages.append({"stage": "sample", "size": size, "seed": seed, "balanced": balanced,
                   "out": len(convs), "per_type": {t: per_type.get(t, 0) for t in QUERY_TYPES},
                   "short_by": max(0, int(size) - len(convs)) if size is not None else 0})
    log.info("truncate: %d of %d cut to <= %d turns; sample: %d %s", cut, len(convs), max_turns,
             len(convs), dict(per_type))
    return Selection(convs, stages, source.describe(), load)


def _unique_ids(convs: list[Conversation]) -> None:
    """Make ids unique (a source may repeat one) so turn keys never collide."""
    seen: Counter = Counter()
    for c in convs:
        seen[c.id] += 1
        if seen[c.id] > 1:
            c.id = f"{c.id}#{seen[c.id]}"
