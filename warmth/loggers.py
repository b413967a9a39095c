"""Builds the Lightning logger from ``cfg.logger`` (W&B offline when no credentials or no server).

An online W&B run is only started after a cheap probe of the server (one
GraphQL ``viewer`` query, ``PROBE_TIMEOUT_S``): ``wandb.init`` against an
unreachable host blocks for its ``init_timeout`` (90 s) and then fails. When
the server cannot be reached, refuses the key or answers with an error, the
run logs offline and says so once; the run's summary says how to upload it.
"""

from __future__ import annotations

import netrc
import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from omegaconf import DictConfig, OmegaConf

PROBE_TIMEOUT_S = 5.0
DEFAULT_BASE_URL = "https://api.wandb.ai"


def wandb_base_url() -> str:
    return os.environ.get("WANDB_BASE_URL") or DEFAULT_BASE_URL


def wandb_api_key() -> str | None:
    """The configured W&B key (``WANDB_API_KEY``, else the netrc entry of the server's host), or None."""
    if os.environ.get("WANDB_API_KEY"):
        return os.environ["WANDB_API_KEY"]
    host = os.environ.get("WANDB_HOST") or urlparse(wandb_base_url()).hostname or "api.wandb.ai"
    try:
        auth = netrc.netrc().authenticators(host)
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return None
    return auth[2] if auth and auth[2] else None


def wandb_has_credentials() -> bool:
    """True when an API key is configured, without touching the network."""
    return wandb_api_key() is not None


def wandb_mode(requested: str) -> str:
    """Resolve ``mode: auto``: WANDB_MODE wins, then credentials decide."""
    if requested != "auto":
        return requested
    env = os.environ.get("WANDB_MODE")
    if env:
        return "offline" if env == "dryrun" else env
    return "online" if wandb_has_credentials() else "offline"


def wandb_unavailable(base_url: str | None = None, api_key: str | None = None,
                      timeout_s: float = PROBE_TIMEOUT_S) -> str | None:
    """Why an online run cannot start now (unreachable, key rejected, server error), or None when it can."""
    import httpx

    base_url = (base_url or wandb_base_url()).rstrip("/")
    key = api_key if api_key is not None else wandb_api_key()
    if not key:
        return "no API key"
    try:
        resp = httpx.post(f"{base_url}/graphql", json={"query": "query Viewer { viewer { id } }"},
                          auth=("api", key), timeout=timeout_s)
    except httpx.HTTPError as exc:
        return f"cannot reach {base_url} ({type(exc).__name__})"
    if resp.status_code in (401, 403):
        return f"{base_url} rejected the API key (HTTP {resp.status_code})"
    if resp.status_code >= 400:
        return f"{base_url} answered HTTP {resp.status_code}"
    return None



def _is_rank_zero() -> bool:
    return int(os.environ.get("RANK", os.environ.get("LOCAL_RANK", "0")) or 0) == 0


def choose_wandb_mode(requested: str, run_dir: Path) -> tuple[str, bool]:
    """The mode to run in, and whether it fell back to offline (said once, on rank 0, with why;
    the training summary then says how to upload the run)."""
    mode = wandb_mode(requested)
    why = None
    if mode == "offline" and requested == "auto" and not os.environ.get("WANDB_MODE"):
        why = "no credentials found"
    elif mode == "online" and _is_rank_zero():
        why = wandb_unavailable()
    if why is None:
        return mode, False
    if _is_rank_zero():
        print(f"W&B: {why}; logging offline to {run_dir / 'wandb'}", flush=True)
    return "offline", True


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

    mode, _ = choose_wandb_mode(str(lcfg.mode), run_dir)
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
    # Copied into the run's own files folder first, then saved from there: run.save of a file
    # outside it symlinks it and prints a warning per call that no user can act on.
    for path in files:
        target = Path(run.dir) / path.relative_to(run_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        run.save(str(target), base_path=str(run.dir), policy="now")
    return files
