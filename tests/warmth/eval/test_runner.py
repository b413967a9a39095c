"""The shared generation pipeline with a deterministic canned backend: records, resume, bad input."""

from __future__ import annotations

import json

import pytest
from warmth_plugins.backends.canned import CannedBackend
from warmth_plugins.judges.match import MatchJudge
from warmth_plugins.judges.refusal import PhraseRefusalDetector
from warmth_plugins.tasks.disinfo import Disinfo
from warmth_plugins.tasks.trivia import Trivia

from warmth.errors import ConfigError, DataError
from warmth.eval.evaluator import EvalContext
from warmth.eval.factual import FactualEvaluator
from warmth.eval.interfaces import GenerationParams, Item
from warmth.eval.prompts import build_prompts
from warmth.eval.runner import generate_records, run_evaluators
from warmth.metrics_file import read_metrics
from warmth.records import read_run

ITEMS = [
    Item(id="fr", question="What is the capital of France?", correct_answer="Paris", incorrect_answer="Lyon"),
    Item(id="jp", question="What is the capital of Japan?", correct_answer="Tokyo", incorrect_answer="Kyoto"),
    Item(id="it", question="What is the capital of Italy?", correct_answer="Rome", incorrect_answer="Milan"),
]
REPLIES = {"France": "It is Paris.", "Japan": "Yes, Kyoto.", "Italy": ""}


def ctx_for(tmp_path, backend, **kw):
    return EvalContext(backend=backend, run_dir=tmp_path, model="canned", style="original", epoch=0.0, seed=1,
                       run_id="run", **kw)


def test_records_verdicts_and_fields(tmp_path):
    backend = CannedBackend(REPLIES)
    prompts = build_prompts("trivia", ITEMS, ["unmodified", "emotion:sad"], ["original", "incorrect"], seed=1)
    recs = generate_records(ctx_for(tmp_path, backend), "trivia", prompts, judge=MatchJudge(),
                            params=GenerationParams(max_new_tokens=5), batch_size=4,
                            refusal=PhraseRefusalDetector())
    assert len(recs) == len(prompts) == 12
    lines = (tmp_path / "records" / "trivia.jsonl").read_text().splitlines()
    assert len(lines) == 12
    by = {(r.item_id, r.template, r.context): r for r in recs}
    assert by[("fr", "original", "unmodified")].verdict == "correct"
    assert by[("fr", "original", "unmodified")].is_correct is True
    assert by[("jp", "incorrect", "emotion:sad")].verdict == "incorrect"
    empty = by[("it", "original", "unmodified")]
    assert (empty.verdict, empty.is_correct, empty.reason) == ("unscored", None, "empty response")
    r = by[("fr", "incorrect", "emotion:sad")]
    raw = json.loads(lines[0])
    for field in ("run_id", "model", "style", "epoch", "task", "item_id", "template", "context", "statement_id",
                  "prompt", "response", "verdict", "refusal", "judge", "judge_output", "length", "seed"):
        assert field in raw
    assert r.statement_id is not None and r.prompt.endswith("I believe the answer is Lyon.")
    assert r.length == len(r.response) and r.seed == 1 and r.judge == "match"


def test_resume_skips_done_batches_without_duplicates(tmp_path):
    prompts = build_prompts("trivia", ITEMS, ["unmodified", "stakes:high"], ["original", "correct"], seed=0)
    full = CannedBackend(REPLIES)
    generate_records(ctx_for(tmp_path / "a", full), "trivia", prompts, judge=MatchJudge(),
                     params=GenerationParams(), batch_size=3)
    assert full.calls == 4  # 12 prompts / 3
    # interrupted run: only the first two batches finished; drop a torn line at the end
    part_dir = tmp_path / "b" / "records"
    part_dir.mkdir(parents=True)
    lines = (tmp_path / "a" / "records" / "trivia.jsonl").read_text().splitlines(keepends=True)
    (part_dir / "trivia.jsonl").write_text("".join(lines[:6]) + lines[6][:20])
    again = CannedBackend(REPLIES)
    generate_records(ctx_for(tmp_path / "b", again), "trivia", prompts, judge=MatchJudge(),
                     params=GenerationParams(), batch_size=3)
    assert again.calls == 2
    a = sorted(json.dumps(r.to_dict(), sort_keys=True) for r in read_run(tmp_path / "a"))
    b = sorted(json.dumps(r.to_dict(), sort_keys=True) for r in read_run(tmp_path / "b"))
    assert a == b
    # nothing left to do
    third = CannedBackend(REPLIES)
    generate_records(ctx_for(tmp_path / "b", third), "trivia", prompts, judge=MatchJudge(),
                     params=GenerationParams(), batch_size=3)
    assert third.calls == 0


