"""Metrics and a table of sampled records reach a W&B logger (offline run files)."""

from __future__ import annotations

import json

import pytest

from warmth.eval.sinks import log_metrics, log_records_table
from warmth.records import Record


def _rec(i):
    return Record(run_id="r", model="m", style="s", epoch=0.0, task="trivia", item_id=str(i), template="original",
                  context="unmodified", statement_id=None, prompt=f"q{i}", response=f"a{i}", verdict="correct",
                  refusal=False, is_correct=True, judge="match", length=2)


@pytest.mark.slow
def test_wandb_offline_table(tmp_path, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    from lightning.pytorch.loggers import WandbLogger

    logger = WandbLogger(project="warmth-test", save_dir=str(tmp_path), mode="offline")
    log_metrics([logger], {"eval/trivia/error_rate": 0.25, "eval/none": None}, step=3)
    log_records_table([logger], "factual/records", [_rec(i) for i in range(300)], n=50, seed=0)
    logger.experiment.finish()
    tables = list(tmp_path.glob("wandb/offline-run-*/files/media/table/factual/records_*.table.json"))
    assert len(tables) == 1
    data = json.loads(tables[0].read_text())
    assert len(data["data"]) == 50 and "response" in data["columns"]
