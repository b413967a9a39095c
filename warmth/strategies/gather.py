"""Collect trained weights that a sharded strategy split across ranks, before saving.

Under ZeRO-3 and FSDP each rank holds only a slice of every parameter, so
``model.state_dict()`` on rank 0 gives empty or partial tensors (the source
of 40-byte adapters elsewhere). Every rank must call
:func:`gathered_state_dict`: the gathers are collectives. With LoRA only the
trained parameters are gathered; the frozen base is never assembled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

CHUNK = 64  # parameters gathered per collective


def _is_zero3(strategy: Any) -> bool:
    return bool(getattr(strategy, "zero_stage_3", False))


def _is_fsdp2(strategy: Any) -> bool:
    from lightning.pytorch.strategies import ModelParallelStrategy

    return isinstance(strategy, ModelParallelStrategy)


def _params_to_save(model: torch.nn.Module) -> list[tuple[str, torch.nn.Parameter]]:
    params = list(model.named_parameters())
    trained = [(n, p) for n, p in params if p.requires_grad]
    return trained if trained and len(trained) < len(params) else params


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def gathered_state_dict(trainer: Any, module: Any) -> dict[str, torch.Tensor] | None:
    """Full tensors of the weights to save (on rank 0; empty on others), or None when unsharded.

    Keys are ``module.model``'s parameter names, ready for
    ``model.save_pretrained(dir, state_dict=...)`` (peft keeps the LoRA keys).
    """
    strategy = trainer.strategy
    model = module.model
    rank0 = trainer.is_global_zero
    state: dict[str, torch.Tensor] = {}
    if _is_zero3(strategy):
        import deepspeed

        for chunk in _chunks(_params_to_save(model), CHUNK):
            with deepspeed.zero.GatheredParameters([p for _, p in chunk], modifier_rank=None):
                if rank0:
                    state.update({n: p.detach().cpu().clone() for n, p in chunk})
        return state
    if _is_fsdp2(strategy):
        from torch.distributed.tensor import DTensor

        for name, param in _params_to_save(model):
            full = param.full_tensor() if isinstance(param, DTensor) else param
            if rank0:
                state[name] = full.detach().cpu().clone()
        return state
    return None
