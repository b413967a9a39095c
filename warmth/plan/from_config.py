"""Reads a composed train config into the numbers of :class:`~warmth.plan.memory.Setup`."""

from __future__ import annotations

from omegaconf import DictConfig, OmegaConf

from warmth.plan.arch import model_arch
from warmth.plan.memory import ALL_LINEAR, Setup
from warmth.strategies.options import DeepSpeedOptions, FSDPOptions, strategy_options

# Where the data group may keep its sequence length (first found wins).
SEQ_LEN_KEYS = ("data.max_length", "data.max_seq_length", "data.seq_len", "data.max_tokens")
DEFAULT_SEQ_LEN = 1024


def seq_len(cfg: DictConfig) -> int:
    for key in SEQ_LEN_KEYS:
        value = OmegaConf.select(cfg, key, default=None)
        if isinstance(value, int) and value > 0:
            return value
    return DEFAULT_SEQ_LEN


def sharding(cfg: DictConfig) -> dict:
    """ZeRO stage, offload flags and DeepSpeed or not, of ``cfg.strategy`` (DDP = 0, FSDP = 3)."""
    opts = strategy_options(cfg.get("strategy"))
    if isinstance(opts, DeepSpeedOptions):
        return {"stage": opts.stage, "offload_optimizer": opts.offload_optimizer,
                "offload_parameters": opts.offload_parameters, "deepspeed": True}
    if isinstance(opts, FSDPOptions):
        return {"stage": 3, "offload_optimizer": opts.offload_parameters,
                "offload_parameters": opts.offload_parameters}
    return {"stage": 0, "offload_optimizer": False, "offload_parameters": False}


def lora(cfg: DictConfig) -> dict:
    peft = cfg.get("peft")
    if peft is None or str(peft.get("method", "none")) != "lora":
        return {"lora_r": 0}
    targets = OmegaConf.select(cfg, "peft.target_modules", default=None) or list(ALL_LINEAR)
    if isinstance(targets, str):  # peft's "all-linear"
        targets = list(ALL_LINEAR)
    return {"lora_r": int(peft.r), "lora_targets": tuple(str(t) for t in targets),
            "lora_dropout": float(peft.get("dropout", 0.0))}


def reference(cfg: DictConfig, lora_r: int) -> dict:
    """The objective's reference model (``Objective.reference_model``): a copy, the adapter off, or none."""
    from warmth.objectives import build_objective

    return {"reference": build_objective(cfg).reference_model(lora=lora_r > 0)}


def precision(cfg: DictConfig) -> dict:
    """16-bit or not, autocast (``*-mixed``) or pure (``*-true``); ``auto`` plans bf16-mixed (GPUs)."""
    name = str(cfg.trainer.precision)
    name = "bf16-mixed" if name == "auto" else name
    return {"half": not name.startswith("32"), "mixed": "mixed" in name}


def setup_from_config(cfg: DictConfig, world: int, overhead_gib: float) -> Setup:
    t = cfg.trainer
    peft = lora(cfg)
    return Setup(
        arch=model_arch(cfg.model), world=world, micro_batch=int(t.micro_batch_size),
        seq_len=seq_len(cfg), gradient_checkpointing=bool(t.gradient_checkpointing),
        overhead_gib=overhead_gib, **precision(cfg), **sharding(cfg), **peft, **reference(cfg, peft["lora_r"]),
    )
