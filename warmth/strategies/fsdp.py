"""FSDP2 (``torch.distributed.fsdp.fully_shard``) through Lightning's ModelParallelStrategy.

Lightning leaves sharding to the module; we shard here instead, after the
module's ``configure_model`` built the model, so ``ChatLM`` stays unaware of
the strategy: each decoder layer (the model's ``_no_split_modules``) becomes
its own FSDP unit, then the whole model. All ranks form one data-parallel
mesh. LoRA's mix of frozen and trained weights is fine for FSDP2, which
shards parameter by parameter.
"""

from __future__ import annotations

from typing import Any

import torch
from lightning.pytorch.strategies import ModelParallelStrategy

from warmth.models.peft_base import base_model
from warmth.strategies.launcher import HydraJobLaunchMixin


def layer_classes(model: torch.nn.Module) -> set[str]:
    """Class names of the blocks to shard one by one (HF's ``_no_split_modules``)."""
    base = base_model(model)
    return set(getattr(base, "_no_split_modules", None) or [])


def shard_model(model: torch.nn.Module, mesh: Any, reshard_after_forward: bool = True,
                offload_parameters: bool = False) -> int:
    """Apply ``fully_shard`` to each decoder layer and the root; returns the number of units."""
    from torch.distributed.fsdp import CPUOffloadPolicy, FSDPModule, OffloadPolicy, fully_shard

    if any(isinstance(m, FSDPModule) for m in model.modules()):
        return 0
    kwargs = {"mesh": mesh, "reshard_after_forward": reshard_after_forward,
              "offload_policy": CPUOffloadPolicy() if offload_parameters else OffloadPolicy()}
    names = layer_classes(model)
    units = 0
    for module in model.modules():
        if type(module).__name__ in names:
            fully_shard(module, **kwargs)
            units += 1
    # The root unit is the HF model itself, not peft's wrapper: generate() calls the HF
    # model's forward directly, whose hook must gather embeddings and head.
    root = base_model(model)
    fully_shard(root, **kwargs)
    return units + 1


class FSDP2Strategy(HydraJobLaunchMixin, ModelParallelStrategy):
    """Fully sharded data parallel over all ranks, sharding applied by the strategy."""

    strategy_name = "warmth_fsdp"

    def __init__(self, reshard_after_forward: bool = True, offload_parameters: bool = False, **kwargs: Any):
        super().__init__(tensor_parallel_size=1, **kwargs)
        self.reshard_after_forward = reshard_after_forward
        self.offload_parameters = offload_parameters

    def setup_environment(self) -> None:
        # Every rank is one data-parallel shard (the world size is known only now).
        self._data_parallel_size = self.num_processes * self.num_nodes
        super().setup_environment()

    def setup(self, trainer: Any) -> None:
        module = self.lightning_module
        target = getattr(module, "model", None)
        target = target if isinstance(target, torch.nn.Module) else module
        shard_model(target, self.device_mesh["data_parallel"], self.reshard_after_forward,
                    self.offload_parameters)
        super().setup(trainer)

    def load_checkpoint(self, checkpoint_path: Any, weights_only: bool | None = None) -> dict[str, Any]:
        """Resume from a checkpoint holding only trained weights (LoRA) when loading is not strict.

        ``ChatLM`` saves trained weights only; DCP's default load demands every
        key of the module, so the frozen base would count as missing.
        """
        from lightning.fabric.strategies import model_parallel as fabric_mp

        if self.lightning_module is None or self.lightning_module.strict_loading:
            return super().load_checkpoint(checkpoint_path, weights_only)
        original = fabric_mp._distributed_checkpoint_load

        def partial_load(module_state: dict[str, Any], path: Any) -> None:
            from torch.distributed.checkpoint import DefaultLoadPlanner, load

            load(module_state, checkpoint_id=path, planner=DefaultLoadPlanner(allow_partial_load=True))

        fabric_mp._distributed_checkpoint_load = partial_load
        try:
            return super().load_checkpoint(checkpoint_path, weights_only)
        finally:
            fabric_mp._distributed_checkpoint_load = original
