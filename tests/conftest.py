"""Shared fixtures: offline environment, repo paths, running entry points."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAPER = REPO.parent / "shared" / "paper"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("WANDB_SILENT", "true")


def run_module(module: str, *args: str, cwd: Path | None = None, timeout: int = 600,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m <module> args`` as a user would; returns the completed process."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=str(cwd or REPO), capture_output=True, text=True, timeout=timeout, env=full_env, check=False,
    )


@pytest.fixture(scope="session")
def paper_dir() -> Path:
    if not PAPER.exists():
        pytest.skip("the authors' data (../shared/paper) is absent")
    return PAPER


def compose(config_name: str, overrides: list[str], run_dir: Path | None = None, hydra: bool = False):
    """Compose a primary config from conf/ in-process, as Hydra would for the CLI.

    ``run_dir`` replaces the ``${hydra:runtime.output_dir}`` interpolation,
    which only resolves inside a Hydra run; ``hydra=True`` keeps the ``hydra`` node.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    import warmth.resolvers  # noqa: F401

    extra = [f"run_dir={run_dir}"] if run_dir is not None else []
    with initialize_config_dir(config_dir=str(REPO / "conf"), version_base="1.3"):
        return hydra_compose(config_name=config_name, overrides=list(overrides) + extra,
                             return_hydra_config=hydra)
