"""Per-GPU memory plan of a training config, and the check ``warmth.train`` runs first.

``python -m warmth.plan <train overrides>`` prints the plan;
:func:`check_fits` refuses a config that cannot fit, naming the cheapest
change that would, before any model is loaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from omegaconf import DictConfig, OmegaConf

from warmth.errors import ConfigError
from warmth.plan.advice import cheapest_fix
from warmth.plan.from_config import setup_from_config
from warmth.plan.memory import GIB, MemoryPlan, Setup, estimate

log = logging.getLogger(__name__)
DEFAULT_OVERHEAD_GIB = 2.0


@dataclass
class Verdict:
    setup: Setup
    plan: MemoryPlan
    capacity: float                        # bytes per GPU
    fix: tuple[list[str], float] | None    # (overrides, total bytes) when it does not fit

    @property
    def fits(self) -> bool:
        return self.plan.total <= self.capacity


def _on_gpus(cfg: DictConfig) -> bool:
    import torch

    accelerator = str(cfg.trainer.accelerator)
    return accelerator in ("gpu", "cuda") or (accelerator == "auto" and torch.cuda.is_available())


def _plan_settings(cfg: DictConfig) -> tuple[float | None, float]:
    gb = OmegaConf.select(cfg, "plan.gpu_memory_gb", default=None)
    overhead = OmegaConf.select(cfg, "plan.overhead_gb", default=DEFAULT_OVERHEAD_GIB)
    return (float(gb) * GIB if gb else None), float(overhead)


def judge(cfg: DictConfig, capacity: float | None = None) -> Verdict:
    """Plan ``cfg`` on GPUs of ``capacity`` bytes (default: plan.gpu_memory_gb, else this GPU)."""
    import torch

    from warmth.trainer_builder import world_size

    configured, overhead = _plan_settings(cfg)
    capacity = capacity or configured
    if capacity is None:
        capacity = float(torch.cuda.get_device_properties(0).total_memory) if torch.cuda.is_available() \
            else 80.0 * GIB
    setup = setup_from_config(cfg, world_size(cfg.trainer), overhead)
    plan = estimate(setup)
    fix = None if plan.total <= capacity else cheapest_fix(setup, lambda total: total <= capacity)
    return Verdict(setup, plan, capacity, fix)


def _gib(n: float) -> str:
    return f"{n / GIB:.1f} GiB" if n >= GIB else f"{n / 1024**2:.0f} MiB"


def _count(n: int) -> str:
    return f"{n / 1e9:.2f}B" if n >= 1e9 else f"{n / 1e6:.2f}M"


def strategy_choice(cfg: DictConfig) -> str:
    """The conf/strategy preset picked (e.g. deepspeed_zero3), else the strategy kind."""
    from hydra.core.hydra_config import HydraConfig

    if HydraConfig.initialized():
        choice = HydraConfig.get().runtime.choices.get("strategy")
        if choice:
            return str(choice)
    return str(cfg.strategy.name)


def precision_text(s: Setup) -> str:
    if not s.half:
        return "32-bit weights"
    if s.deepspeed:
        return "16-bit weights, fp32 master weights in DeepSpeed's optimizer"
    if s.mixed:
        return "16-bit compute (autocast), fp32 trained weights" + (", 16-bit frozen base" if s.lora_r else "")
    return "16-bit weights and optimizer states (no fp32 master weights)"


def fix_text(verdict: Verdict) -> str:
    if verdict.fix is None:
        return "no single change found that fits; use more GPUs or a smaller model"
    overrides, total = verdict.fix
    return f"cheapest change that fits: {' '.join(overrides)} (about {_gib(total)} per GPU)"


def check_fits(cfg: DictConfig) -> Verdict | None:
    """Raise ConfigError when the config cannot fit its GPUs; None when training on CPU."""
    if not _on_gpus(cfg):
        return None
    try:
        verdict = judge(cfg)
    except ConfigError as exc:  # unknown architecture: the model's own loading will tell
        log.warning("memory plan skipped: %s", exc)
        return None
    if not verdict.fits:
        biggest = sorted(verdict.plan.parts.items(), key=lambda kv: -kv[1])[:2]
        parts = ", ".join(f"{k} {_gib(v)}" for k, v in biggest)
        raise ConfigError(
            f"model '{cfg.model.name}' with strategy '{strategy_choice(cfg)}' needs about "
            f"{_gib(verdict.plan.total)} per GPU ({parts}) but a GPU has {_gib(verdict.capacity)}; "
            f"{fix_text(verdict)} (see `python -m warmth.plan` with the same overrides)"
        )
    return verdict


def describe(cfg: DictConfig, verdict: Verdict) -> str:
    """The printed plan: one line per part, the total, and the verdict."""
    s, plan = verdict.setup, verdict.plan
    sharding = {0: "no sharding (DDP / one device)", 1: "ZeRO-1", 2: "ZeRO-2", 3: "ZeRO-3 / FSDP"}[s.stage]
    offload = " + CPU offload" if s.offload_optimizer or s.offload_parameters else ""
    trained = f"LoRA r={s.lora_r}" if s.lora_r else "full fine-tuning"
    checkpointing = "on" if s.gradient_checkpointing else "off"
    lines = [
        (f"Memory plan per GPU for model '{cfg.model.name}': {_count(plan.total_params)} parameters, "
         f"{_count(plan.trained_params)} trained ({trained})"),
        (f"  strategy {strategy_choice(cfg)}: {sharding}{offload} over {s.world} GPU(s); micro batch "
         f"{s.micro_batch} x {s.seq_len} tokens; gradient checkpointing {checkpointing}; "
         f"{precision_text(s)}"),
    ]
    lines += [f"  {name:<26}{_gib(size):>12}" for name, size in plan.parts.items()]
    lines.append(f"  {'total':<26}{_gib(plan.total):>12}   of {_gib(verdict.capacity)} per GPU")
    gb = verdict.capacity / GIB
    if verdict.fits:
        lines.append(f"Fits on {gb:.0f} GB GPUs.")
    else:
        lines.append(f"Does not fit on {gb:.0f} GB GPUs: {fix_text(verdict)}.")
    return "\n".join(lines)


__all__ = ["Verdict", "check_fits", "describe", "estimate", "judge"]
