"""MMLU / GSM8K / AdvBench evaluators: records, metrics, resume; a real backend plugin each time."""

from __future__ import annotations

import json

import pytest
from warmth_plugins.backends.canned import CannedBackend
from warmth_plugins.backends.hf import HFBackend
from warmth_plugins.tasks.advbench import AdvBench
from warmth_plugins.tasks.gsm8k import GSM8K
from warmth_plugins.tasks.mmlu import LETTERS, MMLU, loglik_context

from tests.capability_models import tiny
from warmth.errors import ConfigError
from warmth.eval.capabilities import AdvBenchEvaluator, GSM8KEvaluator, MMLUEvaluator
from warmth.eval.evaluator import EvalContext
from warmth.records import read_records
from warmth.scoring.loglik import choice_loglikelihoods


def ctx_for(backend, tmp_path, epoch=0.0) -> EvalContext:
    return EvalContext(backend=backend, run_dir=tmp_path, model="m", style="original", epoch=epoch,
                       seed=0, show_progress=False)


def test_mmlu_generation_scorer_with_canned_replies(tmp_path):
    items = MMLU(source="bundled").load(12, seed=0)
    # reply with the right letter for the first six items, a wrong one for the rest
    table = {}
    for k, it in enumerate(items):
        letter = it.correct_answer if k < 6 else LETTERS[(LETTERS.index(it.correct_answer) + 1) % 4]
        table[it.question] = f"I think the answer is {letter}."
    ev = MMLUEvaluator(task=MMLU(source="bundled"), scorers=["generate"], n_items=12)
    res = ev.evaluate(ctx_for(CannedBackend(table), tmp_path))
    assert res.metrics["eval/mmlu/zero_shot/accuracy"] == pytest.approx(0.5)
    assert res.metrics["eval/mmlu/zero_shot/n"] == 12
    recs = list(read_records(tmp_path / "records" / "mmlu.jsonl"))
    assert len(recs) == 12 and {r.template for r in recs} == {"zero_shot"}
    assert all(r.length == len(r.response) and r.judge == "letter" for r in recs)


def test_mmlu_loglik_scorer_records_and_resume(tmp_path):
    model, tok = tiny()
    backend = HFBackend(model=model, tokenizer=tok, batch_size=4)
    task = MMLU(source="bundled")
    ev = MMLUEvaluator(task=task, scorers=["loglik"], n_items=10)
    res = ev.evaluate(ctx_for(backend, tmp_path))
    items = task.load(10, seed=0)
    lls = choice_loglikelihoods(model, tok, [loglik_context(it) for it in items], [f" {x}" for x in LETTERS])
    picks = {it.id: LETTERS[max(range(4), key=lambda i: ll[i])] for it, ll in zip(items, lls)}
    recs = {r.item_id: r for r in read_records(tmp_path / "records" / "mmlu_loglik.jsonl")}
    assert {k: r.response for k, r in recs.items()} == picks
    assert not (tmp_path / "records" / "mmlu.jsonl").exists()
    acc = sum(picks[it.id] == it.correct_answer for it in items) / 10
    assert res.metrics["eval/mmlu_loglik/zero_shot/accuracy"] == pytest.approx(acc)
    assert set(json.loads(next(iter(recs.values())).judge_output)) == set(LETTERS)
    # a second run resumes: nothing recomputed, no duplicate lines
    ev.evaluate(ctx_for(backend, tmp_path))
    assert len(list(read_records(tmp_path / "records" / "mmlu_loglik.jsonl"))) == 10


def test_mmlu_loglik_needs_an_in_process_model(tmp_path):
    ev = MMLUEvaluator(task=MMLU(source="bundled"), scorers=["loglik"], n_items=2)
    with pytest.raises(ConfigError, match="in-process"):
        ev.evaluate(ctx_for(CannedBackend(), tmp_path))
    with pytest.raises(ConfigError, match="scorers"):
        MMLUEvaluator(scorers=["vibes"])


def test_gsm8k_number_judge_through_the_pipeline(tmp_path):
    items = GSM8K(source="bundled").load(4, seed=0)  # the evaluator draws with ctx.seed
    table = {items[0].question: f"Step by step... The answer is {items[0].correct_answer}.",
             items[1].question: "The answer is $1,000,000,001.",
             items[2].question: "I cannot tell."}
    ev = GSM8KEvaluator(task=GSM8K(source="bundled"), n_items=4)
    res = ev.evaluate(ctx_for(CannedBackend(table, default=""), tmp_path))
    recs = {r.item_id: r for r in read_records(tmp_path / "records" / "gsm8k.jsonl")}
    assert recs[items[0].id].verdict == "correct" and recs[items[0].id].judge_output == items[0].correct_answer
    assert recs[items[1].id].verdict == "incorrect"
    assert recs[items[2].id].verdict == "unscored" and recs[items[3].id].reason == "empty response"
    assert res.metrics["eval/gsm8k/zero_shot_cot/accuracy"] == pytest.approx(0.5)
    assert res.metrics["eval/gsm8k/zero_shot_cot/unscored_rate"] == pytest.approx(0.5)


def test_advbench_refusal_rate(tmp_path):
    items = AdvBench(source="bundled").load()
    assert len(items) == 30
    refuse = {it.question: "I'm sorry, but I can't help with that." for it in items[:20]}
    ev = AdvBenchEvaluator(task=AdvBench(source="bundled"))
    res = ev.evaluate(ctx_for(CannedBackend(refuse, default="Sure, here is an overview."), tmp_path))
    assert res.metrics["eval/advbench/direct/refusal_rate"] == pytest.approx(20 / 30)
    recs = list(read_records(tmp_path / "records" / "advbench.jsonl"))
    assert sum(r.refusal for r in recs) == 20 and all(r.is_correct == r.refusal for r in recs)
