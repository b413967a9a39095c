"""Warmth trajectory: SocioT score of the model's responses to held-out prompts.

Run at every checkpoint epoch (``eval.at_checkpoints``), it generates a
response to each held-out prompt, scores it with SocioT (see
:mod:`warmth.scoring.sociot`) and logs the mean and its standard error
across prompts as ``eval/warmth/mean`` and ``eval/warmth/sem``: the study's
Figure 1. Each response is a record of task ``warmth`` with
``Record.score`` = its SocioT score.

Beside SocioT, every response's style-marker rate (warm markers per 100
words, :mod:`warmth.scoring.style_markers`) is derived from its text, as
``eval/warmth/markers/mean`` and ``.../sem``: cheap, and sensitive where a
small SocioT scorer is not. ``scorer: null`` skips SocioT (markers only).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from warmth.eval.evaluator import EvalContext, EvalResult, Evaluator
from warmth.eval.interfaces import GenerationParams, Prompt, Verdict
from warmth.eval.runner import generate_records
from warmth.records import Record
from warmth.scoring.sociot import SocioT
from warmth.scoring.style_markers import MarkerRate, mean_sem


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


class MarkersOnlyJudge:
    """Scores nothing itself (``scorer: null``): the marker rate is derived from each response's text."""

    name = "markers"

    def judge(self, prompts: Sequence[Prompt], responses: Sequence[str]) -> list[Verdict]:
        return [Verdict("unscored", self.name, None, "no SocioT scorer", None) for _ in responses]


def warmth_metrics(records: Sequence[Record], prefix: str = "eval",
                   markers: MarkerRate | None = None) -> dict[str, float]:
    """Mean SocioT score and mean marker rate over responses, each with its standard error (across prompts)."""
    recs = [r for r in records if r.task == "warmth"]
    mean, sem, n = mean_sem([r.score for r in recs if r.score is not None])
    m_mean, m_sem, m_n = mean_sem((markers or MarkerRate()).rates([r.response for r in recs]))
    lengths = [r.length for r in recs]
    return {
        f"{prefix}/warmth/mean": mean,
        f"{prefix}/warmth/sem": sem,
        f"{prefix}/warmth/n": float(n),
        f"{prefix}/warmth/markers/mean": m_mean,
        f"{prefix}/warmth/markers/sem": m_sem,
        f"{prefix}/warmth/markers/n": float(m_n),
        f"{prefix}/warmth/mean_length": sum(lengths) / len(lengths) if lengths else float("nan"),
    }


class WarmthEvaluator(Evaluator):
    """SocioT warmth and marker rate of responses to held-out prompts; the scorer model loads once and is kept.

    ``scorer=None`` (config ``scorer: null``) skips SocioT; ``markers`` is a
    ``{name: regex}`` lexicon (default: :data:`~warmth.scoring.style_markers.WARMTH_PATTERNS`).
    """

    name = "warmth"

    def __init__(self, prompts: Any = None, n_items: int | None = None,
                 scorer: Mapping[str, Any] | None = MappingProxyType({}), sociot: Mapping[str, Any] | None = None,
                 temperature: float = 0.8, max_new_tokens: int = 300, batch_size: int = 16,
                 markers: Mapping[str, str] | None = None):
        from warmth_plugins.tasks.warmth_prompts import WarmthPrompts

        self.prompts = prompts if prompts is not None else WarmthPrompts()
        self.n_items, self.batch_size = n_items, batch_size
        self.scorer_cfg = None if scorer is None else dict(scorer)
        self.markers = MarkerRate(markers)
        self.sociot_cfg = dict(sociot or {})
        self.params = GenerationParams(temperature=temperature, max_new_tokens=max_new_tokens)
        self._judge: SocioTJudge | None = None
        self._items: Any = None

    def scorer(self) -> SocioTJudge | MarkersOnlyJudge:
        if self.scorer_cfg is None:
            return MarkersOnlyJudge()
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
        return EvalResult(self.name, warmth_metrics(recs, markers=self.markers) if ctx.is_rank_zero else {}, recs)


class _RankZeroOnly:
    name = "sociot"

    def judge(self, prompts: Sequence[Prompt], responses: Sequence[str]) -> list[Verdict]:
        raise RuntimeError("SocioT judging runs on rank 0 only")
