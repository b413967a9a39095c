"""A run killed mid-epoch and resumed ends with the same weights as one never stopped."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file

from tests.conftest import compose
from warmth.train import train

BASE = ["model=tiny", "eval=none", "logger=none", "peft.dropout=0.0", "data.shuffle=true",
        "data.max_length=256", "data.limit=16", "trainer.micro_batch_size=1",
        "trainer.effective_batch_size=2", "trainer.checkpoint_epochs=[10]",
        "trainer.enable_progress_bar=false", "trainer.precision=32-true", "trainer.accelerator=cpu",
        "trainer.max_epochs=2",
        # a schedule that does not depend on max_steps, which stands in for the kill here
        "trainer.scheduler=constant", "trainer.warmup_ratio=0.0"]


def _adapter(run: Path) -> dict[str, torch.Tensor]:
    return load_file(str(run / "checkpoints" / "last" / "adapter_model.safetensors"))


def test_mid_epoch_resume_matches_uninterrupted(tmp_path: Path) -> None:
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    cfg = compose("train", [*BASE, "trainer.max_steps=10"], run_dir=whole)
    train(cfg)
    # Stop mid-way through the first epoch, then resume into the second.
    train(compose("train", [*BASE, "trainer.max_steps=3"], run_dir=parts))
    train(compose("train", [*BASE, "trainer.max_steps=10", "ckpt_path=last"], run_dir=parts))

    a, b = _adapter(whole), _adapter(parts)
    assert a.keys() == b.keys() and a
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-6), key
