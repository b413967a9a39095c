"""Hydra multirun: one directory and one W&B run per job, the sweep as the W&B group."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_module

SMALL = ["model=tiny", "eval=none", "trainer.micro_batch_size=2", "trainer.effective_batch_size=2",
         "trainer.accelerator=cpu", "data.limit=8", "data.max_length=96", "trainer.enable_progress_bar=false"]


def job_dirs(sweep: Path) -> list[Path]:
    return sorted(p.parent for p in sweep.glob("*/.hydra"))


def test_style_sweep_gives_two_jobs_and_two_wandb_runs_in_one_group(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    proc = run_module("warmth.train", "-m", "style=warm,cold", "trainer.max_steps=3", "logger=wandb", *SMALL,
                      f"hydra.sweep.dir={sweep}", timeout=900, env={"WANDB_MODE": "offline"})
    assert proc.returncode == 0, proc.stderr[-4000:]
    jobs = job_dirs(sweep)
    assert len(jobs) == 2 and {"style=warm" in j.name for j in jobs} == {True, False}
    runs = [list((job / "wandb").glob("offline-run-*/run-*.wandb")) for job in jobs]
    assert all(len(r) == 1 for r in runs), runs
    ids = {r[0].stem for r in runs}
    assert len(ids) == 2, "both jobs wrote to the same W&B run"
    group = sweep.name.encode()
    assert all(group in r[0].read_bytes() for r in runs), "the runs are not grouped by the sweep"


@pytest.mark.slow
def test_two_process_jobs_in_a_sweep_keep_one_directory_each(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    proc = run_module("warmth.train", "-m", "style=warm,cold", "trainer.max_steps=2", "logger=csv",
                      "trainer.devices=2", "strategy=ddp", *SMALL, f"hydra.sweep.dir={sweep}", timeout=1200)
    assert proc.returncode == 0, proc.stderr[-4000:]
    jobs = job_dirs(sweep)
    assert len(jobs) == 2, sorted(p.name for p in sweep.iterdir())
    assert sorted(p.name for p in sweep.iterdir() if p.is_dir()) == [j.name for j in jobs]
    for job in jobs:
        assert (job / "train_rank1.log").exists(), "rank 1 did not run in its job's directory"
        assert (job / "checkpoints" / "last" / "adapter_model.safetensors").exists()
