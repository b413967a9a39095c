"""``build_strategy(cfg)``: the Lightning strategy named by ``cfg.strategy``.

Kinds (``strategy.name``): ``auto`` (one device, else DDP), ``ddp``,
``deepspeed`` (ZeRO stage, offload; config derived from ``cfg.trainer``) and
``fsdp`` (FSDP2). Multi-process strategies start their local ranks per Hydra
job (see :mod:`warmth.strategies.launcher`). On CPU, DeepSpeed goes through
the shim in :mod:`warmth.strategies.cpu`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import torch
from lightning.pytorch.strategies import DDPStrategy
from omegaconf import DictConfig

from warmth.strategies.launcher import HydraJobLaunchMixin
from warmth.strategies.options import DDPOptions, DeepSpeedOptions, FSDPOptions, strategy_options
from warmth.trainer_builder import world_size


class JobDDPStrategy(HydraJobLaunchMixin, DDPStrategy):
    """Lightning's DDP, starting local ranks per Hydra job."""


def on_cpu(trainer_cfg: DictConfig) -> bool:
    accelerator = str(trainer_cfg.accelerator)
    return accelerator == "cpu" or (accelerator == "auto" and not torch.cuda.is_available())


def build_strategy(cfg: DictConfig) -> str | Any:
    """A Lightning strategy (or the string ``"auto"``) for the composed train config."""
    opts = strategy_options(cfg.get("strategy"))
    if opts.name == "auto":
        if world_size(cfg.trainer) == 1:
            return "auto"
        opts = DDPOptions()
    timeout = timedelta(minutes=opts.timeout_minutes)
    if isinstance(opts, DDPOptions):
        return JobDDPStrategy(find_unused_parameters=opts.find_unused_parameters,
                              process_group_backend=opts.backend, timeout=timeout)
    if isinstance(opts, DeepSpeedOptions):
        from warmth.strategies.deepspeed_config import deepspeed_config

        # Checkpoints keep trained weights only: the frozen base (all of it, under ZeRO-2's module
        # states and ZeRO-3's frozen fragments) is read from the pretrained model on resume.
        kwargs = {"config": deepspeed_config(cfg), "process_group_backend": opts.backend, "timeout": timeout,
                  "exclude_frozen_parameters": True}
        if on_cpu(cfg.trainer):
            from warmth.strategies.cpu import CPUDeepSpeedStrategy

            return CPUDeepSpeedStrategy(**kwargs)
        from warmth.strategies.deepspeed import WarmthDeepSpeedStrategy

        return WarmthDeepSpeedStrategy(**kwargs)
    assert isinstance(opts, FSDPOptions)
    from warmth.strategies.fsdp import FSDP2Strategy

    return FSDP2Strategy(reshard_after_forward=opts.reshard_after_forward,
                         offload_parameters=opts.offload_parameters,
                         save_distributed_checkpoint=opts.save_distributed_checkpoint,
                         process_group_backend=opts.backend, timeout=timeout)
