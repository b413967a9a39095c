"""Compose a config of the real conf/ tree in-process, as an entry point would."""

from __future__ import annotations

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

import warmth.resolvers  # noqa: F401  (resolvers the configs use)
from tests.conftest import REPO


def compose_config(*overrides: str, config: str = "train", hydra: bool = False) -> DictConfig:
    """The composed config for ``overrides``; ``hydra=True`` keeps the ``hydra`` node."""
    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        return compose(config, overrides=list(overrides), return_hydra_config=hydra)
