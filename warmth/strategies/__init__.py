"""Distributed training strategies built from ``cfg.strategy``.

``build_strategy(cfg)`` is what ``warmth.train`` hands to the Lightning
Trainer; ``deepspeed_config(cfg)`` derives DeepSpeed's JSON from the trainer
settings so batch sizes, precision and clipping are stated once;
``gathered_state_dict`` collects sharded trained weights before a save.
"""

from warmth.strategies.build import build_strategy
from warmth.strategies.deepspeed_config import deepspeed_config
from warmth.strategies.gather import gathered_state_dict

__all__ = ["build_strategy", "deepspeed_config", "gathered_state_dict"]
