"""``python -m warmth.train``: fine-tune a chat model on a style dataset.

Only wiring: validate the config, build tokenizer, data, module, callbacks,
logger and trainer, fit, write ``metrics.json``, print a short summary of the
run (:mod:`warmth.run_summary`), and return the metric named by
``optimized_metric`` for sweepers.
"""

from __future__ import annotations

import math
import pickle
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

import warmth.resolvers  # noqa: F401  (registers ${bundled:...} before composition)
from warmth import cli
from warmth.config import validate_config
from warmth.errors import WarmthError


def train(cfg: DictConfig, extra_callbacks: Sequence[Any] = ()) -> float | None:
    """Fit ``cfg``; ``extra_callbacks`` join the run's own (probes in tests and benchmarks)."""
    validate_config(cfg)
    started = time.monotonic()
    # Heavy imports after validation: a mistyped key fails in well under a second.
    import lightning as L

    from warmth.quiet import quiet_third_party

    quiet_third_party()

    from warmth.checkpointing import FractionalEpochCheckpoint, resolve_ckpt_path
    from warmth.data.datamodule import ChatDataModule
    from warmth.eval.callbacks import build_eval_callbacks, fractional_epoch
    from warmth.faults import fault_callbacks
    from warmth.loggers import build_logger, finish, log_config
    from warmth.metrics_file import update_metrics
    from warmth.models import load_tokenizer
    from warmth.module import ChatLM
    from warmth.objectives import build_objective
    from warmth.plan import check_fits
    from warmth.run_summary import RunFacts, summary_lines, wandb_location
    from warmth.runinfo import style_dataset, sweep_group
    from warmth.throughput import Throughput
    from warmth.trainer_builder import build_trainer

    check_fits(cfg)
    if cfg.trainer.get("reuse_freed_memory"):
        from warmth import host_memory

        host_memory.reuse_freed_memory()
    L.seed_everything(int(cfg.seed), workers=True)
    run_dir = Path(cfg.run_dir)
    resume = resolve_ckpt_path(cfg.ckpt_path, run_dir)
    dataset = style_dataset(cfg.style)

    objective = build_objective(cfg)
    tokenizer = load_tokenizer(cfg.model)
    data = ChatDataModule(tokenizer, cfg.data, dataset, batch_size=int(cfg.trainer.micro_batch_size),
                          conversations_hook=objective.training_conversations)
    module = ChatLM(cfg.model, cfg.peft, cfg.trainer, tokenizer, objective=objective)
    meta = {"model": cfg.model.name, "pretrained": cfg.model.pretrained, "style": cfg.style.name,
            "peft": cfg.peft.method, "seed": int(cfg.seed), "objective": objective.label}
    # Throughput first: its end-of-batch hook closes the step's clock before other callbacks run.
    callbacks = [Throughput(data.pad_token_id, OmegaConf.select(cfg, "trainer.peak_tflops")),
                 FractionalEpochCheckpoint(run_dir, list(cfg.trainer.checkpoint_epochs), meta)]
    callbacks += build_eval_callbacks(cfg, run_dir) + fault_callbacks()
    callbacks += list(extra_callbacks)
    logger = build_logger(cfg, run_dir, sweep_group())
    trainer = build_trainer(cfg, callbacks, logger)
    log_config(logger, cfg)

    try:
        trainer.fit(module, datamodule=data, ckpt_path=resume.path, weights_only=resume.weights_only)
    except pickle.UnpicklingError as exc:
        raise WarmthError(f"refusing to resume from {resume.path}: it holds more than tensors and plain "
                          f"data, and unpickling it could run code ({str(exc).splitlines()[0]})") from None

    logged = {**trainer.logged_metrics, **trainer.callback_metrics}  # perf/* callbacks may log to either
    metrics = {k: float(v) for k, v in logged.items() if getattr(v, "numel", lambda: 1)() == 1}
    metrics["train/global_step"] = trainer.global_step
    facts = None
    if trainer.is_global_zero:
        metrics = update_metrics(run_dir, metrics)
        facts = RunFacts(
            run_dir=run_dir, model=str(cfg.model.name), pretrained=str(cfg.model.pretrained),
            peft=f"LoRA r={cfg.peft.r}" if cfg.peft.method == "lora" else "full fine-tuning",
            style=str(cfg.style.name), dataset=str(dataset), conversations=len(data.examples or []),
            steps=int(trainer.global_step), epochs=fractional_epoch(trainer), seconds=0.0,
            wandb=wandb_location(logger))
    finish(logger, run_dir)
    if facts is not None:
        facts.seconds = time.monotonic() - started
        print("\n".join(summary_lines(facts, metrics)))
    value = metrics.get(str(cfg.optimized_metric))
    return float(value) if value is not None and math.isfinite(float(value)) else None


@hydra.main(version_base="1.3", config_path="../conf", config_name="train")
def main(cfg: DictConfig) -> float | None:
    return train(cfg)


if __name__ == "__main__":
    cli.run(main)
