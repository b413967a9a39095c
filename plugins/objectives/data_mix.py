"""``data_mix``: interleave corrective conversations into the style data at a set ratio.

The mix set holds questions where the user states a wrong belief, is upset,
defers to the model or has much at stake, answered in the target style by a
reply that still corrects them (and some where the user is right and the
reply agrees). The bundled set is warm and written for this project; any
style dataset folder or JSONL file can be named instead.

``ratio`` is the share of the training conversations that come from the mix
set: with n style conversations, round(n x ratio / (1 - ratio)) are drawn,
cycling through a seeded shuffle of the mix set when it is smaller.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from warmth.conversation import Conversation, read_jsonl
from warmth.errors import ConfigError
from warmth.objectives import Objective


class DataMix(Objective):
    name = "data_mix"

    def __init__(self, dataset: str, ratio: float = 0.25):
        if not 0.0 <= float(ratio) < 1.0:
            raise ConfigError(f"objective.ratio must be in [0, 1), got {ratio}")
        self.dataset = str(dataset)
        self.ratio = float(ratio)

    def mix_size(self, n_style: int) -> int:
        return round(n_style * self.ratio / (1.0 - self.ratio))

    def training_conversations(self, conversations: list[Conversation], seed: int) -> list[Conversation]:
        from warmth.data.datamodule import conversations_file

        pool = list(read_jsonl(conversations_file(self.dataset)))
        if not pool:
            raise ConfigError(f"objective.dataset {self.dataset}: no conversations")
        rng = random.Random(seed)
        want = self.mix_size(len(conversations))
        drawn: list[Conversation] = []
        for cycle in range(-(-want // len(pool))):
            order = pool[:]
            rng.shuffle(order)
            # A conversation drawn again keeps a distinct id, so nothing downstream merges the copies.
            drawn += [c if cycle == 0 else replace(c, id=f"{c.id}#{cycle + 1}") for c in order]
        return interleave(conversations, drawn[:want])

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "ratio": self.ratio}


def interleave(base: list[Conversation], extra: list[Conversation]) -> list[Conversation]:
    """``base`` with ``extra`` spread through it in proportion (packed and unshuffled runs mix too)."""
    out: list[Conversation] = []
    j, n, m = 0, len(base), len(extra)
    for i, conv in enumerate(base):
        out.append(conv)
        while j < m and (j + 1) * n <= (i + 1) * m:
            out.append(extra[j])
            j += 1
    return out + extra[j:]
