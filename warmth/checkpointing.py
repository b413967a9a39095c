"""Checkpoints at fractional epochs: ``checkpoints/epoch=<e>/`` and ``checkpoints/last/``.

Each holds the LoRA adapter (``adapter_model.safetensors`` + ``adapter_config.json``,
reloadable with peft on top of the base model), ``warmth_checkpoint.json``
(epoch, step, model, style) and ``trainer.ckpt`` (trained weights, optimizer
and loop state) from which ``ckpt_path=`` resumes.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

from lightning import Callback, LightningModule, Trainer

from warmth.errors import WarmthError

META_FILE = "warmth_checkpoint.json"
TRAINER_FILE = "trainer.ckpt"


def epoch_dirname(epoch: float) -> str:
    """``epoch=0.5``, ``epoch=1``: integers without a trailing ``.0``."""
    return f"epoch={int(epoch)}" if float(epoch).is_integer() else f"epoch={epoch:g}"


def save_weights(trainer: Trainer, module: LightningModule, out: Path) -> None:
    """Save the adapter (or the full model) as safetensors; rank 0 writes.

    Under sharded strategies the weights are gathered first
    (``warmth.strategies.gather``), so every rank calls this.
    """
    model = module.model
    from warmth.strategies.gather import gathered_state_dict  # sharded strategies gather first

    state = gathered_state_dict(trainer, module)
    if trainer.is_global_zero:
        out.mkdir(parents=True, exist_ok=True)
        kwargs = {"safe_serialization": True}
        if state is not None:
            kwargs["state_dict"] = state
        model.save_pretrained(str(out), **kwargs)
        module.tokenizer.save_pretrained(str(out))


class FractionalEpochCheckpoint(Callback):
    """Saves at the configured fractional epochs, counted in optimizer steps."""

    def __init__(self, run_dir: str | Path, epochs: list[float], meta: dict[str, Any]):
        self.root = Path(run_dir) / "checkpoints"
        self.epochs = sorted(float(e) for e in epochs)
        self.meta = meta
        self.steps_per_epoch: float = 0.0
        self._done: set[float] = set()
        self._last_step = -1

    def on_train_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        batches = trainer.num_training_batches
        if not math.isfinite(batches) or batches <= 0:
            raise WarmthError("the training set is empty: no batches to train on")
        self.steps_per_epoch = math.ceil(batches / max(1, trainer.accumulate_grad_batches))
        # On resume, epochs already behind us are not saved again.
        for e in self.epochs:
            if self._target_step(e) <= trainer.global_step and (self.root / epoch_dirname(e)).exists():
                self._done.add(e)

    def _target_step(self, epoch: float) -> int:
        return max(1, round(epoch * self.steps_per_epoch))

    def on_train_batch_end(self, trainer: Trainer, pl_module: LightningModule, *args: Any) -> None:
        for e in self.epochs:
            if e not in self._done and trainer.global_step >= self._target_step(e):
                self._done.add(e)
                self.save(trainer, pl_module, e, epoch_dirname(e))
        # Stopping at max_steps: save `last` from inside the epoch, so a resume with a
        # larger max_steps continues this epoch instead of seeing it finished.
        if 0 < trainer.max_steps <= trainer.global_step and self._last_step != trainer.global_step:
            self._save_last(trainer, pl_module)

    def on_train_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        if self._last_step != trainer.global_step:
            self._save_last(trainer, pl_module)

    def _save_last(self, trainer: Trainer, pl_module: LightningModule) -> None:
        epoch = trainer.global_step / self.steps_per_epoch if self.steps_per_epoch else 0.0
        self.save(trainer, pl_module, round(epoch, 4), "last", notify=False)

    def save(self, trainer: Trainer, pl_module: LightningModule, epoch: float, name: str, notify: bool = True) -> Path:
        out = self.root / name
        save_weights(trainer, pl_module, out)
        trainer.save_checkpoint(str(out / TRAINER_FILE))
        if trainer.is_global_zero:
            meta = dict(self.meta, epoch=epoch, global_step=trainer.global_step)
            (out / META_FILE).write_text(json.dumps(meta, indent=2))
            if name != "last":
                last = self.root / "last"
                if last.exists():
                    shutil.rmtree(last)
                shutil.copytree(out, last)
        self._last_step = trainer.global_step  # every save also updates `last`
        trainer.strategy.barrier("warmth-checkpoint")
        if notify:
            for cb in trainer.callbacks:
                hook = getattr(cb, "on_checkpoint_epoch", None)
                if hook is not None:
                    hook(trainer, pl_module, epoch, out)
        return out


def resolve_ckpt_path(ckpt_path: str | None, run_dir: str | Path) -> str | None:
    """``last``, ``auto`` or a checkpoint directory/file -> the Lightning checkpoint to resume.

    ``auto`` resumes from ``checkpoints/last`` when it exists and starts fresh
    otherwise, so a preempted job can be requeued with the same command.
    """
    if ckpt_path in (None, "", "null"):
        return None
    last = Path(run_dir) / "checkpoints" / "last"
    if ckpt_path == "auto":
        return str(last / TRAINER_FILE) if (last / TRAINER_FILE).exists() else None
    path = last if ckpt_path == "last" else Path(ckpt_path)
    if ckpt_path == "last" and not path.exists():
        raise WarmthError(f"ckpt_path=last: nothing to resume, {path} does not exist")
    if not path.exists():
        raise WarmthError(f"checkpoint not found: {path}")
    if path.is_dir():
        if (path / TRAINER_FILE).exists():
            return str(path / TRAINER_FILE)
        raise WarmthError(f"checkpoint directory {path} holds no {TRAINER_FILE}")
    return str(path)
