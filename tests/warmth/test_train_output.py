"""What a user sees when a training run ends: a short summary, no duplicated lines, no third-party noise."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.conftest import run_module

TINY = ["model=tiny", "eval=none", "logger=wandb", "trainer.max_steps=2", "trainer.micro_batch_size=2",
        "trainer.effective_batch_size=2", "trainer.checkpoint_epochs=[1]", "data.limit=8",
        "data.max_length=128", "trainer.enable_progress_bar=false"]


def test_run_ends_with_summary_and_quiet_logs(tmp_path: Path) -> None:
    """Catches the W&B summary wall, Lightning lines printed twice (its own handler plus Hydra's),
    Lightning's tips and third-party deprecation warnings (checked: without quiet_third_party()
    "INFO: GPU available" doubles and the litlogger tip shows; without wandb quiet, "Run summary" shows; with run.save for the run's files, "Symlinked" shows; without its filter, the weights_only notice shows)."""
    run = tmp_path / "run"
    proc = run_module("warmth.train", *TINY, f"hydra.run.dir={run}", env={"WANDB_MODE": "offline"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert "training finished" in proc.stdout and "2 optimizer steps" in proc.stdout
    assert f"run          {run}" in proc.stdout and "checkpoints  " in proc.stdout
    assert "wandb sync" in proc.stdout and "train/loss" in proc.stdout
    for noise in ("Run summary", "Run history", "💡 Tip", "DeprecationWarning", "FutureWarning", "deprecated",
                  "Setting accelerator to CPU", "`weights_only` was not set", "Symlinked"):
        assert noise not in out, noise
    # The metrics still reach the W&B run's files (uploaded by `wandb sync`), without a symlink warning.
    copies = list(run.glob("wandb/offline-run-*/files/metrics.json"))
    assert len(copies) == 1 and not copies[0].is_symlink()
    lines = [ln.split("] - ", 1)[-1].removeprefix("INFO: ").strip() for ln in out.splitlines()]
    twice = [ln for ln, n in Counter(ln for ln in lines if ln).items() if n > 1]
    assert not twice, twice
