"""Distributed training strategies built from ``cfg.strategy``.

``build.build_strategy(cfg)`` is what ``warmth.train`` hands to the Lightning
Trainer; ``deepspeed_config.deepspeed_config(cfg)`` derives DeepSpeed's JSON
from the trainer settings so batch sizes, precision and clipping are stated
once; ``gather.gathered_state_dict`` collects sharded trained weights before
a save. Nothing is imported here, so that ``warmth.plan`` reads
``options`` without loading Lightning and torch.
"""
