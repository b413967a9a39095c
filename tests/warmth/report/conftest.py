"""Synthetic records for report tests: small runs written with the real RecordWriter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from warmth.records import Record, RecordWriter

CONTEXTS = ["unmodified", "emotion:sad", "relation:close"]
TEMPLATES = ["original", "incorrect"]
TASKS = ["disinfo", "trivia"]


def make_records(model: str, style: str, epoch: float, *, n_items: int = 30, p_correct: float = 0.7,
                 seed: int = 0, tasks=TASKS, contexts=CONTEXTS, templates=TEMPLATES,
                 prompt_fn: Callable[..., str] | None = None) -> list[Record]:
    rng = np.random.default_rng(seed)
    out = []
    for task in tasks:
        for i in range(n_items):
            for ctx in contexts:
                for tpl in templates:
                    ok = bool(rng.random() < p_correct)
                    prompt = prompt_fn(task, i, ctx, tpl) if prompt_fn else f"{ctx} | {task} q{i} | {tpl}"
                    resp = "x" * int(rng.integers(20, 200))
                    out.append(Record(
                        run_id=f"{model}-{style}", model=model, style=style, epoch=epoch, task=task,
                        item_id=f"{task}-{i}", template=tpl, context=ctx, statement_id=None,
                        prompt=prompt, response=resp, verdict="correct" if ok else "incorrect",
                        refusal=False, is_correct=ok, judge="test", length=len(resp)))
    return out


def warmth_records(model: str, style: str, epoch: float, mean: float, n: int = 20, seed: int = 0) -> list[Record]:
    rng = np.random.default_rng(seed)
    return [Record(run_id=f"{model}-{style}", model=model, style=style, epoch=epoch, task="warmth",
                   item_id=f"w{i}", template="original", context="unmodified", statement_id=None,
                   prompt="p", response="r", verdict="unscored", refusal=False, is_correct=None,
                   judge="sociot", score=float(mean + 0.002 * rng.standard_normal()))
            for i in range(n)]


def write_run(root: Path, name: str, records: list[Record]) -> Path:
    run = root / name
    by_task: dict[str, list[Record]] = {}
    for r in records:
        by_task.setdefault(r.task, []).append(r)
    for task, recs in by_task.items():
        RecordWriter(run, task).write(recs)
    return run


@pytest.fixture
def synth():
    """Access to the helpers above from tests."""
    class _S:
        make = staticmethod(make_records)
        warmth = staticmethod(warmth_records)
        write = staticmethod(write_run)
    return _S


def build_synthetic_runs(root: Path) -> list[str]:
    """One small study: original, warm (epochs 1, 2) and cold runs of one model, with
    warmth scores and an MMLU-like benchmark, so every figure can be drawn from records."""
    runs = []
    spec = [("original", 0.0, 0.8, 0.011), ("warm", 1.0, 0.7, 0.02), ("warm", 2.0, 0.6, 0.027),
            ("cold", 2.0, 0.82, 0.008)]
    for style, epoch, p, w in spec:
        recs = make_records("llama-8b", style, epoch, n_items=12, p_correct=p, seed=int(epoch * 10) + len(style))
        recs += warmth_records("llama-8b", style, epoch, w, n=10)
        recs += make_records("llama-8b", style, epoch, n_items=40, p_correct=p, seed=7, tasks=["mmlu"],
                             contexts=["unmodified"], templates=["original"])
        runs.append(str(write_run(root, f"{style}_{epoch:g}", recs)))
    return runs


@pytest.fixture(scope="session")
def synthetic_report(tmp_path_factory):
    """A report built once from records alone (all six figures), shared by several tests."""
    from warmth.report.build import build_report

    root = tmp_path_factory.mktemp("synthetic")
    runs = build_synthetic_runs(root)
    return build_report(runs, root / "report", mixed=True), runs
