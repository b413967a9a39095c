"""DeepSpeed's JSON config, derived from ``cfg.trainer`` and ``cfg.strategy``.

DeepSpeed wants batch size, precision and clipping in its own config; the
user states them once in ``cfg.trainer`` and this module translates. Gradient
accumulation is left to Lightning, which passes the Trainer's
``accumulate_grad_batches`` (effective / (micro x world)) to DeepSpeed; the
windows and the gradient scale are Lightning's too (see
:mod:`warmth.strategies.deepspeed`).
"""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig

from warmth.errors import ConfigError
from warmth.strategies.options import DeepSpeedOptions, strategy_options
from warmth.trainer_builder import resolve_precision

# Keys DeepSpeed must not get from `strategy.extra`: they are derived from cfg.trainer.
DERIVED = {
    "train_batch_size": "trainer.effective_batch_size",
    "gradient_accumulation_steps": "trainer.effective_batch_size",
    "train_micro_batch_size_per_gpu": "trainer.micro_batch_size",
    "gradient_clipping": "trainer.gradient_clip_val",
    "bf16": "trainer.precision",
    "fp16": "trainer.precision",
}


def _deep_merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else value
    return out


def zero_section(opts: DeepSpeedOptions) -> dict[str, Any]:
    zero: dict[str, Any] = {
        "stage": opts.stage,
        "overlap_comm": opts.overlap_comm,
        "contiguous_gradients": opts.contiguous_gradients,
        "reduce_bucket_size": opts.reduce_bucket_size,
    }
    if opts.stage in (1, 2):
        zero["allgather_bucket_size"] = opts.allgather_bucket_size
    if opts.stage == 3:
        zero["stage3_prefetch_bucket_size"] = opts.prefetch_bucket_size
        zero["stage3_param_persistence_threshold"] = opts.param_persistence_threshold
        # Trained weights are gathered by warmth.strategies.gather, not at every save.
        zero["stage3_gather_16bit_weights_on_model_save"] = False
    if opts.offload_optimizer:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
    if opts.offload_parameters:
        zero["offload_param"] = {"device": "cpu", "pin_memory": True}
    return zero


def precision_section(precision: str) -> dict[str, Any]:
    if precision.startswith("bf16"):
        return {"bf16": {"enabled": True}}
    if precision.startswith("16"):
        # Dynamic loss scaling (loss_scale 0) as DeepSpeed recommends for fp16.
        return {"fp16": {"enabled": True, "loss_scale": 0, "initial_scale_power": 16,
                         "loss_scale_window": 1000, "hysteresis": 2, "min_loss_scale": 1}}
    return {}


def deepspeed_config(cfg: DictConfig) -> dict[str, Any]:
    """The DeepSpeed config dict for a composed train config with a ``deepspeed`` strategy."""
    opts = strategy_options(cfg.strategy)
    if not isinstance(opts, DeepSpeedOptions):
        raise ConfigError(f"strategy '{opts.name}' is not a DeepSpeed strategy")
    for key in opts.extra:
        if key in DERIVED:
            raise ConfigError(f"strategy.extra.{key} is derived from {DERIVED[key]}; set that instead")
    t = cfg.trainer
    config: dict[str, Any] = {
        "train_micro_batch_size_per_gpu": int(t.micro_batch_size),
        "gradient_clipping": float(t.gradient_clip_val or 0.0),
        "zero_optimization": zero_section(opts),
        # Our optimizer is torch's AdamW (or DeepSpeedCPUAdam when offloading).
        "zero_allow_untested_optimizer": True,
        "steps_per_print": 10**9,
        "wall_clock_breakdown": False,
        **precision_section(resolve_precision(str(t.precision))),
    }
    if opts.offload_optimizer:
        # Let a torch optimizer run on offloaded states; DeepSpeedCPUAdam is faster.
        config["zero_force_ds_cpu_optimizer"] = False
    return _deep_merge(config, dict(opts.extra))
