"""Validation of a composed config against the schemas, with one-line errors."""

from __future__ import annotations

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from warmth.config.schema import CHOICES, GROUP_SCHEMAS
from warmth.errors import ConfigError

MULTI_PROCESS_STRATEGIES = ("ddp", "deepspeed", "fsdp")  # trainer.compile is not offered under these


def _check_group(cfg: DictConfig, group: str) -> None:
    schema = OmegaConf.structured(GROUP_SCHEMAS[group])
    node = cfg.get(group)
    if node is None:
        raise ConfigError(f"config group '{group}' is missing")
    try:
        # Resolving first turns interpolations into values the schema can type-check.
        raw = OmegaConf.to_container(node, resolve=True)
        OmegaConf.merge(schema, raw)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or getattr(exc, "key", None) or "?"
        detail = str(exc).splitlines()[0]
        raise ConfigError(f"invalid config key '{group}.{key}': {detail}") from None


def validate_config(cfg: DictConfig, groups: tuple[str, ...] = tuple(GROUP_SCHEMAS)) -> None:
    """Raise :class:`ConfigError` naming the first bad key of the given groups."""
    for group in groups:
        _check_group(cfg, group)
    for dotted, allowed in CHOICES.items():
        group = dotted.split(".")[0]
        if group not in groups:
            continue
        value = OmegaConf.select(cfg, dotted)
        if value is not None and str(value) not in allowed:
            raise ConfigError(f"invalid value {value!r} for '{dotted}': choose one of {', '.join(allowed)}")
    strategy = OmegaConf.select(cfg, "strategy.name")
    if OmegaConf.select(cfg, "trainer.compile") and strategy in MULTI_PROCESS_STRATEGIES:
        raise ConfigError(f"trainer.compile=true runs in one process on one device, not with strategy {strategy}: "
                          "set trainer.compile=false")
    epochs = OmegaConf.select(cfg, "trainer.checkpoint_epochs")
    if epochs is not None and any(float(e) <= 0 for e in epochs):
        raise ConfigError("trainer.checkpoint_epochs must be positive fractional epochs")
