"""The Trainer that ``warmth.train`` builds: what a user sees while it trains."""

from __future__ import annotations

from pathlib import Path

from lightning.pytorch.callbacks import TQDMProgressBar

from tests.conftest import compose
from warmth.trainer_builder import build_trainer


def test_training_progress_bar_is_tqdm(tmp_path: Path) -> None:
    """Catches Lightning's Rich bar (its default when ``rich`` is installed), which prints nothing
    until the run ends when output is a file, as in SLURM logs (seen: only the final frame showed)."""
    base = ["model=tiny", "trainer.accelerator=cpu", f"run_dir={tmp_path}"]
    cfg = compose("train", [*base, "trainer.enable_progress_bar=true"])
    trainer = build_trainer(cfg, [], False)
    assert isinstance(trainer.progress_bar_callback, TQDMProgressBar)
    quiet = compose("train", [*base, "trainer.enable_progress_bar=false"])
    assert build_trainer(quiet, [], False).progress_bar_callback is None
