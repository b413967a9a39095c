"""The HF model under a peft wrapper (or the model itself): where its config, decoder and head live."""

from __future__ import annotations

import functools
import inspect
from typing import Any

__all__ = ["base_model", "takes_logits_to_keep"]


def base_model(model: Any) -> Any:
    """``model.get_base_model()`` for a peft model, else ``model``."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def takes_logits_to_keep(model: Any) -> bool:
    """Whether the HF model under ``model`` computes its head at chosen positions only.

    transformers' ``logits_to_keep``; peft's forward takes ``**kwargs``, so the
    signature that counts is the base model's. Checked once per model class.
    """
    return _forward_takes_logits_to_keep(type(base_model(model)))


@functools.cache
def _forward_takes_logits_to_keep(owner: type) -> bool:
    try:
        return "logits_to_keep" in inspect.signature(owner.forward).parameters
    except (TypeError, ValueError, AttributeError):  # no inspectable forward
        return False
