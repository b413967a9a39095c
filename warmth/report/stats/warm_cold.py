"""Warm against cold fine-tuning, directly: paired tests on the same prompts.

The study compares each model's warm and cold fine-tuned versions with exact
McNemar tests per model x task x condition (context x with/without a user
belief), Benjamini-Hochberg within each table of contexts, and reports the
share of conditions where the cold model is significantly more accurate
(79% in the study). Here the cold responses take the place of the original
ones in :func:`warmth.report.stats.paired.paired_table`, so ``raw_diff`` is
warm minus cold accuracy (the authors' ``results_cold_warm.csv`` layout).
"""

from __future__ import annotations

import pandas as pd

from warmth.report.notes import Notes
from warmth.report.select import Comparison
from warmth.report.stats.paired import NUMERIC_COLUMNS, authors_columns, paired_table

CONDITION = "warm_vs_cold"
ALPHA = 0.05


def warm_cold_comparisons(comps: list[Comparison], warm: str = "warm", cold: str = "cold") -> list[Comparison]:
    """One (cold, warm) comparison per model that has both fine-tuned styles."""
    by = {(c.model, c.style): c for c in comps}
    out = []
    for model in sorted({c.model for c in comps}):
        w, k = by.get((model, warm)), by.get((model, cold))
        if w is not None and k is not None:
            out.append(Comparison(model, CONDITION, w.epoch, baseline=k.tuned, tuned=w.tuned))
    return out


def warm_cold_table(comps: list[Comparison], notes: Notes) -> pd.DataFrame:
    """Numeric rows (``original_acc`` = cold, ``tuned_acc`` = warm) for every model with both."""
    tables = [paired_table(c, notes) for c in warm_cold_comparisons(comps)]
    tables = [t for t in tables if not t.empty]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=NUMERIC_COLUMNS)


def cold_better_share(table: pd.DataFrame, alpha: float = ALPHA) -> tuple[int, int]:
    """(conditions where cold is significantly more accurate after FDR, conditions tested)."""
    if table.empty:
        return 0, 0
    sig = (table["p_fdr"] < alpha) & (table["raw_diff"] < 0)
    return int(sig.sum()), len(table)


def authors_layout(table: pd.DataFrame) -> pd.DataFrame:
    """The authors' ``results_cold_warm.csv`` columns: ``Cold (%)``, ``Warm (%)``, then as the others."""
    out = authors_columns(table, CONDITION)
    return out.rename(columns={"Original Accuracy (%)": "Cold (%)", "Fine-tuned Accuracy (%)": "Warm (%)"})


def share_line(table: pd.DataFrame) -> str | None:
    k, n = cold_better_share(table)
    if not n:
        return None
    models = ", ".join(sorted(table["model"].unique()))
    return (f"warm vs cold: cold significantly more accurate than warm in {k} of {n} conditions "
            f"({100 * k / n:.1f}%; exact McNemar per model x task x condition, Benjamini-Hochberg within "
            f"each table of contexts, p < {ALPHA:g}; models: {models})")


__all__ = ["CONDITION", "authors_layout", "cold_better_share", "share_line", "warm_cold_table"]
