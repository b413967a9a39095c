"""``experiment=mitigation_grid``: every cell is a distinct objective, the grid runs, the report draws it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from tests.conftest import REPO, compose, run_module
from warmth.objectives import build_objective

GRID = OmegaConf.load(REPO / "conf" / "experiment" / "mitigation_grid.yaml")
CELLS = str(GRID.hydra.sweeper.params.objective).split(",")


def test_every_cell_composes_to_its_own_objective() -> None:
    """The six cells build six different objectives with distinct labels (the report's line names)."""
    built = [build_objective(compose("train", ["experiment=mitigation_grid", "model=tiny", f"objective={c}"]))
             for c in CELLS]
    labels = [o.label for o in built]
    assert labels == ["sft", "sft_kl-b0.1", "sft_kl-b1", "sft_kl-b10", "data_mix-r0.25", "data_mix-r0.5"]
    assert [o.beta for o in built if o.name == "sft_kl"] == [0.1, 1.0, 10.0]
    assert [o.ratio for o in built if o.name == "data_mix"] == [0.25, 0.5]
    cfg = compose("train", ["experiment=mitigation_grid", "model=tiny"])
    assert cfg.eval.at_fit_start and "factual" in cfg.eval.at_checkpoints and "warmth" in cfg.eval.at_checkpoints


SMALL = ["model=tiny", "trainer.max_steps=3", "logger=none", "trainer.enable_progress_bar=false",
         "trainer.checkpoint_epochs=[1]", "eval.n_items=2", "eval.evaluators.factual.tasks=[trivia]",
         "eval.evaluators.factual.max_new_tokens=8", "eval.at_checkpoints.warmth.n_items=4",
         "eval.at_checkpoints.warmth.max_new_tokens=8", "eval.at_checkpoints.warmth.scorer.pretrained=builtin:tiny"]


@pytest.mark.slow
def test_grid_runs_every_cell_and_the_report_draws_one_line_per_objective(tmp_path: Path) -> None:
    """The issue's command at reduced evaluation sizes, then ``warmth.report`` over the sweep folder.

    Checked by removing the objective from the report's condition names
    (frame.py): the frontier then has one line, and the test fails.
    """
    sweep = tmp_path / "grid"
    proc = run_module("warmth.train", "-m", "experiment=mitigation_grid", *SMALL, f"hydra.sweep.dir={sweep}",
                      timeout=3000)
    assert proc.returncode == 0, proc.stderr[-3000:]
    cells = sorted(p.name for p in sweep.iterdir() if p.is_dir())
    assert len(cells) == len(CELLS) and all((sweep / c / "records" / "warmth.jsonl").exists() for c in cells)
    out = tmp_path / "report"
    proc = run_module("warmth.report", f"inputs=[{sweep}]", f"out={out}", timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    front = pd.read_csv(out / "tables" / "frontier.csv")
    assert sorted(front["style"].unique()) == sorted(
        ["warm", "warm+sft_kl-b0.1", "warm+sft_kl-b1", "warm+sft_kl-b10", "warm+data_mix-r0.25",
         "warm+data_mix-r0.5"])
    assert (out / "figures" / "frontier.png").exists() and (out / "index.html").exists()
