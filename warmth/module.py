"""The LightningModule: any causal LM, optionally with LoRA, trained on assistant tokens.

The HF model is built in :meth:`configure_model`, not ``__init__``, so that
sharded strategies (DeepSpeed ZeRO-3, FSDP) can create it under their own
context and no rank materialises the whole model on its own.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from lightning import LightningModule
from omegaconf import DictConfig, OmegaConf

from warmth.data.masking import IGNORE_INDEX
from warmth.data.windows import WINDOW_LEN, WINDOW_POS, WINDOW_TOKENS, without_stamps
from warmth.models import load_model
from warmth.models.compiled_layers import compile_decoder_layers
from warmth.models.segment_attention import use_segment_attention
from warmth.objectives import Objective, cross_entropy_sum, shifted_targets, trained_logits

__all__ = ["IGNORE_INDEX", "ChatLM", "lr_lambda", "masked_lm_loss"]


def masked_lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean next-token cross-entropy of one batch's full logits (0 without targets), and the number of targets."""
    loss_sum, count = cross_entropy_sum(*shifted_targets(logits, labels))
    return loss_sum / count.clamp(min=1), count


def _sum_over_ranks(value: torch.Tensor) -> torch.Tensor:
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        dist.all_reduce(value, op=dist.ReduceOp.SUM)
    return value


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

    def __init__(self, model_cfg: DictConfig, peft_cfg: DictConfig, trainer_cfg: DictConfig, tokenizer: Any,
                 objective: Objective | None = None):
        super().__init__()
        # What a step's loss is made of (conf/objective); not a submodule, so a frozen
        # reference it may hold is never trained or checkpointed.
        self.objective = objective or Objective()
        self.model_cfg = model_cfg
        self.peft_cfg = peft_cfg
        self.trainer_cfg = trainer_cfg
        self.tokenizer = tokenizer
        self.model: Any = None
        self._window_tokens: torch.Tensor | None = None  # trained tokens of the current step, all ranks
        self._window_sums: dict[str, torch.Tensor] = {}  # this rank's summed loss (and terms) so far in it
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
        if self.trainer_cfg.get("segment_attention", True):
            use_segment_attention(model)
        if self.trainer_cfg.gradient_checkpointing:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
            model.config.use_cache = False
        if self.peft_cfg.method == "lora":
            model = self._add_lora(model)
        if self.trainer_cfg.get("compile", False):
            compile_decoder_layers(model, on_cpu=self._compiles_on_cpu())
        # from_pretrained returns eval mode; LoRA dropout must be active in training.
        model.train()
        self.model = model
        self.objective.setup(self)

    def _param_dtype(self) -> torch.dtype | None:
        """The dtype to load weights in: fp32 wherever an optimizer updates them under ``*-mixed``.

        ``bf16-mixed``/``16-mixed`` compute in 16 bits under autocast; trained
        weights stay fp32 (their own master copy, Adam's moments fp32), since
        a 16-bit weight swallows updates below its rounding step. A LoRA
        run's frozen base is loaded in 16 bits (peft keeps the adapters in
        fp32); DeepSpeed casts the model to 16 bits itself and keeps fp32
        masters in its optimizer. ``bf16-true``/``16-true`` train pure 16-bit
        weights, as asked; ``32-true`` loads fp32 (``model.dtype: auto`` would
        give bf16 on GPUs).
        """
        precision = str(self.trainer.precision) if self._trainer is not None else ""
        half = torch.bfloat16 if precision.startswith("bf16") else torch.float16 if precision.startswith("16") \
            else None
        if half is None:
            return torch.float32 if precision.startswith("32") else None  # None: the preset's dtype
        if precision.endswith("-true") or self.peft_cfg.method == "lora" or self._under_deepspeed():
            return half
        return torch.float32

    def _compiles_on_cpu(self) -> bool:
        """Whether ``trainer.compile`` compiles for the CPU (outside a Trainer: yes); one process only.

        Under DDP the compiled layers trained a different model from the eager ones (a LoRA
        tensor 2.8% off where eager DDP stays within 1% of one process), so it is refused
        until that is understood (``strategy=auto`` picking several devices ends here).
        """
        from warmth.errors import ConfigError

        if self._trainer is None:
            return True
        if self.trainer.world_size > 1:
            raise ConfigError(f"trainer.compile=true runs in one process on one device, not in {self.trainer.world_size} "
                              "processes: set trainer.compile=false or trainer.devices=1")
        return self.trainer.strategy.root_device.type == "cpu"

    def _under_deepspeed(self) -> bool:
        from lightning.pytorch.strategies import DeepSpeedStrategy

        return isinstance(self.trainer.strategy, DeepSpeedStrategy)

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
    def model_inputs(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """What the HF model's forward takes from a batch (labels and window stamps left out)."""
        return {k: v for k, v in without_stamps(batch).items() if k != "labels"}

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Logits at the batch's trained positions only, ``[N, V]`` (``warmth.objectives.trained_logits``)."""
        return trained_logits(self.model, self.model_inputs(batch), batch["labels"])

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        """Token-weighted: the step's loss is its summed token losses / its trained tokens.

        The denominator is the trained-token count of the whole accumulation
        window on all ranks (stamped on the batch by the loader, summed over
        ranks once per window). Lightning divides the returned loss by
        ``accumulate_grad_batches`` and data parallelism averages gradients
        over ranks; the returned loss is scaled to undo both, so the step's
        gradient is that of (sum of all token losses) / (all trained tokens),
        also for the shorter last window of an epoch.
        """
        out = self.objective.step_loss(self, batch)
        stamped = WINDOW_TOKENS in batch  # else (a plain loader): each micro-batch its own mean
        if not stamped or batch[WINDOW_POS] == 0:
            local = batch[WINDOW_TOKENS] if stamped else out.count
            self._window_tokens = _sum_over_ranks(local.detach().clone().to(out.total.device))
            self._window_sums = {}
        tokens = self._window_tokens.clamp(min=1).to(out.total.dtype)
        for name, value in {"loss": out.total, **out.terms}.items():  # this rank's sums so far
            self._window_sums[name] = self._window_sums.get(name, 0.0) + value.detach()
        if not stamped or batch[WINDOW_POS] == batch[WINDOW_LEN] - 1:
            for name, value in self._window_sums.items():  # train/loss, and each term (train/ce, train/kl)
                self.log(f"train/{name}", value / tokens, prog_bar=name == "loss", on_step=True, on_epoch=False,
                         sync_dist=True, reduce_fx="sum")
            self.log("train/trained_tokens", self._window_tokens.float(), on_step=True, on_epoch=False)
        trainer = self.trainer
        undo = (trainer.accumulate_grad_batches if stamped else 1) * trainer.world_size
        return out.total * (undo / tokens)

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
