"""Variadic shorthand for :func:`tests.conftest.compose`, used by the preset tests."""

from __future__ import annotations

from omegaconf import DictConfig

from tests.conftest import compose


def compose_config(*overrides: str, config: str = "train", hydra: bool = False) -> DictConfig:
    """The composed config for ``overrides``; ``hydra=True`` keeps the ``hydra`` node."""
    return compose(config, list(overrides), hydra=hydra)
