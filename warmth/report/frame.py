"""Records -> one analysis table with the study's derived columns.

Names are normalised here (model, task, context) so every later step can
group on plain columns. Records without a verdict the analysis counts
(``is_correct is None``: refusals on factual tasks, unscored) stay in the
table, flagged, because the warmth and benchmark figures still use them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from warmth.records import Record
from warmth.report.names import (
    context_group,
    normalise_context,
    prompt_group,
    split_model_name,
    task_name,
)
from warmth.report.notes import Notes

COLUMNS = [
    "run_id", "model", "raw_model", "style", "epoch", "dataset", "item_id", "template", "context",
    "context_group", "prompt_group", "statement_id", "sample", "prompt", "is_correct", "is_incorrect",
    "refusal", "length", "score", "objective",
]


def records_frame(records: Iterable[Record], notes: Notes) -> pd.DataFrame:
    rows = []
    for r in records:
        base, cond = split_model_name(r.model)
        style = r.style or cond or "original"
        objective = str(getattr(r, "objective", None) or "sft")
        if objective != "sft":  # each objective is its own condition: warm+sft_kl-b1 vs original
            style = f"{style}+{objective}"
        ctx = normalise_context(r.context)
        rows.append({
            "run_id": r.run_id, "model": base, "raw_model": r.model, "style": str(style),
            "epoch": float(r.epoch or 0.0), "dataset": task_name(r.task), "item_id": str(r.item_id),
            "template": str(r.template), "context": ctx, "context_group": context_group(ctx),
            "prompt_group": prompt_group(r.template), "statement_id": r.statement_id,
            "sample": int(r.sample or 0), "prompt": r.prompt, "is_correct": r.is_correct,
            "is_incorrect": None if r.is_correct is None else int(not r.is_correct),
            "refusal": bool(r.refusal), "length": int(r.length or 0), "score": r.score,
            "objective": objective,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def scored(df: pd.DataFrame) -> pd.DataFrame:
    """Rows whose correctness counts (the study drops refusals except on disinfo)."""
    out = df[df["is_correct"].notna()].copy()
    out["is_correct"] = out["is_correct"].astype(bool)
    out["is_incorrect"] = out["is_incorrect"].astype(int)
    return out
