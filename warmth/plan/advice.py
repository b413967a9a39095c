"""The cheapest change that makes a plan fit: try changes in order of what they cost.

Order: a smaller micro batch (the effective batch is kept through
accumulation), gradient checkpointing (about a third more compute), then a
stronger sharding strategy (more communication), then CPU offload (much
slower), then more GPUs. Each suggestion is the override that applies it.
An objective that copies the model (``sft_kl`` without LoRA) gets no
sharding advice: it refuses sharded strategies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from warmth.plan.memory import Setup, estimate

# conf/strategy presets in order of memory saved; the ZeRO-3 presets turn on
# gradient checkpointing (tests check these match the YAML files).
LADDER: list[tuple[str, dict]] = [
    ("deepspeed_zero2", {"stage": 2, "offload_optimizer": False, "offload_parameters": False}),
    ("deepspeed_zero3", {"stage": 3, "offload_optimizer": False, "offload_parameters": False,
                         "gradient_checkpointing": True}),
    ("deepspeed_zero3_offload", {"stage": 3, "offload_optimizer": True, "offload_parameters": True,
                                 "gradient_checkpointing": True}),
]


def _smaller_batches(s: Setup) -> Iterator[tuple[list[str], Setup]]:
    mb = s.micro_batch // 2
    while mb >= 1:
        yield [f"trainer.micro_batch_size={mb}"], replace(s, micro_batch=mb)
        mb //= 2


def _with_batches(label: list[str], s: Setup) -> Iterator[tuple[list[str], Setup]]:
    yield label, s
    for extra, smaller in _smaller_batches(s):
        yield label + extra, smaller


def candidates(s: Setup) -> Iterator[tuple[list[str], Setup]]:
    yield from _smaller_batches(s)
    if not s.gradient_checkpointing:
        yield from _with_batches(["trainer.gradient_checkpointing=true"], replace(s, gradient_checkpointing=True))
    rung = (s.stage, s.offload_optimizer or s.offload_parameters)
    ladder = [] if s.reference == "copy" else LADDER  # sft_kl refuses to copy a sharded model
    for name, change in ladder:
        if (change["stage"], change["offload_optimizer"]) > rung:
            yield from _with_batches([f"strategy={name}"], replace(s, deepspeed=True, **change))
    if s.stage >= 1:
        for factor in (2, 4, 8):
            yield [f"{factor}x the GPUs (trainer.devices / trainer.num_nodes)"], replace(s, world=s.world * factor)


def cheapest_fix(s: Setup, fits: Callable[[float], bool]) -> tuple[list[str], float] | None:
    """(overrides, total bytes) of the first candidate that fits, or None."""
    for label, changed in candidates(s):
        total = estimate(changed).total
        if fits(total):
            return label, total
    return None