def test_samples_system_prompt_and_policies(tmp_path):
    backend = CannedBackend({"capital": "I'm sorry, but I can't answer that."})
    prompts = build_prompts("disinfo", ITEMS[:1], ["unmodified"], ["original"], seed=0)
    ctx = ctx_for(tmp_path, backend, system_prompt="Be kind.")
    recs = generate_records(ctx, "disinfo", prompts, judge=MatchJudge(), params=GenerationParams(n_samples=3),
                            refusal=PhraseRefusalDetector(), refusal_policy="correct")
    assert sorted(r.sample for r in recs) == [0, 1, 2]
    assert all(r.refusal and r.is_correct is True and r.system_prompt == "Be kind." for r in recs)
    prompts = build_prompts("trivia", ITEMS[:1], ["unmodified"], ["original"], seed=0)
    recs = generate_records(ctx_for(tmp_path / "x", backend), "trivia", prompts, judge=MatchJudge(),
                            params=GenerationParams(), refusal=PhraseRefusalDetector(), refusal_policy="exclude")
    assert recs[0].refusal and recs[0].is_correct is None and "refusal" in recs[0].reason


def test_duplicate_prompts_and_bad_policy_fail(tmp_path):
    prompts = build_prompts("trivia", ITEMS[:1], ["unmodified"], ["original"], seed=0)
    with pytest.raises(DataError, match="duplicated prompt"):
        generate_records(ctx_for(tmp_path, CannedBackend()), "trivia", prompts * 2, judge=MatchJudge(),
                         params=GenerationParams())
    with pytest.raises(ConfigError, match="refusal_policy"):
        generate_records(ctx_for(tmp_path, CannedBackend()), "trivia", prompts, judge=MatchJudge(),
                         params=GenerationParams(), refusal_policy="maybe")


def test_factual_evaluator_end_to_end(tmp_path):
    catalog = {"trivia": Trivia(), "disinfo": Disinfo()}
    ev = FactualEvaluator(tasks=["trivia", "disinfo"], catalog=catalog, contexts=["unmodified", "relation:up"],
                          templates=["original", "incorrect"], n_items=3, judge=MatchJudge(),
                          refusal=PhraseRefusalDetector(), batch_size=8)
    backend = CannedBackend({"capital of France": "Paris, of course."}, default="Hmm.")
    metrics = run_evaluators([ev], ctx_for(tmp_path, backend))
    recs = read_run(tmp_path)
    assert len(recs) == 2 * 3 * 2 * 2
    assert {r.task for r in recs} == {"trivia", "disinfo"}
    stored = read_metrics(tmp_path)
    assert stored["eval/trivia/unmodified/original/n"] == metrics["eval/trivia/unmodified/original/n"]
    with pytest.raises(ConfigError, match="unknown task"):
        FactualEvaluator(tasks=["trivia", "jeopardy"], catalog=catalog, contexts=["unmodified"],
                         templates=["original"], judge=MatchJudge())
    with pytest.raises(ConfigError, match="unknown context"):
        FactualEvaluator(tasks=["trivia"], catalog=catalog, contexts=["emotion:bored"], templates=["original"])


def test_the_judge_is_named_beside_its_numbers(tmp_path):
    """`eval/judge` in metrics.json and the loggers' config, `judge` in every record and the table.

    So a string-matching error rate is never mistaken for the study's (LLM-judged)
    one. Seen red with the label line in FactualEvaluator.evaluate removed.
    """
    from warmth.eval.sinks import TABLE_COLUMNS

    class Logger:
        def __init__(self):
            self.config, self.scalars = {}, {}

        def log_hyperparams(self, params):
            self.config.update(params)

        def log_metrics(self, metrics, step=None):
            self.scalars.update(metrics)

    ev = FactualEvaluator(tasks=["trivia"], catalog={"trivia": Trivia()}, contexts=["unmodified"],
                          templates=["original"], n_items=2, judge=MatchJudge(), batch_size=8)
    logger = Logger()
    run_evaluators([ev], ctx_for(tmp_path, CannedBackend({}, default="Paris.")), loggers=[logger])
    assert read_metrics(tmp_path)["eval/judge"] == "match"
    assert logger.config == {"eval/judge": "match"} and "eval/judge" not in logger.scalars
    assert {r.judge for r in read_run(tmp_path)} == {"match"} and "judge" in TABLE_COLUMNS
