"""The CPU shim: DeepSpeed in CPU processes, for tests and CI only.

Lightning's DeepSpeed strategy insists on CUDA. DeepSpeed itself runs on CPU
(its CPU accelerator, gloo collectives), so on CPU we skip Lightning's CUDA
and device-index checks and give each rank the device ``cpu:<local_rank>``.
DeepSpeed would also JIT-compile a shared-memory all-reduce op with g++ on
first use (about a minute on a fresh machine); gloo is enough on CPU, so the
op is marked unavailable. ``build_strategy`` uses this class only when
training on CPU; GPUs get Lightning's own ``DeepSpeedStrategy``.
FSDP needs no shim: Lightning's ``ModelParallelStrategy`` runs on CPU as is.
"""

from __future__ import annotations

import torch
from lightning.fabric.utilities.seed import reset_seed
from lightning.pytorch.strategies import DDPStrategy

from warmth.strategies.deepspeed import WarmthDeepSpeedStrategy

SHM_OP = "deepspeed_shm_comm"


def skip_shm_comm_op() -> None:
    """Make DeepSpeed's torch backend fall back to plain gloo instead of compiling its shm op."""
    import deepspeed.ops

    deepspeed.ops.__compatible_ops__[SHM_OP] = False


class CPUDeepSpeedStrategy(WarmthDeepSpeedStrategy):
    """``DeepSpeedStrategy`` that runs on CPU processes with gloo."""

    strategy_name = "deepspeed_cpu"

    def __init__(self, **kwargs):
        kwargs["process_group_backend"] = kwargs.get("process_group_backend") or "gloo"
        super().__init__(**kwargs)

    @property
    def root_device(self) -> torch.device:
        return torch.device("cpu", self.local_rank)

    def setup_environment(self) -> None:
        skip_shm_comm_op()
        DDPStrategy.setup_environment(self)  # skips DeepSpeedStrategy's CUDA check

    def setup_distributed(self) -> None:
        # DeepSpeedStrategy.setup_distributed minus the device-index check, which CPUs fail.
        reset_seed()
        self.set_world_ranks()
        self._init_deepspeed_distributed()
