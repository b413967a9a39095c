"""The mini study's steps, each a real entry point run as a user would run it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from omegaconf import DictConfig

from warmth.errors import WarmthError

GROUPS = ("model", "eval", "logger")


def _extra(cfg: DictConfig, key: str) -> list[str]:
    return [str(x) for x in (cfg.get(key) or [])]


def _groups(choices: Mapping[str, str]) -> list[str]:
    """The study's group choices (model, eval, logger) as overrides for a step."""
    return [f"{g}={choices[g]}" for g in GROUPS]


def train_command(cfg: DictConfig, choices: Mapping[str, str], style: str, run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "warmth.train", *_groups(choices), f"style={style}",
            f"trainer.max_epochs={cfg.epochs}", f"hydra.run.dir={run_dir}",
            *_extra(cfg, "train"), *_extra(cfg, "evaluate")]


def base_command(cfg: DictConfig, choices: Mapping[str, str], run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "warmth.evaluate", *_groups(choices), f"hydra.run.dir={run_dir}",
            *_extra(cfg, "evaluate")]


def run_step(name: str, command: list[str], run_dir: Path) -> None:
    """Run one step in the foreground (its output is the user's); fail with the step's name."""
    print(f"\n== study: {name} -> {run_dir}", flush=True)
    proc = subprocess.run(command, check=False)
    if proc.returncode != 0:
        raise WarmthError(f"study step '{name}' failed (exit {proc.returncode}); its files are in {run_dir}")
