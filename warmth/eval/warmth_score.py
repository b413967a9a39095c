"""Warmth trajectory: SocioT score of the model's responses to held-out prompts.

Run at every checkpoint epoch (``eval.at_checkpoints``), it generates a
response to each held-out prompt, scores it with SocioT (see
:mod:`warmth.scoring.sociot`) and logs the mean and its standard error
across prompts as ``eval/warmth/mean`` and ``eval/warmth/sem``: the study's
Figure 1. Each response is a record of task ``warmth`` with
``Record.score`` = its SocioT score.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from warmth.eval.evaluator import EvalContext, EvalResult, Evaluator
from warmth.eval.interfaces import GenerationParams, Prompt, Verdict
from warmth.eval.runner import generate_records
from warmth.records import Record
from warmth.scoring.sociot import SocioT


class SocioTJudge:
    """Gives every response its SocioT score (verdict ``unscored``: warmth has no right answer)."""

    def __init__(self, sociot: SocioT, scorer_name: str):
        self.sociot = sociot
        self.name = f"sociot:{scorer_name}"

    def judge(self, prompts: Sequence[Prompt], responses: Sequence[str]) -> list[Verdict]:
        res = self.sociot.score(list(responses))
        out = []
        for score, sem in zip(res.scores, res.sems):
            raw = json.dumps({"score": score, "sem": sem, "repeats": res.repeats})
            ok = math.isfinite(score)
            out.append(Verdict("unscored", self.name, raw, "warmth score" if ok else "nothing to score",
                               score if ok else None))
        return out


def warmth_metrics(records: Sequence[Record], prefix: str = "eval") -> dict[str, float]:
    """Mean SocioT score over responses and its standard error (across prompts)."""
    scores = [r.score for r in records if r.task == "warmth" and r.score is not None and math.isfinite(r.score)]
    n = len(scores)
    mean = sum(scores) / n if n else float("nan")
    sem = (math.sqrt(sum((s - mean) ** 2 for s in scores) / (n - 1)) / math.sqrt(n)) if n > 1 else float("nan")
    lengths = [r.length for r in records if r.task == "warmth"]
    return {
        f"{prefix}/warmth/mean": mean,
        f"{prefix}/warmth/sem": sem,
        f"{prefix}/warmth/n": float(n),
        f"{prefix}/warmth/mean_length": sum(lengths) / len(lengths) if lengths else float("nan"),
    }


class WarmthEvaluator(Evaluator):
    """SocioT warmth of responses to held-out prompts; the scorer model loads once and is kept."""

    name = "warmth"

    def __init__(self, prompts: Any = None, n_items: int | None = None,
                 scorer: Mapping[str, Any] | None = None, sociot: Mapping[str, Any] | None = None,
                 temperature: float = 0.8, max_new_tokens: int = 300, batch_size: int = 16):
        from warmth_plugins.tasks.warmth_prompts import WarmthPrompts

        self.prompts = prompts if prompts is not None else WarmthPrompts()
        self.n_items, self.batch_size = n_items, batch_size
        self.scorer_cfg = dict(scorer or {})
        self.sociot_cfg = dict(sociot or {})
        self.params = GenerationParams(temperature=temperature, max_new_tokens=max_new_tokens)
        self._judge: SocioTJudge | None = None
        self._items: Any = None

    def scorer(self) -> SocioTJudge:
        if self._judge is None:
            from warmth.scoring.scorer_model import load_scorer

            model, tok, name = load_scorer(**self.scorer_cfg)
            self._judge = SocioTJudge(SocioT(model, tok, **self.sociot_cfg), name)
        return self._judge

    def evaluate(self, ctx: EvalContext) -> EvalResult:
        from warmth_plugins.tasks.warmth_prompts import chat_prompt

        if self._items is None:  # same prompts at every checkpoint
            self._items = self.prompts.load(self.n_items, ctx.seed)
        judge = self.scorer() if ctx.is_rank_zero else _RankZeroOnly()  # only rank 0 judges
        params = replace(self.params, seed=ctx.seed)
        recs = generate_records(ctx, "warmth", [chat_prompt(it) for it in self._items], judge=judge,
                                params=params, batch_size=self.batch_size, refusal_policy="ignore",
                                desc=f"warmth @ epoch {ctx.epoch:g}")
        return EvalResult(self.name, warmth_metrics(recs) if ctx.is_rank_zero else {}, recs)


class _RankZeroOnly:
    name = "sociot"

    def judge(self, prompts: Sequence[Prompt], responses: Sequence[str]) -> list[Verdict]:
        raise RuntimeError("SocioT judging runs on rank 0 only")
