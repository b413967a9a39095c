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


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` via a temporary file and a rename: a crash leaves the old file or the new one."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
