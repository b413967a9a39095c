"""``<run_dir>/metrics.json``: final metrics with flat keys, merged by every writer."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from warmth.paths import atomic_write


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else value
    return value


def update_metrics(run_dir: str | Path, metrics: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``metrics`` into the run's metrics.json (atomic replace); returns all."""
    path = Path(run_dir) / "metrics.json"
    current: dict[str, Any] = {}
    if path.exists():
        current = json.loads(path.read_text())
    current.update({str(k): _plain(v) for k, v in metrics.items()})
    atomic_write(path, json.dumps(current, indent=2, sort_keys=True).encode("utf-8"))
    return current


def read_metrics(run_dir: str | Path) -> dict[str, Any]:
    path = Path(run_dir) / "metrics.json"
    return json.loads(path.read_text()) if path.exists() else {}
