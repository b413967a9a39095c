"""Compose the real conf/ tree in-process (as `python -m warmth.train` would)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from omegaconf import DictConfig

from tests.compose import compose_config


@pytest.fixture
def compose() -> Callable[..., DictConfig]:
    return compose_config
