"""Lightning's DeepSpeed strategy, with HF models created sharded under ZeRO-3.

Lightning wraps ``configure_model`` in ``deepspeed.zero.Init``; a HF
``from_pretrained`` inside it then initialises weights that are already
partitioned (empty) and fails. Transformers has its own ZeRO-3 path: while a
``HfDeepSpeedConfig`` is alive, ``from_pretrained`` creates each parameter
partitioned and loads checkpoint shards into the partitions, so no rank
materialises the whole model. We use that path instead of Lightning's
context; modules made outside HF (LoRA adapters, small) are partitioned by
DeepSpeed when the engine starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from lightning.pytorch.strategies import DeepSpeedStrategy

from warmth.strategies.launcher import HydraJobLaunchMixin


class WarmthDeepSpeedStrategy(HydraJobLaunchMixin, DeepSpeedStrategy):
    """DeepSpeed with per-Hydra-job local ranks and HF-native ZeRO-3 model creation."""

    @contextmanager
    def model_sharded_context(self) -> Iterator[None]:
        self._init_config_if_needed()
        if not self.zero_stage_3:
            yield
            return
        from transformers.integrations import HfDeepSpeedConfig

        # HF holds only a weak reference: keep it for the strategy's lifetime
        # (generation and resizing ask it whether ZeRO-3 is on, too).
        self._hf_deepspeed_config = HfDeepSpeedConfig(self.config)
        yield
