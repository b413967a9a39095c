"""``python -m tests.warmth.strategies.grad_probe <train overrides>``: ``warmth.train`` that records step 1.

Runs the real entry point (every rank Lightning starts re-runs this module)
with one extra callback: before the first optimizer step it collects the
full gradient of every trained parameter (DeepSpeed: assembled from the
ZeRO partitions, FSDP: from the shards) and the pre-clip gradient norm the strategy clips with
(DeepSpeed: the engine's own), and rank 0 writes them to
``<run_dir>/grad_probe.pt``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hydra
import torch
from lightning.pytorch.callbacks import Callback
from omegaconf import DictConfig

from warmth import cli
from warmth.train import train

CONF = str(Path(__file__).resolve().parents[3] / "conf")
OUT = "grad_probe.pt"


def _deepspeed(trainer: Any) -> bool:
    from lightning.pytorch.strategies import DeepSpeedStrategy

    return isinstance(trainer.strategy, DeepSpeedStrategy)


class GradProbe(Callback):
    def __init__(self, out: Path):
        self.out = out
        self.grads: dict[str, torch.Tensor] | None = None

    def on_before_optimizer_step(self, trainer: Any, pl_module: Any, optimizer: Any) -> None:
        if self.grads is not None:
            return
        if _deepspeed(trainer):
            from deepspeed.utils import safe_get_full_grad

            def full(p: torch.Tensor) -> torch.Tensor:
                return safe_get_full_grad(p)  # a collective: every rank calls it
        else:
            from torch.distributed.tensor import DTensor

            def full(p: torch.Tensor) -> torch.Tensor:
                return p.grad.full_tensor() if isinstance(p.grad, DTensor) else p.grad  # FSDP2: a shard
        self.grads = {n: full(p).detach().double().cpu().clone()
                      for n, p in pl_module.model.named_parameters() if p.requires_grad}

    def on_train_end(self, trainer: Any, pl_module: Any) -> None:
        assert self.grads is not None, "no optimizer step was taken"
        norm = torch.stack([g.norm() for g in self.grads.values()]).norm().item()
        clip_norm = float(trainer.model.get_global_grad_norm()) if _deepspeed(trainer) else norm
        if trainer.is_global_zero:
            torch.save({"grads": self.grads, "norm": norm, "clip_norm": clip_norm,
                        "tokens": float(trainer.callback_metrics["train/trained_tokens"]),
                        "loss": float(trainer.callback_metrics["train/loss"])}, self.out)


@hydra.main(version_base="1.3", config_path=CONF, config_name="train")
def main(cfg: DictConfig) -> None:
    train(cfg, extra_callbacks=[GradProbe(Path(cfg.run_dir) / OUT)])


if __name__ == "__main__":
    cli.run(main)
