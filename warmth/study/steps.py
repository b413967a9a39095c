"""The mini study's steps, each a real entry point run as a user would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from omegaconf import DictConfig

from warmth.errors import WarmthError


def _extra(cfg: DictConfig, key: str) -> list[str]:
    return [str(x) for x in (cfg.get(key) or [])]


def train_command(cfg: DictConfig, style: str, run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "warmth.train", f"model={cfg.model}", f"style={style}", f"eval={cfg.eval}",
            f"logger={cfg.logger}", f"trainer.max_epochs={cfg.epochs}", f"hydra.run.dir={run_dir}",
            *_extra(cfg, "train"), *_extra(cfg, "evaluate")]


def base_command(cfg: DictConfig, run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "warmth.evaluate", f"model={cfg.model}", f"eval={cfg.eval}",
            f"logger={cfg.logger}", f"hydra.run.dir={run_dir}", *_extra(cfg, "evaluate")]


def run_step(name: str, command: list[str], run_dir: Path) -> None:
    """Run one step in the foreground (its output is the user's); fail with the step's name."""
    print(f"\n== study: {name} -> {run_dir}", flush=True)
    proc = subprocess.run(command, check=False)
    if proc.returncode != 0:
        raise WarmthError(f"study step '{name}' failed (exit {proc.returncode}); its files are in {run_dir}")
