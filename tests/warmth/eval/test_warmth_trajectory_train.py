"""Training with eval=warmth scores warmth at every checkpoint epoch (slow: trains tiny)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_module
from warmth.records import read_records


@pytest.mark.slow
def test_warmth_logged_at_each_checkpoint_epoch(tmp_path):
    proc = run_module(
        "warmth.train", "experiment=smoke", "eval=warmth", "logger=none",
        "trainer.max_steps=-1", "trainer.max_epochs=1", "data.limit=8", "trainer.checkpoint_epochs=[0.5,1]",
        "eval.evaluators.factual=null", "eval.at_checkpoints.probe=null",
        "eval.at_checkpoints.warmth.n_items=6", "eval.at_checkpoints.warmth.max_new_tokens=12",
        "eval.at_checkpoints.warmth.scorer.pretrained=builtin:tiny",
        f"hydra.run.dir={tmp_path}",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    epochs = sorted({r.epoch for r in read_records(tmp_path / "records" / "warmth.jsonl")})
    assert epochs == [0.5, 1.0]
    for e in ("0.5", "1"):
        assert f"eval/epoch={e}/warmth/n" in metrics and metrics[f"eval/epoch={e}/warmth/n"] == 6
        assert f"eval/epoch={e}/warmth/mean" in metrics and f"eval/epoch={e}/warmth/sem" in metrics
