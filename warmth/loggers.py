"""Builds the Lightning logger from ``cfg.logger`` (W&B offline when no credentials)."""

from __future__ import annotations

import netrc
import os
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf


def wandb_has_credentials() -> bool:
    """True when an API key is configured, without touching the network."""
    if os.environ.get("WANDB_API_KEY"):
        return True
    try:
        auth = netrc.netrc().authenticators(os.environ.get("WANDB_HOST", "api.wandb.ai"))
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return False
    return bool(auth and auth[2])


def wandb_mode(requested: str) -> str:
    """Resolve ``mode: auto``: WANDB_MODE wins, then credentials decide."""
    if requested != "auto":
        return requested
    env = os.environ.get("WANDB_MODE")
    if env:
        return "offline" if env == "dryrun" else env
    return "online" if wandb_has_credentials() else "offline"


def build_logger(cfg: DictConfig, run_dir: str | Path, group: str | None) -> Any:
    """Lightning logger or ``False``; rank 0 alone creates the W&B run."""
    lcfg = cfg.logger
    run_dir = Path(run_dir)
    if lcfg.kind == "none":
        return False
    if lcfg.kind == "csv":
        from lightning.pytorch.loggers import CSVLogger

        # Every step reaches disk: a killed run keeps its history up to the kill.
        return CSVLogger(save_dir=str(run_dir), name="csv", flush_logs_every_n_steps=1)
    import wandb
    from lightning.pytorch.loggers import WandbLogger

    mode = wandb_mode(str(lcfg.mode))
    if mode == "offline" and str(lcfg.mode) == "auto" and not os.environ.get("WANDB_MODE"):
        print(
            "W&B: no credentials found, logging offline; upload later with "
            f"`wandb sync {run_dir / 'wandb'}/offline-run-*`"
        )
    logger = WandbLogger(
        project=lcfg.project,
        entity=lcfg.entity,
        name=str(cfg.run_name),
        group=group or lcfg.group,
        tags=list(lcfg.tags),
        save_dir=str(run_dir),
        mode=mode,
        log_model=bool(lcfg.log_model),
        # No banner, tips or end-of-run summary wall: warmth.run_summary prints where the run is.
        settings=wandb.Settings(quiet=True),
    )
    return logger


def log_config(logger: Any, cfg: DictConfig) -> None:
    """Log the resolved config once, as a nested dict."""
    if not logger:
        return
    container = OmegaConf.to_container(cfg, resolve=True)
    logger.log_hyperparams(container)


def finish(logger: Any, run_dir: str | Path | None = None) -> None:
    """Close the W&B run so the next multirun job opens its own.

    With ``run_dir``, its ``records/*.jsonl`` and ``metrics.json`` go to the
    run's files first (uploaded now when online, by ``wandb sync`` when
    offline): ``warmth.report inputs=[wandb:<entity>/<project>]`` reads them back.
    """
    from lightning.pytorch.loggers import WandbLogger

    if isinstance(logger, WandbLogger):
        import wandb

        if wandb.run is not None:
            if run_dir is not None:
                save_run_files(wandb.run, Path(run_dir))
            wandb.finish()


def save_run_files(run: Any, run_dir: Path) -> list[Path]:
    """Attach the records and metrics of ``run_dir`` to a W&B ``run``, under their relative paths."""
    files = sorted(run_dir.glob("records/*.jsonl")) + [p for p in [run_dir / "metrics.json"] if p.is_file()]
    for path in files:
        run.save(str(path), base_path=str(run_dir), policy="now")
    return files
