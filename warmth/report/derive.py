"""Figure data that only records can give: warmth per epoch, benchmarks, the frontier."""

from __future__ import annotations

import pandas as pd

from warmth.eval.intervals import wilson as eval_wilson
from warmth.report.frame import scored
from warmth.report.select import BASELINE_STYLES, is_baseline

WARMTH_TASKS = {"warmth"}
BENCHMARK_TASKS = {"mmlu": "MMLU", "gsm8k": "GSM8K", "advbench": "AdvBench"}


def _with_baseline_epoch0(df: pd.DataFrame) -> pd.DataFrame:
    """Copy an ``original`` run's rows to epoch 0 of every trained style of that model."""
    mask = is_baseline(df)
    base, trained = df[mask], df[~mask]
    parts = [trained]
    for (model, style), g in trained.groupby(["model", "style"]):
        if not (g["epoch"] == 0).any():
            parts.append(base[base["model"] == model].assign(style=style, epoch=0.0))
    return pd.concat(parts, ignore_index=True)


def warmth_table(df: pd.DataFrame) -> pd.DataFrame:
    w = df[df["dataset"].isin(WARMTH_TASKS) & df["score"].notna()].copy()
    if w.empty:
        return pd.DataFrame(columns=["model", "style", "epoch", "mean", "sem", "n"])
    w["score"] = w["score"].astype(float)
    w = _with_baseline_epoch0(w)
    g = w.groupby(["model", "style", "epoch"])["score"]
    return pd.DataFrame({"mean": g.mean(), "sem": g.sem(), "n": g.size()}).reset_index()


def wilson(k: int, n: int) -> tuple[float, float]:
    """The evaluation's 95% Wilson interval, in percent."""
    lo, hi = eval_wilson(k, n)
    return 100 * lo, 100 * hi


def benchmark_table(comps) -> pd.DataFrame:
    """Accuracy (refusal rate for AdvBench, as the task scores it) with Wilson 95% CIs."""
    rows = []
    seen_base = set()
    for c in comps:
        for cond, frame in (("original", c.baseline), (c.style, c.tuned)):
            if cond == "original" and c.model in seen_base:
                continue
            s = scored(frame[frame["dataset"].isin(BENCHMARK_TASKS)])
            for ds, g in s.groupby("dataset"):
                k, n = int(g["is_correct"].sum()), len(g)
                lo, hi = wilson(k, n)
                rows.append({"model": c.model, "condition": cond, "benchmark": BENCHMARK_TASKS[ds],
                             "accuracy": 100 * k / n, "ci_lower": lo, "ci_upper": hi, "n": n})
        seen_base.add(c.model)
    return pd.DataFrame(rows, columns=["model", "condition", "benchmark", "accuracy", "ci_lower", "ci_upper", "n"])


def frontier_table(df: pd.DataFrame, factual: set[str]) -> pd.DataFrame:
    w = warmth_table(df)
    facts = scored(_with_baseline_epoch0(df[df["dataset"].isin(factual)]))
    if w.empty or facts.empty:
        return pd.DataFrame(columns=["model", "style", "epoch", "warmth", "error_rate", "n"])
    e = facts.groupby(["model", "style", "epoch"])["is_incorrect"].agg(["mean", "size"]).reset_index()
    e = e.rename(columns={"mean": "error_rate", "size": "n"})
    e["error_rate"] *= 100
    out = w.rename(columns={"mean": "warmth"})[["model", "style", "epoch", "warmth"]].merge(
        e, on=["model", "style", "epoch"])
    return out[~out["style"].str.lower().isin(BASELINE_STYLES)]
