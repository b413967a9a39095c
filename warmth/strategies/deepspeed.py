"""Lightning's DeepSpeed strategy, with HF models created sharded under ZeRO-3.

Lightning wraps ``configure_model`` in ``deepspeed.zero.Init``; a HF
``from_pretrained`` inside it then initialises weights that are already
partitioned (empty) and fails. Transformers has its own ZeRO-3 path: while a
``HfDeepSpeedConfig`` is alive, ``from_pretrained`` creates each parameter
partitioned and loads checkpoint shards into the partitions, so no rank
materialises the whole model. We use that path instead of Lightning's
context; modules made outside HF (LoRA adapters, small) are partitioned by
DeepSpeed when the engine starts.

Gradient accumulation is Lightning's, as under DDP and FSDP: Lightning
divides each micro-batch's loss by ``accumulate_grad_batches`` and decides
when a window ends (every ``accumulate_grad_batches`` batches of an epoch,
and at its last batch). Lightning's own DeepSpeed strategy leaves the
windows to the engine's micro-step counter (which runs across epochs) and
lets ``DeepSpeedEngine.backward`` divide the loss by the accumulation count
a second time, so gradients were ``1/accumulate_grad_batches`` of DDP's and
clipping that much looser. Here the engine is told each backward whether it
ends a window, and backward does not rescale: a step sees DDP's gradient.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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

    def save_checkpoint(self, checkpoint: dict, filepath: Any, storage_options: Any | None = None) -> None:
        """Save as Lightning does, leaving out every frozen weight, tied ones included.

        ``exclude_frozen_parameters`` drops frozen parameters by their first
        name only: a tied head (``lm_head.weight``, the embedding's second
        name) stayed in the module states, half of a small model's weights.
        """
        engine = self.deepspeed_engine
        frozen = {n for n, p in engine.module.named_parameters(remove_duplicate=False) if not p.requires_grad}
        original = engine.module_state_dict

        def trained_only(*args: Any, **kwargs: Any) -> Any:
            state = original(*args, **kwargs)
            return OrderedDict((k, v) for k, v in state.items() if k not in frozen) if self.exclude_frozen_parameters \
                else state

        engine.module_state_dict = trained_only
        try:
            super().save_checkpoint(checkpoint, filepath, storage_options)
        finally:
            del engine.module_state_dict  # back to the class's method


    @property
    def handles_gradient_accumulation(self) -> bool:
        """False: Lightning accumulates (and steps on an epoch's last batch) as for DDP."""
        return False

    @contextmanager
    def block_backward_sync(self) -> Iterator[None]:
        """Nothing to block: the boundary flag set in :meth:`backward` defers ZeRO's reduction."""
        yield

    def backward(self, closure_loss: Any, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        trainer = self.lightning_module.trainer
        # Must be set before backward: ZeRO reduces (and partitions) gradients at the boundary.
        self.model.set_gradient_accumulation_boundary(not trainer.fit_loop._should_accumulate())
        kwargs.setdefault("scale_wrt_gas", False)  # Lightning already divided by the accumulation
        return super().backward(closure_loss, optimizer, *args, **kwargs)
