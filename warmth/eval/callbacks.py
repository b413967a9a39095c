"""Evaluation inside training: a probe at each checkpoint epoch, the full evaluation after fitting.

``build_eval_callbacks(cfg, run_dir)`` reads ``cfg.eval``:

- ``at_checkpoints``: evaluators run by ``on_checkpoint_epoch`` (called by the
  fractional-epoch checkpoint callback) on the live model; their metrics go
  to the loggers at the current step and into ``metrics.json`` under
  ``<prefix>/epoch=<e>/...``;
- ``evaluators``: run on the final model in ``on_train_end`` when
  ``after_fit``, and on the untrained model (epoch 0) in ``on_fit_start``
  when ``at_fit_start``.

Generation uses the live ``pl_module.model`` (peft-wrapped) and
``pl_module.tokenizer`` through the in-process HF backend. Under DDP the
prompts are sharded over ranks and records gathered on rank 0, which alone
writes files and logs. Under DeepSpeed ZeRO-3 (and FSDP) every rank takes part
in every ``generate`` call with ``synced_gpus=True`` (see runner).
"""

from __future__ import annotations

import math
from pathlib import Path

from lightning import Callback, LightningModule, Trainer
from omegaconf import DictConfig, OmegaConf

from warmth.eval.build import build_evaluators
from warmth.eval.evaluator import Dist, EvalContext, Evaluator
from warmth.eval.runner import run_evaluators
from warmth.metrics_file import update_metrics


def _epoch_key(key: str, epoch: float) -> str:
    prefix, _, rest = key.partition("/")
    return f"{prefix}/epoch={epoch:g}/{rest}" if rest else f"{key}/epoch={epoch:g}"


class EvalCallback(Callback):
    def __init__(self, checkpoint_evaluators: list[Evaluator], final_evaluators: list[Evaluator], run_dir: str | Path,
                 model_name: str, style: str, seed: int = 0, run_id: str | None = None,
                 at_fit_start: bool = False, after_fit: bool = True, batch_size: int = 16,
                 objective: str = "sft"):
        self.checkpoint_evaluators = checkpoint_evaluators
        self.final_evaluators = final_evaluators
        self.run_dir = Path(run_dir)
        self.model_name, self.style, self.seed = model_name, style, seed
        self.run_id = run_id or self.run_dir.name
        self.at_fit_start, self.after_fit = at_fit_start, after_fit
        self.batch_size = batch_size
        self.objective = objective

    def _context(self, trainer: Trainer, pl_module: LightningModule, epoch: float) -> EvalContext:
        from warmth_plugins.backends.hf import HFBackend

        dist = Dist.from_trainer(trainer)
        backend = HFBackend(model=pl_module.model, tokenizer=pl_module.tokenizer, batch_size=self.batch_size,
                            synced_gpus=dist.synced_gpus)
        return EvalContext(backend=backend, run_dir=self.run_dir, model=self.model_name, style=self.style,
                           epoch=float(epoch), seed=self.seed, run_id=self.run_id, dist=dist,
                           objective=self.objective)

    def _run(self, trainer: Trainer, pl_module: LightningModule, evaluators: list[Evaluator], epoch: float,
             per_epoch_keys: bool) -> dict[str, float]:
        if not evaluators:
            return {}
        ctx = self._context(trainer, pl_module, epoch)
        metrics = run_evaluators(evaluators, ctx, loggers=list(trainer.loggers), step=trainer.global_step,
                                 write_metrics=not per_epoch_keys)
        if per_epoch_keys and ctx.is_rank_zero and metrics:
            update_metrics(self.run_dir, {_epoch_key(k, epoch): v for k, v in metrics.items()})
        return metrics

    def on_checkpoint_epoch(self, trainer: Trainer, pl_module: LightningModule, epoch: float, ckpt_dir: Path) -> None:
        self._run(trainer, pl_module, self.checkpoint_evaluators, epoch, per_epoch_keys=True)

    def on_fit_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        if self.at_fit_start and trainer.global_step == 0:
            self._run(trainer, pl_module, self.final_evaluators, 0.0, per_epoch_keys=True)

    def on_train_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        if self.after_fit:
            self._run(trainer, pl_module, self.final_evaluators, fractional_epoch(trainer), per_epoch_keys=False)


def fractional_epoch(trainer: Trainer) -> float:
    """Epochs trained, counted in optimizer steps (as the checkpoint callback counts them)."""
    for cb in trainer.callbacks:
        spe = getattr(cb, "steps_per_epoch", 0)
        if spe:
            return round(trainer.global_step / spe, 4)
    batches = trainer.num_training_batches
    if math.isfinite(batches) and batches > 0:
        return round(trainer.global_step / math.ceil(batches / max(1, trainer.accumulate_grad_batches)), 4)
    return float(trainer.current_epoch)


def build_eval_callbacks(cfg: DictConfig, run_dir: str | Path) -> list[Callback]:
    """The evaluation callback named by ``cfg.eval`` (empty when nothing is configured)."""
    if cfg.get("eval") is None:
        return []
    at_ckpt = build_evaluators(cfg, "at_checkpoints")
    final = build_evaluators(cfg, "evaluators")
    at_fit_start = bool(OmegaConf.select(cfg, "eval.at_fit_start", default=False))
    after_fit = bool(OmegaConf.select(cfg, "eval.after_fit", default=True))
    if not at_ckpt and not (final and (at_fit_start or after_fit)):
        return []
    for ev in [*at_ckpt, *final]:
        ev.prepare(int(cfg.get("seed", 0)))  # bad task files fail before training starts
    style = OmegaConf.select(cfg, "style.name", default="original")
    return [EvalCallback(at_ckpt, final, run_dir, model_name=str(cfg.model.name), style=str(style),
                         seed=int(cfg.get("seed", 0)), run_id=cfg.get("run_id"), at_fit_start=at_fit_start,
                         after_fit=after_fit, batch_size=int(OmegaConf.select(cfg, "eval.batch_size", default=16)),
                         objective=str(OmegaConf.select(cfg, "objective.label", default="sft")))]
