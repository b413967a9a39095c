"""Runs prompts through a backend and a judge into records, and evaluators into metrics.

:func:`generate_records` is the shared pipeline every evaluator uses:

1. prompts are sorted by length (longest first) and cut into fixed batches;
   each batch gets a seed derived from (seed, task, batch index), so a
   resumed run regenerates exactly the batches an uninterrupted run would;
2. batches whose records are all present are skipped (resume);
3. the remaining batches are dealt round-robin over ranks; under ZeRO-3 /
   FSDP a rank without work generates a dummy batch so that every rank
   calls ``generate`` equally often (``synced_gpus``);
4. after each round the responses are gathered on rank 0, which judges
   them, detects refusals, and appends the records (written per batch).

:func:`run_evaluators` runs evaluators, merges their metrics into
``<run_dir>/metrics.json`` and sends them to the loggers (rank 0 only).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from tqdm.auto import tqdm

from warmth.errors import DataError
from warmth.eval.evaluator import EvalContext, EvalResult, Evaluator
from warmth.eval.interfaces import GenerationParams, Judge, Prompt, RefusalDetector, Verdict
from warmth.eval.scoring import check_policy, is_correct
from warmth.metrics_file import update_metrics
from warmth.records import VERDICTS, Record, RecordWriter, read_records, record_key


def batch_seed(seed: int, task: str, index: int) -> int:
    digest = hashlib.sha256(f"{seed}/{task}/{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def with_system_prompt(messages: list[dict[str, str]], system_prompt: str | None) -> list[dict[str, str]]:
    """Prepend ``system_prompt`` unless the request already has a system message."""
    if not system_prompt or (messages and messages[0].get("role") == "system"):
        return list(messages)
    return [{"role": "system", "content": system_prompt}, *messages]


def _check_unique(task: str, prompts: Sequence[Prompt]) -> None:
    seen: set[tuple] = set()
    for p in prompts:
        if p.task != task:
            raise ValueError(f"prompt of task {p.task!r} passed to generate_records for task {task!r}")
        if p.key() in seen:
            raise DataError(f"task {task}: duplicated prompt (item {p.item.id!r}, template {p.template!r}, context {p.context!r})")
        seen.add(p.key())


def _safe_verdicts(judge: Judge, prompts: list[Prompt], responses: list[str]) -> list[Verdict]:
    """Judge non-empty responses; empty ones and invalid verdicts become unscored with a reason."""
    out: list[Verdict | None] = [None] * len(responses)
    todo = [i for i, r in enumerate(responses) if r.strip()]
    for i, r in enumerate(responses):
        if not r.strip():
            out[i] = Verdict("unscored", judge.name, None, "empty response")
    if todo:
        got = judge.judge([prompts[i] for i in todo], [responses[i] for i in todo])
        if len(got) != len(todo):
            raise RuntimeError(f"judge {judge.name} returned {len(got)} verdicts for {len(todo)} responses")
        for i, v in zip(todo, got):
            if v.verdict not in VERDICTS:
                v = Verdict("unscored", judge.name, v.raw, f"judge returned invalid verdict {v.verdict!r}")
            out[i] = v
    return out  # type: ignore[return-value]


def _reason(judge_reason: str | None, policy_reason: str | None, refusal: bool) -> str | None:
    """Why a record is unscored or excluded: the refusal first, then the judge's reason."""
    if refusal and policy_reason:
        return "; ".join(r for r in (policy_reason, judge_reason) if r)
    return judge_reason or policy_reason


def _make_record(ctx: EvalContext, prompt: Prompt, sample: int, response: str, verdict: Verdict,
                 refusal: bool, policy: str, system_prompt: str | None) -> Record:
    correct, why = is_correct(verdict.verdict, refusal, policy)
    return Record(
        run_id=ctx.run_id, model=ctx.model, style=ctx.style, epoch=float(ctx.epoch),
        task=prompt.task, item_id=prompt.item.id, template=prompt.template, context=prompt.context,
        statement_id=prompt.statement_id, prompt=prompt.text, response=response,
        verdict=verdict.verdict, refusal=refusal, is_correct=correct, judge=verdict.judge,
        judge_output=verdict.raw, length=len(response), seed=ctx.seed, sample=sample,
        correct_answer=prompt.item.correct_answer, incorrect_answer=prompt.item.incorrect_answer,
        system_prompt=system_prompt, reason=_reason(verdict.reason, why, refusal), score=verdict.score,
        objective=ctx.objective,
    )


