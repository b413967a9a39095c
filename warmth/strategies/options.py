"""Typed options of each ``conf/strategy`` kind, so a misspelt key fails early."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from warmth.errors import ConfigError


@dataclass
class AutoOptions:
    name: str = "auto"


@dataclass
class DDPOptions:
    name: str = "ddp"
    find_unused_parameters: bool = False
    backend: str | None = None  # null: nccl on GPUs, gloo on CPU
    timeout_minutes: int = 30


@dataclass
class DeepSpeedOptions:
    name: str = "deepspeed"
    stage: int = 2
    offload_optimizer: bool = False
    offload_parameters: bool = False
    overlap_comm: bool = True
    contiguous_gradients: bool = True
    reduce_bucket_size: int = 200_000_000
    allgather_bucket_size: int = 200_000_000
    prefetch_bucket_size: int = 50_000_000
    param_persistence_threshold: int = 100_000
    backend: str | None = None
    timeout_minutes: int = 30
    # Merged last into the generated DeepSpeed config, for anything not above.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FSDPOptions:
    name: str = "fsdp"
    reshard_after_forward: bool = True
    offload_parameters: bool = False
    # Each rank writes its shard (fast, resumable); false gathers one file on rank 0.
    save_distributed_checkpoint: bool = True
    backend: str | None = None
    timeout_minutes: int = 30


KINDS = {"auto": AutoOptions, "ddp": DDPOptions, "deepspeed": DeepSpeedOptions, "fsdp": FSDPOptions}


def strategy_options(strategy_cfg: DictConfig | dict | None) -> Any:
    """Checks ``cfg.strategy`` against its kind's schema and returns the typed options."""
    raw = OmegaConf.to_container(strategy_cfg, resolve=True) if isinstance(strategy_cfg, DictConfig) \
        else dict(strategy_cfg or {})
    name = str(raw.get("name", "auto"))
    if name not in KINDS:
        raise ConfigError(f"invalid value {name!r} for 'strategy.name': choose one of {', '.join(KINDS)}")
    try:
        merged = OmegaConf.merge(OmegaConf.structured(KINDS[name]), raw)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or getattr(exc, "key", None) or "?"
        raise ConfigError(f"invalid config key 'strategy.{key}' for strategy '{name}': "
                          f"{str(exc).splitlines()[0]}") from None
    opts = OmegaConf.to_object(merged)
    if name == "deepspeed":
        if opts.stage not in (0, 1, 2, 3):
            raise ConfigError(f"strategy.stage must be 0, 1, 2 or 3, got {opts.stage}")
        if opts.offload_parameters and opts.stage != 3:
            raise ConfigError("strategy.offload_parameters needs ZeRO stage 3 (strategy=deepspeed_zero3_offload)")
    return opts
