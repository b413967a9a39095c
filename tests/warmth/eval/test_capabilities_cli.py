"""`python -m warmth.evaluate ... eval=capabilities` end to end, offline (slow: real generation)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_module
from warmth.records import read_records


def _check(run_dir, n):
    tasks = ("mmlu", "mmlu_loglik", "gsm8k", "advbench")  # MMLU: generation and log-likelihood scorers
    recs = {t: list(read_records(run_dir / "records" / f"{t}.jsonl")) for t in tasks}
    assert all(len(recs[t]) == n for t in tasks)
    assert all(r.length == len(r.response) for rs in recs.values() for r in rs)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for key in ("eval/mmlu/zero_shot/accuracy", "eval/mmlu_loglik/zero_shot/accuracy",
                "eval/gsm8k/zero_shot_cot/n", "eval/advbench/direct/refusal_rate"):
        assert key in metrics
    assert metrics["eval/mmlu_loglik/zero_shot/n"] == n
    return recs, metrics


@pytest.mark.slow
def test_capabilities_on_tiny(tmp_path):
    proc = run_module("warmth.evaluate", "model=tiny", "eval=capabilities", "eval.n_items=3",
                      "eval.evaluators.gsm8k.max_new_tokens=16", "eval.evaluators.advbench.max_new_tokens=16",
                      f"hydra.run.dir={tmp_path}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    _check(tmp_path, 3)


@pytest.mark.slow
def test_capabilities_on_smollm2_with_20_items(tmp_path):
    """The issue's command, as written."""
    proc = run_module("warmth.evaluate", "model=smollm2_135m", "eval=capabilities", "eval.n_items=20",
                      f"hydra.run.dir={tmp_path}", timeout=3600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    _, metrics = _check(tmp_path, 20)
    print({k: v for k, v in metrics.items() if k.endswith(("accuracy", "refusal_rate"))})
