"""Small lookups of the training entry point: style dataset path, sweep group."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from warmth.errors import ConfigError, WarmthError


def style_dataset(style_cfg: DictConfig) -> Path:
    """The style dataset directory (or JSONL file) named by ``style.dataset``."""
    raw = style_cfg.get("dataset")
    if not raw:
        raise ConfigError(f"style '{style_cfg.get('name')}' has no 'dataset' to train on")
    path = Path(str(raw)).expanduser()
    if not path.exists():
        raise WarmthError(f"style dataset not found: {path}")
    if path.is_dir() and not (path / "conversations.jsonl").exists():
        raise WarmthError(f"style dataset {path} has no conversations.jsonl")
    return path


def sweep_group() -> str | None:
    """In a Hydra multirun, the sweep directory's name groups the jobs' W&B runs."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized():
        return None
    hc = HydraConfig.get()
    if hc.mode == RunMode.MULTIRUN:
        return Path(hc.sweep.dir).name
    return None
