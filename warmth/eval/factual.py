"""The study's evaluation: factual tasks x interpersonal contexts x user-belief templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from warmth.errors import ConfigError
from warmth.eval.contexts import load_statements, validate_contexts
from warmth.eval.evaluator import EvalContext, EvalResult, Evaluator
from warmth.eval.interfaces import GenerationParams, Judge, RefusalDetector, Task
from warmth.eval.metrics import compute_metrics
from warmth.eval.prompts import build_prompts, validate_templates
from warmth.eval.runner import generate_records
from warmth.records import Record


class FactualEvaluator(Evaluator):
    """For each task: items -> prompts (or the authors' exact prompts) -> records -> metrics.

    ``n_items`` (when set) overrides every task's own ``n_items``. Tasks may
    set ``belief_style`` (answer | claim), ``refusal_policy`` (exclude |
    correct | ignore) and ``question_for(item, template)`` (the question's
    wording per template); a task with ``fixed_prompts`` returning prompts
    (``source=authors``) uses those verbatim. Either way the design is the
    study's: ``original_neutral`` only without a context (28 prompts per item).
    """

    def __init__(self, tasks: Sequence[str], catalog: Mapping[str, Task], contexts: Sequence[str],
                 templates: Sequence[str], n_items: int | None = None, temperature: float = 0.8,
                 max_new_tokens: int = 300, top_p: float = 1.0, n_samples: int = 1, batch_size: int = 16,
                 judge: Judge | None = None, refusal: RefusalDetector | None = None, name: str = "factual",
                 metric_prefix: str = "eval", records_subdir: str = "", statements: str | None = None,
                 templates_file: str | None = None):
        self.name = name
        self.tasks = list(tasks)
        self.catalog = dict(catalog or {})
        self.contexts, self.templates = list(contexts), list(templates)
        self.n_items = None if n_items is None else int(n_items)
        self.params = GenerationParams(temperature=float(temperature), max_new_tokens=int(max_new_tokens),
                                       top_p=float(top_p), n_samples=int(n_samples))
        self.batch_size = int(batch_size)
        self.judge, self.refusal = judge, refusal
        self.metric_prefix, self.records_subdir = metric_prefix, records_subdir
        self.statements, self.templates_file = statements, templates_file
        self._prompts: dict[tuple[str, int], list] = {}
        self.validate()

    def validate(self) -> None:
        unknown = [t for t in self.tasks if t not in self.catalog]
        if unknown:
            raise ConfigError(f"unknown task(s) {unknown} in eval evaluator '{self.name}'; known: {sorted(self.catalog)}")
        if not self.tasks:
            raise ConfigError(f"evaluator '{self.name}' has no tasks")
        validate_contexts(self.contexts, load_statements(self.statements))
        for t in self.tasks:
            validate_templates(self.templates, getattr(self.catalog[t], "belief_style", "answer"), self.templates_file)
        if self.n_items is not None and self.n_items < 1:
            raise ConfigError(f"eval.n_items must be a positive integer or null, got {self.n_items}")
        if self.params.n_samples < 1 or self.params.max_new_tokens < 1 or self.params.temperature < 0:
            raise ConfigError(f"evaluator '{self.name}': n_samples and max_new_tokens must be >= 1, temperature >= 0")

    def prepare(self, seed: int) -> None:
        for name in self.tasks:
            self.prompts_for(name, seed)

    def prompts_for(self, name: str, seed: int) -> list:
        key = (name, seed)
        if key not in self._prompts:
            self._prompts[key] = self._build_prompts(name, seed)
        return self._prompts[key]

    def _build_prompts(self, name: str, seed: int) -> list:
        task = self.catalog[name]
        n = self.n_items if self.n_items is not None else getattr(task, "n_items", None)
        fixed = task.fixed_prompts(self.contexts, self.templates, n, seed) if hasattr(task, "fixed_prompts") else None
        if fixed is not None:
            return fixed
        items = task.load(n, seed)
        return build_prompts(name, items, self.contexts, self.templates, seed,
                             getattr(task, "belief_style", "answer"), self.statements, self.templates_file,
                             getattr(task, "question_for", None))

    def evaluate(self, ctx: EvalContext) -> EvalResult:
        if self.judge is None:
            raise ConfigError(f"evaluator '{self.name}' has no judge")
        records: list[Record] = []
        params = replace(self.params, seed=ctx.seed)
        for name in self.tasks:
            prompts = self.prompts_for(name, ctx.seed)
            records += generate_records(
                ctx, name, prompts, judge=self.judge, params=params, batch_size=self.batch_size,
                refusal=self.refusal, refusal_policy=getattr(self.catalog[name], "refusal_policy", "exclude"),
                records_subdir=self.records_subdir, desc=f"{self.name}:{name} (epoch {ctx.epoch:g})",
            )
        metrics: dict = compute_metrics(records, self.metric_prefix) if ctx.is_rank_zero else {}
        if ctx.is_rank_zero:
            # Which judge produced these error rates (string matching is not the study's judge):
            # a label in metrics.json and the loggers' config, never a scalar.
            metrics[f"{self.metric_prefix}/judge"] = judge_name(self.judge)
        return EvalResult(self.name, metrics, records)


def judge_name(judge: Any) -> str:
    return str(getattr(judge, "name", type(judge).__name__))


def describe(ev: Any) -> str:
    """One line for logs: what an evaluator will run."""
    if isinstance(ev, FactualEvaluator):
        return (f"{ev.name}: tasks={ev.tasks} contexts={len(ev.contexts)} templates={ev.templates} "
                f"n_items={ev.n_items if ev.n_items is not None else 'per task'} max_new_tokens={ev.params.max_new_tokens} "
                f"judge={judge_name(ev.judge)}")
    return ev.name
