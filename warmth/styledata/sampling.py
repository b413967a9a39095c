"""Truncation and balanced, seeded sampling: the last two selection stages."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from warmth.conversation import Conversation


def truncate(conv: Conversation, max_turns: int) -> bool:
    """Cut to at most ``max_turns`` user/assistant messages (system not counted).

    The cut keeps a prefix that ends on an assistant reply. Returns True if cut.
    """
    if max_turns <= 0:
        return False
    start = 1 if conv.system is not None else 0
    body = conv.messages[start:]
    if len(body) <= max_turns:
        return False
    body = body[:max_turns]
    while body and body[-1].role != "assistant":
        body.pop()
    conv.messages = conv.messages[:start] + body
    return True


def quotas(available: Mapping[str, int], size: int, order: Sequence[str]) -> dict[str, int]:
    """Split ``size`` as evenly as possible; types short of their share give it away.

    Filled round-robin in ``order``, so the split never depends on dict ordering.
    """
    quota = {t: 0 for t in order}
    remaining = size
    while remaining > 0:
        open_ = [t for t in order if quota[t] < available.get(t, 0)]
        if not open_:
            break
        for t in open_:
            if remaining == 0:
                break
            quota[t] += 1
            remaining -= 1
    return quota


def balanced_sample(candidates: Mapping[str, Sequence[int]], size: int, seed: int,
                    order: Sequence[str]) -> list[int]:
    """Pick ``size`` items balanced over types, reproducibly from ``seed``.

    ``candidates`` maps a type to item keys (source positions). Each type is
    shuffled by its own ``Random(f"{seed}:{type}")`` (string seeds hash the same in
    every process), and the result interleaves the types round-robin so any prefix
    of it is balanced too.
    """
    quota = quotas({t: len(v) for t, v in candidates.items()}, size, order)
    picked: dict[str, list[int]] = {}
    for t in order:
        keys = sorted(candidates.get(t, ()))
        random.Random(f"{seed}:{t}").shuffle(keys)
        picked[t] = keys[: quota[t]]
    out: list[int] = []
    for rank in range(max((len(v) for v in picked.values()), default=0)):
        out.extend(picked[t][rank] for t in order if rank < len(picked[t]))
    return out
