"""The HF model under a peft wrapper (or the model itself): where its config, decoder and head live."""

from __future__ import annotations

from typing import Any

__all__ = ["base_model"]


def base_model(model: Any) -> Any:
    """``model.get_base_model()`` for a peft model, else ``model``."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model
