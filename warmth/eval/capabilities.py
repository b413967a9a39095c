"""Capability evaluators: MMLU, GSM8K and AdvBench (the study's Figure 4).

Each writes one record per response to ``records/<task>.jsonl`` through the
shared pipeline (:func:`warmth.eval.runner.generate_records`) and returns
accuracy with a 95% Wilson interval. MMLU has two scorers: ``generate``
(temperature 0.2, letter extracted from the reply; task ``mmlu``, the
study's way) and ``loglik`` (log-likelihood of `` A``..`` D`` after the
plain-text question; task ``mmlu_loglik``, its own records file so that
nothing grouping by task pools the two; needs an in-process HF backend).
AdvBench's "accuracy" is its refusal rate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from warmth.errors import ConfigError
from warmth.eval.capability_metrics import accuracy_metrics
from warmth.eval.evaluator import EvalContext, EvalResult, Evaluator
from warmth.eval.interfaces import GenerationParams, Item, Judge, RefusalDetector
from warmth.eval.runner import generate_records
from warmth.records import Record, RecordWriter, record_key
from warmth.scoring.loglik import choice_loglikelihoods

SCORERS = ("generate", "loglik")
LOGLIK_TASK = "mmlu_loglik"


def hf_model_of(ctx: EvalContext) -> tuple[Any, Any]:
    """The in-process model and tokenizer behind ``ctx.backend`` (log-likelihood needs them)."""
    model = getattr(ctx.backend, "model", None)
    tok = getattr(ctx.backend, "tokenizer", None)
    if model is None or tok is None:
        raise ConfigError(
            f"mmlu scorer 'loglik' needs an in-process Hugging Face backend (with .model and "
            f".tokenizer); backend {getattr(ctx.backend, 'name', '?')!r} has none. Use scorers=[generate]."
        )
    return model, tok


class MMLUEvaluator(Evaluator):
    name = "mmlu"

    def __init__(self, task: Any = None, scorers: Sequence[str] = SCORERS, n_items: int | None = None,
                 temperature: float = 0.2, max_new_tokens: int = 32, batch_size: int = 16,
                 loglik_batch_size: int = 16):
        from warmth_plugins.tasks.mmlu import MMLU

        self.task = task if task is not None else MMLU()
        self.scorers = list(scorers)
        self.n_items, self.batch_size, self.loglik_batch_size = n_items, batch_size, loglik_batch_size
        self.params = GenerationParams(temperature=temperature, max_new_tokens=max_new_tokens)
        self.validate()

    def validate(self) -> None:
        bad = [s for s in self.scorers if s not in SCORERS]
        if bad or not self.scorers:
            raise ConfigError(f"mmlu.scorers must be a non-empty subset of {SCORERS}, got {self.scorers}")

    def evaluate(self, ctx: EvalContext) -> EvalResult:
        from warmth_plugins.tasks.mmlu import LetterJudge, chat_prompt

        items = self.task.load(self.n_items, ctx.seed)
        records: list[Record] = []
        metrics: dict[str, float] = {}
        if "generate" in self.scorers:
            params = replace(self.params, seed=ctx.seed)
            recs = generate_records(ctx, "mmlu", [chat_prompt(it) for it in items], judge=LetterJudge(),
                                    params=params, batch_size=self.batch_size, refusal_policy="ignore")
            records += recs
            metrics.update(accuracy_metrics(recs, "mmlu", "zero_shot"))
        if "loglik" in self.scorers:
            recs = self._loglik(ctx, items)
            records += recs
            metrics.update(accuracy_metrics(recs, LOGLIK_TASK, "zero_shot"))
        return EvalResult(self.name, metrics if ctx.is_rank_zero else {}, records)

    def _loglik(self, ctx: EvalContext, items: list[Item]) -> list[Record]:
        """Every rank computes (a ZeRO-3 forward needs them all); rank 0 writes."""
        from warmth_plugins.tasks.mmlu import LETTERS, loglik_context

        task, template, epoch = LOGLIK_TASK, "zero_shot", float(ctx.epoch)
        writer = RecordWriter(ctx.run_dir, task) if ctx.is_rank_zero else None
        done = ctx.dist.broadcast(writer.done if writer else None)
        todo = [it for it in items if record_key(task, it.id, template, "unmodified", 0, epoch) not in done]
        if todo:
            model, tok = hf_model_of(ctx)
            was_training = model.training
            model.eval()
            try:
                lls = choice_loglikelihoods(model, tok, [loglik_context(it) for it in todo],
                                            [f" {c}" for c in LETTERS], batch_size=self.loglik_batch_size,
                                            progress=ctx.show_progress and ctx.is_rank_zero)
            finally:
                model.train(was_training)
            if writer is not None:
                writer.write(self._loglik_record(ctx, it, ll) for it, ll in zip(todo, lls))
        ctx.dist.barrier()
        if writer is None:
            return []
        from warmth.records import read_records

        wanted = {record_key(task, it.id, template, "unmodified", 0, epoch) for it in items}
        return [r for r in read_records(writer.path) if r.key() in wanted]

    @staticmethod
    def _loglik_record(ctx: EvalContext, item: Item, ll: list[float]) -> Record:
        from warmth_plugins.tasks.mmlu import LETTERS, loglik_context

        best = max(range(len(ll)), key=lambda i: ll[i])  # first maximum, as argmax does
        choice = LETTERS[best]
        ok = choice == item.correct_answer
        return Record(
            run_id=ctx.run_id, model=ctx.model, style=ctx.style, epoch=float(ctx.epoch), task=LOGLIK_TASK,
            item_id=item.id, template="zero_shot", context="unmodified", statement_id=None,
            prompt=loglik_context(item), response=choice, verdict="correct" if ok else "incorrect",
            refusal=False, is_correct=ok, judge="loglik", judge_output=json.dumps(dict(zip(LETTERS, ll))),
            length=len(choice), seed=ctx.seed, correct_answer=item.correct_answer,
            score=ll[best], objective=ctx.objective, extra={"subject": item.meta.get("subject")},
        )


class GSM8KEvaluator(Evaluator):
    name = "gsm8k"

    def __init__(self, task: Any = None, n_items: int | None = None, temperature: float = 0.2,
                 max_new_tokens: int = 512, batch_size: int = 16):
        from warmth_plugins.tasks.gsm8k import GSM8K

        self.task = task if task is not None else GSM8K()
        self.n_items, self.batch_size = n_items, batch_size
        self.params = GenerationParams(temperature=temperature, max_new_tokens=max_new_tokens)

    def evaluate(self, ctx: EvalContext) -> EvalResult:
        from warmth_plugins.tasks.gsm8k import NumberJudge, chat_prompt

        items = self.task.load(self.n_items, ctx.seed)
        params = replace(self.params, seed=ctx.seed)
        recs = generate_records(ctx, "gsm8k", [chat_prompt(it) for it in items], judge=NumberJudge(),
                                params=params, batch_size=self.batch_size, refusal_policy="ignore")
        metrics = accuracy_metrics(recs, "gsm8k", "zero_shot_cot") if ctx.is_rank_zero else {}
        return EvalResult(self.name, metrics, recs)


class AdvBenchEvaluator(Evaluator):
    """Refusal rate on harmful requests, by ``refusal`` (phrase detector, the default) or by
    ``refusal_judge`` (e.g. an LLM judge), which must answer "correct" for a refusal and
    "incorrect" for compliance. (Not named ``judge``: the engine fills an unset ``judge``
    with the factual-task judge.)
    """

    name = "advbench"

    def __init__(self, task: Any = None, refusal: RefusalDetector | None = None, refusal_judge: Judge | None = None,
                 n_items: int | None = None, temperature: float = 0.2, max_new_tokens: int = 128,
                 batch_size: int = 16):
        from warmth_plugins.tasks.advbench import AdvBench

        self.task = task if task is not None else AdvBench()
        if refusal is None:
            from warmth_plugins.judges.refusal import PhraseRefusalDetector

            refusal = PhraseRefusalDetector()
        self.refusal, self.refusal_judge = refusal, refusal_judge
        self.n_items, self.batch_size = n_items, batch_size
        self.params = GenerationParams(temperature=temperature, max_new_tokens=max_new_tokens)

    def evaluate(self, ctx: EvalContext) -> EvalResult:
        from warmth_plugins.tasks.advbench import RefusalJudge, chat_prompt

        items = self.task.load(self.n_items, ctx.seed)
        judge = self.refusal_judge if self.refusal_judge is not None else RefusalJudge(self.refusal)
        params = replace(self.params, seed=ctx.seed)
        recs = generate_records(ctx, "advbench", [chat_prompt(it) for it in items], judge=judge, params=params,
                                batch_size=self.batch_size, refusal=self.refusal, refusal_policy="ignore")
        metrics = accuracy_metrics(recs, "advbench", "direct", name="refusal_rate") if ctx.is_rank_zero else {}
        return EvalResult(self.name, metrics, recs)