def generate_records(
    ctx: EvalContext,
    task: str,
    prompts: Sequence[Prompt],
    *,
    judge: Judge,
    params: GenerationParams,
    batch_size: int = 16,
    refusal: RefusalDetector | None = None,
    refusal_policy: str = "exclude",
    records_subdir: str = "",
    desc: str | None = None,
) -> list[Record]:
    """Generate, judge and append records for ``prompts``; returns all of them on rank 0."""
    check_policy(refusal_policy)
    _check_unique(task, prompts)
    dist = ctx.dist
    out_dir = ctx.run_dir / records_subdir if records_subdir else ctx.run_dir
    writer = RecordWriter(out_dir, task) if dist.is_rank_zero else None
    done: set[tuple] = dist.broadcast(writer.done if writer else None)
    n = max(1, int(params.n_samples))
    epoch = float(ctx.epoch)

    def keys(p: Prompt) -> list[tuple]:
        return [record_key(task, p.item.id, p.template, p.context, s, epoch) for s in range(n)]

    order = sorted(range(len(prompts)), key=lambda i: (-len(prompts[i].text), i))
    batches = [order[i : i + batch_size] for i in range(0, len(order), max(1, batch_size))]
    todo = [(b, idx) for b, idx in enumerate(batches) if any(k not in done for i in idx for k in keys(prompts[i]))]
    rounds = math.ceil(len(todo) / dist.world_size)
    bar = tqdm(total=len(todo), desc=desc or f"eval {task}", disable=not (ctx.show_progress and dist.is_rank_zero))
    for r in range(rounds):
        slot = r * dist.world_size + dist.rank
        mine = todo[slot] if slot < len(todo) else None
        payload: list[tuple[int, list[str]]] = []
        job = mine or (todo[-1] if dist.synced_gpus else None)
        if job is not None:
            b, idx = job
            requests = [with_system_prompt(prompts[i].messages, ctx.system_prompt) for i in idx]
            outs = ctx.backend.generate(requests, replace(params, n_samples=n, seed=batch_seed(ctx.seed, task, b)))
            if len(outs) != len(idx) or any(len(o) != n for o in outs):
                raise RuntimeError(f"backend {ctx.backend.name} returned a wrong number of responses")
            if mine is not None:
                payload = list(zip(idx, outs))
        gathered = dist.gather(payload)
        if writer is None or gathered is None:
            continue
        flat = [(i, s, resp) for part in gathered for i, outs in part for s, resp in enumerate(outs)]
        flat = [(i, s, resp) for i, s, resp in flat if keys(prompts[i])[s] not in writer.done]
        verdicts = _safe_verdicts(judge, [prompts[i] for i, _, _ in flat], [resp for _, _, resp in flat])
        records = []
        for (i, s, resp), v in zip(flat, verdicts):
            system = with_system_prompt(prompts[i].messages, ctx.system_prompt)
            sys_text = system[0]["content"] if system and system[0].get("role") == "system" else None
            refused = bool(refusal.is_refusal(resp)) if refusal is not None and resp.strip() else False
            records.append(_make_record(ctx, prompts[i], s, resp, v, refused, refusal_policy, sys_text))
        writer.write(records)
        bar.update(sum(1 for part in gathered if part))
    bar.close()
    dist.barrier()
    if writer is None:
        return []
    wanted = {k for p in prompts for k in keys(p)}
    return [rec for rec in read_records(writer.path) if rec.key() in wanted] if writer.path.exists() else []


def run_evaluators(
    evaluators: Iterable[Evaluator],
    ctx: EvalContext,
    loggers: Sequence[Any] = (),
    step: int | None = None,
    write_metrics: bool = True,
) -> dict[str, float]:
    """Run each evaluator; rank 0 merges metrics into metrics.json and logs them."""
    from warmth.eval.sinks import log_labels, log_metrics, log_records_table

    metrics: dict[str, float] = {}
    results: list[EvalResult] = []
    for ev in evaluators:
        res = ev.evaluate(ctx)
        results.append(res)
        metrics.update(res.metrics)
    if ctx.is_rank_zero:
        if write_metrics and metrics:
            update_metrics(ctx.run_dir, metrics)
        log_metrics(loggers, metrics, step)
        log_labels(loggers, metrics)
        for res in results:
            log_records_table(loggers, f"{res.name}/records", res.records, seed=ctx.seed)
    return metrics
