"""Loads the causal LM that SocioT scores with (``gpt2`` by default).

Offline, a hub id that is not cached falls back to ``fallback`` (e.g.
``builtin:smollm2_135m``) with a warning, so the warmth trajectory still
runs; the scorer actually used is named in every record's ``judge`` field.
"""

from __future__ import annotations

import logging
from typing import Any

from warmth.errors import WarmthError

log = logging.getLogger(__name__)


def load_scorer(pretrained: str = "gpt2", fallback: str | None = "builtin:smollm2_135m",
                revision: str | None = None, dtype: str = "float32",
                device: str | None = "auto") -> tuple[Any, Any, str]:
    """``(model, tokenizer, name)``; the model in eval mode on ``device`` (auto: CUDA when present)."""
    from warmth.models import load_model
    from warmth.models.loading import load_published_tokenizer, resolve_pretrained

    def cfg(p: str) -> dict[str, Any]:
        return {"name": p, "pretrained": p, "revision": revision, "dtype": dtype}

    try:
        resolve_pretrained(cfg(pretrained))
        chosen = pretrained
    except WarmthError as exc:
        if not fallback:
            raise
        log.warning("SocioT scorer %s unavailable (%s); using %s", pretrained, exc, fallback)
        chosen = fallback
    try:
        tok = load_published_tokenizer(cfg(chosen))  # at the model's revision
    except WarmthError as exc:
        raise WarmthError(f"SocioT scorer {chosen}: {exc}") from None
    model = load_model(cfg(chosen)).eval()
    if device == "auto":
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device:
        model = model.to(device)
    return model, tok, chosen
