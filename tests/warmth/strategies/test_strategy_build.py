"""build_strategy and the DeepSpeed config derived from cfg.trainer."""

from __future__ import annotations

import pytest
from lightning.pytorch.strategies import DDPStrategy, DeepSpeedStrategy, ModelParallelStrategy

from tests.compose import compose_config
from warmth.errors import ConfigError
from warmth.strategies.build import build_strategy
from warmth.strategies.cpu import CPUDeepSpeedStrategy
from warmth.strategies.deepspeed_config import deepspeed_config
from warmth.strategies.fsdp import FSDP2Strategy

CPU2 = ["trainer.accelerator=cpu", "trainer.devices=2"]


def test_auto_is_lightning_auto_on_one_device() -> None:
    assert build_strategy(compose_config("trainer.accelerator=cpu", "trainer.devices=1")) == "auto"


def test_auto_and_ddp_on_several_devices_are_ddp() -> None:
    for name in ("auto", "ddp"):
        strategy = build_strategy(compose_config(f"strategy={name}", *CPU2))
        assert isinstance(strategy, DDPStrategy) and not isinstance(strategy, DeepSpeedStrategy)


@pytest.mark.parametrize("preset, stage, offload", [
    ("deepspeed_zero2", 2, False), ("deepspeed_zero3", 3, False), ("deepspeed_zero3_offload", 3, True)])
def test_deepspeed_presets_build_the_cpu_shim_with_their_stage(preset, stage, offload) -> None:
    cfg = compose_config(f"strategy={preset}", *CPU2)
    strategy = build_strategy(cfg)
    assert isinstance(strategy, CPUDeepSpeedStrategy)
    zero = strategy.config["zero_optimization"]
    assert zero["stage"] == stage
    assert ("offload_optimizer" in zero) == offload and ("offload_param" in zero) == offload
    assert strategy.process_group_backend == "gloo"


def test_zero3_presets_turn_on_gradient_checkpointing_unless_overridden() -> None:
    assert compose_config("strategy=deepspeed_zero3").trainer.gradient_checkpointing is True
    assert compose_config("strategy=deepspeed_zero3_offload").trainer.gradient_checkpointing is True
    assert compose_config("strategy=deepspeed_zero2").trainer.gradient_checkpointing is False
    cfg = compose_config("strategy=deepspeed_zero3", "trainer.gradient_checkpointing=false")
    assert cfg.trainer.gradient_checkpointing is False


def test_fsdp_is_model_parallel_fsdp2() -> None:
    strategy = build_strategy(compose_config("strategy=fsdp", *CPU2))
    assert isinstance(strategy, FSDP2Strategy) and isinstance(strategy, ModelParallelStrategy)


def test_deepspeed_config_follows_the_trainer() -> None:
    cfg = compose_config("strategy=deepspeed_zero3", "trainer.micro_batch_size=3", "trainer.gradient_clip_val=0.5",
                         "trainer.precision=bf16-mixed")
    ds = deepspeed_config(cfg)
    assert ds["train_micro_batch_size_per_gpu"] == 3
    assert ds["gradient_clipping"] == 0.5
    assert ds["bf16"] == {"enabled": True} and "fp16" not in ds
    # Lightning fills accumulation from the Trainer; DeepSpeed must not get a second number.
    assert "gradient_accumulation_steps" not in ds and "train_batch_size" not in ds
    ds16 = deepspeed_config(compose_config("strategy=deepspeed_zero2", "trainer.precision=16-mixed",
                                           "trainer.gradient_clip_val=null"))
    assert ds16["fp16"]["enabled"] and ds16["fp16"]["loss_scale"] == 0 and ds16["gradient_clipping"] == 0.0
    assert "bf16" not in deepspeed_config(compose_config("strategy=deepspeed_zero2", "trainer.precision=32-true"))


def test_extra_is_merged_but_derived_keys_are_refused() -> None:
    cfg = compose_config("strategy=deepspeed_zero2", "+strategy.extra.zero_optimization.round_robin_gradients=true",
                         "+strategy.extra.flops_profiler.enabled=true")
    ds = deepspeed_config(cfg)
    assert ds["zero_optimization"]["round_robin_gradients"] is True and ds["zero_optimization"]["stage"] == 2
    assert ds["flops_profiler"] == {"enabled": True}
    with pytest.raises(ConfigError, match="trainer.micro_batch_size"):
        deepspeed_config(compose_config("strategy=deepspeed_zero2", "+strategy.extra.train_micro_batch_size_per_gpu=8"))


@pytest.mark.parametrize("overrides, named", [
    (["strategy=deepspeed_zero2", "+strategy.stag=3"], "strategy.stag"),
    (["strategy=deepspeed_zero2", "strategy.stage=5"], "strategy.stage"),
    (["strategy=deepspeed_zero2", "strategy.offload_parameters=true"], "offload_parameters"),
    (["strategy=ddp", "strategy.find_unused_parameters=maybe"], "strategy.find_unused_parameters"),
    (["strategy.name=horovod"], "strategy.name"),
])
def test_bad_strategy_settings_name_the_key(overrides, named) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        build_strategy(compose_config(*overrides, *CPU2))
