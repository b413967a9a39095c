"""The CPU shim: DeepSpeed strategy usable without CUDA, without compiling ops."""

from __future__ import annotations

import torch

from warmth.strategies.cpu import SHM_OP, CPUDeepSpeedStrategy, skip_shm_comm_op


def test_shm_op_is_skipped_so_nothing_compiles() -> None:
    import importlib

    import deepspeed.ops

    ds_torch = importlib.import_module("deepspeed.comm.torch")

    skip_shm_comm_op()
    assert deepspeed.ops.__compatible_ops__[SHM_OP] is False
    # DeepSpeed's torch backend builds its shared-memory op only when compatible.
    assert ds_torch.build_shm_op() is None


def test_each_rank_gets_its_own_cpu_device_and_gloo(monkeypatch) -> None:
    from lightning.fabric.plugins.environments import LightningEnvironment

    monkeypatch.setenv("LOCAL_RANK", "1")
    strategy = CPUDeepSpeedStrategy(config={"zero_optimization": {"stage": 3}})
    strategy.cluster_environment = LightningEnvironment()
    assert strategy.root_device == torch.device("cpu", 1)
    assert strategy._process_group_backend == "gloo"
    assert strategy.zero_stage_3
