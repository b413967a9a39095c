"""``sft_kl``: cross-entropy plus beta x KL(fine-tuned || base) on the trained tokens.

The KL term keeps the fine-tuned next-token distribution near the base
model's where the style data trains it, so that the model can take on the
style while staying close to what the base model would have said.

With LoRA the base model is the same weights with the adapter switched off:
one extra forward pass under ``torch.no_grad()`` per micro-batch and no second
copy of the model (it works under DDP, DeepSpeed ZeRO-2/3 and FSDP: the adapter
is switched off inside the wrapped module, and the pass goes through the model's
own forward, whose sharding hooks gather the weights). Without LoRA a frozen
reference copy is made once; ``warmth.plan`` counts its memory, and sharded
strategies are refused (a copy of a sharded model is not a model).
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import torch
import torch.nn.functional as F

from warmth.errors import ConfigError
from warmth.objectives import (
    LossSums,
    Objective,
    cross_entropy_sum,
    trained_logits,
    trained_targets,
)


def kl_sum(logits: torch.Tensor, ref_logits: torch.Tensor) -> torch.Tensor:
    """Summed KL(p || q) over trained positions: p from the fine-tuned ``logits``, q from the
    reference's ``ref_logits``, both ``[N, V]`` at the same positions."""
    log_p = F.log_softmax(logits.float(), dim=-1)
    log_q = F.log_softmax(ref_logits.float(), dim=-1)
    return F.kl_div(log_q, log_p, log_target=True, reduction="sum")


class SFTKL(Objective):
    name = "sft_kl"

    def __init__(self, beta: float = 0.1):
        if float(beta) < 0:
            raise ConfigError(f"objective.beta must be >= 0, got {beta}")
        self.beta = float(beta)
        self.reference: torch.nn.Module | None = None

    def setup(self, module: Any) -> None:
        if self.reference_model(lora=module.peft_cfg.method == "lora") != "copy":
            return
        strategy = type(module.trainer.strategy).__name__ if module._trainer is not None else ""
        if "DeepSpeed" in strategy or "FSDP" in strategy:
            raise ConfigError("objective=sft_kl with peft=none needs a frozen reference copy, which a sharded "
                              f"strategy ({strategy}) cannot hold; use peft=lora or strategy=auto|ddp")
        # Not a submodule of the LightningModule: never trained, never checkpointed.
        self.reference = copy.deepcopy(module.model).eval().requires_grad_(False)

    def _reference_logits(self, module: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """The base model's logits at the trained positions, [N, V], without a graph."""
        inputs = module.model_inputs(batch)
        with torch.no_grad():
            if self.reference is not None:
                self.reference.to(module.device)
                return trained_logits(self.reference, inputs, batch["labels"])
            with _adapter_off(module.model):
                return trained_logits(module.model, inputs, batch["labels"])

    def loss(self, module: Any, batch: dict[str, torch.Tensor], logits: torch.Tensor) -> LossSums:
        ce, count = cross_entropy_sum(logits, trained_targets(batch["labels"]))
        if self.beta == 0.0:  # exactly sft: no reference pass, the same graph
            zero = ce.detach() * 0
            return LossSums(total=ce, count=count, terms={"ce": ce.detach(), "kl": zero})
        kl = kl_sum(logits, self._reference_logits(module, batch))
        return LossSums(total=ce + self.beta * kl, count=count,
                        terms={"ce": ce.detach(), "kl": kl.detach()})

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "beta": self.beta}

    def reference_model(self, lora: bool) -> str | None:
        if self.beta == 0.0:
            return None
        return "adapter_off" if lora else "copy"


def _adapter_off(model: Any) -> contextlib.AbstractContextManager:
    """peft's switch that runs the base weights alone (dropout of the adapter included)."""
    if not hasattr(model, "disable_adapter"):
        raise ConfigError("objective=sft_kl needs LoRA (peft=lora) or a frozen reference (peft=none)")
    return model.disable_adapter()
