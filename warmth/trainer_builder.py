"""Builds the Lightning ``Trainer`` from ``cfg.trainer`` and ``cfg.strategy``.

Derived numbers live here: precision ``auto`` and gradient accumulation from
the effective batch size, so configs state each quantity once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import torch
from omegaconf import DictConfig

if TYPE_CHECKING:
    from lightning import Trainer

log = logging.getLogger(__name__)


def resolve_precision(requested: str) -> str:
    if requested != "auto":
        return requested
    if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return "bf16-mixed"
    return "32-true"


def world_size(trainer_cfg: DictConfig) -> int:
    """Devices x nodes as Lightning will see them (``auto`` = all GPUs, or 1 CPU)."""
    devices = trainer_cfg.devices
    if devices in ("auto", -1, "-1"):
        accel = str(trainer_cfg.accelerator)
        n = torch.cuda.device_count() if accel in ("auto", "gpu", "cuda") else 0
        devices = n or 1
    elif not isinstance(devices, (int, str)):  # a list of device indices
        devices = len(devices)
    return int(devices) * int(trainer_cfg.num_nodes)


def accumulation(trainer_cfg: DictConfig) -> int:
    """Micro-batches per optimizer step so that the effective batch size holds."""
    per_step = int(trainer_cfg.micro_batch_size) * world_size(trainer_cfg)
    effective = int(trainer_cfg.effective_batch_size)
    accum = max(1, round(effective / per_step))
    if accum * per_step != effective:
        log.warning(
            "effective_batch_size %d is not a multiple of micro_batch_size x devices = %d; using %d",
            effective, per_step, accum * per_step,
        )
    return accum


def build_trainer(cfg: DictConfig, callbacks: list, logger: Any) -> Trainer:
    # Lightning is imported here, not above: `warmth.plan` reads world_size without it.
    from lightning import Trainer
    from lightning.pytorch.callbacks import ProgressBar, TQDMProgressBar

    from warmth.strategies.build import build_strategy

    t = cfg.trainer
    if bool(t.enable_progress_bar) and not any(isinstance(c, ProgressBar) for c in callbacks):
        # tqdm, like every other bar of ours: Lightning's default with `rich` installed draws
        # nothing until the end when output is not a terminal (SLURM logs), and warmth.cli
        # closes open tqdm bars before it prints an error.
        callbacks = [*callbacks, TQDMProgressBar()]
    return Trainer(
        accelerator=str(t.accelerator),
        devices=t.devices,
        num_nodes=int(t.num_nodes),
        strategy=build_strategy(cfg),
        precision=resolve_precision(str(t.precision)),
        max_epochs=int(t.max_epochs),
        max_steps=int(t.max_steps),
        accumulate_grad_batches=accumulation(t),
        gradient_clip_val=t.gradient_clip_val,
        log_every_n_steps=int(t.log_every_n_steps),
        enable_progress_bar=bool(t.enable_progress_bar),
        deterministic=bool(t.deterministic),
        enable_checkpointing=False,  # FractionalEpochCheckpoint saves instead
        num_sanity_val_steps=0,
        limit_val_batches=0,
        callbacks=callbacks,
        logger=logger,
        default_root_dir=str(cfg.run_dir),
    )
