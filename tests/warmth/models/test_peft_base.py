"""Finding the HF model under a peft wrapper, and what its forward takes."""

from __future__ import annotations

import torch

from warmth.models import load_model
from warmth.models.peft_base import base_model, takes_logits_to_keep


def test_logits_to_keep_is_seen_through_the_peft_wrapper(tiny_cfg):
    """peft's forward takes ``**kwargs``: the check must read the base model's signature, or
    LoRA training and scoring lose their trained-positions-only head. Catches reading the
    wrapper's signature (checked: red with ``base_model`` skipped)."""
    from peft import LoraConfig, get_peft_model

    model = load_model(tiny_cfg, dtype="float32")
    assert takes_logits_to_keep(model)
    wrapped = get_peft_model(model, LoraConfig(r=2, target_modules=["q_proj"], task_type="CAUSAL_LM"))
    assert base_model(wrapped) is model
    assert takes_logits_to_keep(wrapped)


def test_models_without_logits_to_keep_are_told_apart():
    """A forward without the argument, or none to inspect, says no (and the caller falls back to
    full logits) instead of raising."""
    assert not takes_logits_to_keep(torch.nn.Linear(2, 2))
    assert not takes_logits_to_keep(object())
