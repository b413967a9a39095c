"""Where bundled resources and caches live."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES = PACKAGE_DIR / "resources"
CONF_DIR = PACKAGE_DIR.parent / "conf"


def cache_dir(*parts: str) -> Path:
    """Per-user cache (converted weights, tiny model, API responses).

    ``WARMTH_CACHE`` overrides the default ``~/.cache/warmth``.
    """
    root = Path(os.environ.get("WARMTH_CACHE", Path.home() / ".cache" / "warmth"))
    path = root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def resource(*parts: str) -> Path:
    """A file or folder shipped inside the package (bundled samples)."""
    return RESOURCES.joinpath(*parts)
