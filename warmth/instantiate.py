"""Builds a plugin object from its config entry, with errors that name the entry."""

from __future__ import annotations

from typing import Any

from hydra.utils import instantiate

from warmth.errors import ConfigError, warmth_cause


def build_plugin(node: Any, what: str) -> Any:
    """``instantiate(node)``; a plugin's WarmthError keeps its text, anything else names ``what``."""
    try:
        return instantiate(node, _convert_="all")
    except Exception as exc:  # noqa: BLE001 - name the config entry, keep WarmthErrors' text
        if (cause := warmth_cause(exc)) is not None:
            raise type(cause)(str(cause)) from None
        raise ConfigError(f"cannot build {what}: {str(exc).splitlines()[0]}") from None
