"""The LightningModule: any causal LM, optionally with LoRA, trained on assistant tokens.

The HF model is built in :meth:`configure_model`, not ``__init__``, so that
sharded strategies (DeepSpeed ZeRO-3, FSDP) can create it under their own
context and no rank materialises the whole model on its own.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from lightning import LightningModule
from omegaconf import DictConfig, OmegaConf

from warmth.models import load_model

IGNORE_INDEX = -100


def masked_lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean next-token cross-entropy over positions whose label is not ignored.

    Returns (loss, number of counted tokens). Labels are shifted here, so a
    packed row's first token of a conversation is never a target of the
    previous one (its label is always ignored: it is not an assistant token).
    """
    shift_logits = logits[:, :-1, :].float()
    shift_labels = labels[:, 1:]
    count = (shift_labels != IGNORE_INDEX).sum()
    loss_sum = F.cross_entropy(
        shift_logits.reshape(-1, shift_logits.size(-1)),
        shift_labels.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
    return loss_sum / count.clamp(min=1), count


def lr_lambda(step: int, total: int, warmup: int, kind: str, min_ratio: float) -> float:
    """Learning-rate multiplier: linear warmup, then constant, linear or cosine decay."""
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    if kind == "constant" or total <= warmup:
        return 1.0
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    if kind == "linear":
        decay = 1.0 - progress
    else:
        decay = 0.5 * (1.0 + math.cos(math.pi * progress))
    return min_ratio + (1.0 - min_ratio) * decay


class ChatLM(LightningModule):
    """Wraps an ``AutoModelForCausalLM``; attributes ``model`` and ``tokenizer``."""

    def __init__(self, model_cfg: DictConfig, peft_cfg: DictConfig, trainer_cfg: DictConfig, tokenizer: Any):
        super().__init__()
        self.model_cfg = model_cfg
        self.peft_cfg = peft_cfg
        self.trainer_cfg = trainer_cfg
        self.tokenizer = tokenizer
        self.model: Any = None
        # Checkpoints keep only trained weights; loading them must not demand the frozen rest.
        self.strict_loading = False
        self.save_hyperparameters(
            {
                "model": OmegaConf.to_container(model_cfg, resolve=True),
                "peft": OmegaConf.to_container(peft_cfg, resolve=True),
                "trainer": OmegaConf.to_container(trainer_cfg, resolve=True),
            }
        )

    # -- building -------------------------------------------------------
    def configure_model(self) -> None:
        if self.model is not None:
            return
        model = load_model(self.model_cfg, dtype=self._param_dtype())
        if self.trainer_cfg.gradient_checkpointing:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
            model.config.use_cache = False
        if self.peft_cfg.method == "lora":
            model = self._add_lora(model)
        # from_pretrained returns eval mode; LoRA dropout must be active in training.
        model.train()
        self.model = model

    def _param_dtype(self) -> torch.dtype | None:
        precision = str(self.trainer.precision) if self._trainer is not None else ""
        if precision.startswith("bf16"):
            return torch.bfloat16
        if precision.startswith("16"):
            return torch.float16
        return None  # the model preset's dtype

    def _add_lora(self, model: Any) -> Any:
        from peft import LoraConfig, get_peft_model

        targets = list(self.peft_cfg.target_modules or [])
        if not targets:
            from warmth.errors import ConfigError

            raise ConfigError(f"peft.target_modules is empty for model '{self.model_cfg.name}'")
        if self.trainer_cfg.gradient_checkpointing:
            model.enable_input_require_grads()
        config = LoraConfig(
            r=int(self.peft_cfg.r),
            lora_alpha=int(self.peft_cfg.alpha),
            lora_dropout=float(self.peft_cfg.dropout),
            target_modules=targets,
            task_type="CAUSAL_LM",
        )
        return get_peft_model(model, config)

    # -- steps ----------------------------------------------------------
    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        inputs = {k: v for k, v in batch.items() if k != "labels"}
        return self.model(**inputs, use_cache=False).logits

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        logits = self(batch)
        loss, count = masked_lm_loss(logits, batch["labels"])
        self.log("train/loss", loss, prog_bar=True, on_step=True, on_epoch=False, sync_dist=False)
        self.log("train/trained_tokens", count.float(), on_step=True, on_epoch=False, reduce_fx="sum")
        return loss

    # -- checkpoints hold trained weights only ---------------------------
    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        if self.peft_cfg.method != "lora" or "state_dict" not in checkpoint:
            return
        trained = {n for n, p in self.named_parameters() if p.requires_grad}
        checkpoint["state_dict"] = {k: v for k, v in checkpoint["state_dict"].items() if k in trained}

    # -- optimisation ---------------------------------------------------
    def configure_optimizers(self) -> dict[str, Any]:
        cfg = self.trainer_cfg
        params = [p for p in self.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(
            params, lr=float(cfg.lr), betas=tuple(cfg.betas), weight_decay=float(cfg.weight_decay)
        )
        total = max(1, int(self.trainer.estimated_stepping_batches))
        warmup = round(float(cfg.warmup_ratio) * total)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer,
            lambda step: lr_lambda(step, total, warmup, str(cfg.scheduler), float(cfg.min_lr_ratio)),
        )
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}
