"""Paired tests per model x task x test type x context, in the authors' table layout.

Pairs are (original, fine-tuned) responses to the same prompt: same item,
template, context (and sample index). "Normal" tables use the no-belief
templates, "Sycophancy" tables the user-belief ones; Benjamini-Hochberg
runs within each table of contexts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import fdrcorrection

from warmth.eval.contexts import to_authors
from warmth.report.frame import scored
from warmth.report.names import is_sysprompt
from warmth.report.notes import Notes
from warmth.report.select import PAIR_KEY, Comparison
from warmth.report.stats.mcnemar import paired_test

NUMERIC_COLUMNS = [
    "model", "condition", "dataset", "test_type", "context", "label", "n_pairs", "original_acc",
    "tuned_acc", "raw_diff", "cohens_g", "g_size", "odds_ratio", "p_value", "p_fdr",
]


def category_label(context: str, test_type: str) -> str:
    """The authors' ``Amendment_type`` text for a table row."""
    ctx = to_authors(context)
    if test_type == "Sycophancy":
        return ctx
    return "unmodified\noriginal_combined" if ctx == "unmodified" else f"{ctx}\noriginal"


def matched_pairs(cmp: Comparison, notes: Notes) -> pd.DataFrame:
    """Inner join on the prompt identity; drops pairs whose prompt text disagrees."""
    where = f"{cmp.model}/{cmp.style}"
    base, tuned = scored(cmp.baseline), scored(cmp.tuned)
    cols = PAIR_KEY + ["prompt", "statement_id", "is_correct", "prompt_group", "length"]
    merged = base[cols].merge(tuned[cols], on=PAIR_KEY, suffixes=("_o", "_t"))
    for side, frame in (("original", base), ("fine-tuned", tuned)):
        missing = len(frame) - len(merged)
        if missing > 0:
            notes.warn("paired", f"{where}: {missing} scored {side} responses have no partner "
                       "(different items, templates or contexts); left out of the paired tests")
    p_o, p_t = merged["prompt_o"].fillna(""), merged["prompt_t"].fillna("")
    s_o, s_t = merged["statement_id_o"], merged["statement_id_t"]
    differ = ((p_o != "") & (p_t != "") & (p_o != p_t)) | (s_o.notna() & s_t.notna() & (s_o != s_t))
    if differ.any():
        ex = merged.loc[differ, PAIR_KEY].iloc[0].to_dict()
        notes.warn("paired", f"{where}: runs disagree on the prompt (text or statement) for "
                   f"{int(differ.sum())} matched prompts, e.g. {ex}; those pairs are left out")
        merged = merged[~differ]
    return merged


def paired_table(cmp: Comparison, notes: Notes) -> pd.DataFrame:
    """Numeric rows (one per dataset x test type x context) for one comparison."""
    pairs = matched_pairs(cmp, notes)
    rows = []
    for dataset in sorted(pairs["dataset"].unique()):
        for test_type, group in (("Sycophancy", "user_opinion"), ("Normal", "original")):
            sub = pairs[(pairs["dataset"] == dataset) & (pairs["prompt_group_o"] == group)]
            if sub.empty:
                notes.warn("paired", f"{cmp.model}/{cmp.style}/{dataset}: no {test_type} pairs; "
                           "table left out")
                continue
            table = []
            for ctx in sorted(sub["context"].unique()):
                cell = sub[sub["context"] == ctx]
                res = paired_test(cell["is_correct_o"].to_numpy(), cell["is_correct_t"].to_numpy())
                table.append({
                    "model": cmp.model, "condition": cmp.style, "dataset": dataset,
                    "test_type": test_type, "context": ctx, "label": category_label(ctx, test_type),
                    "n_pairs": res.n, "original_acc": res.original_acc, "tuned_acc": res.tuned_acc,
                    "raw_diff": res.raw_diff, "cohens_g": res.cohens_g, "g_size": res.g_size,
                    "odds_ratio": res.odds_ratio, "p_value": res.p_value,
                })
            frame = pd.DataFrame(table)
            frame["p_fdr"] = np.nan
            ok = frame["p_value"].notna()
            if ok.any():
                frame.loc[ok, "p_fdr"] = fdrcorrection(frame.loc[ok, "p_value"], alpha=0.05)[1]
            if (~ok).any():
                notes.warn("paired", f"{cmp.model}/{cmp.style}/{dataset}/{test_type}: no discordant "
                           f"pairs in {list(frame.loc[~ok, 'context'])}; p-value reported as N/A")
            rows.append(frame.sort_values("label"))
    if not rows:
        return pd.DataFrame(columns=NUMERIC_COLUMNS)
    return pd.concat(rows, ignore_index=True)[NUMERIC_COLUMNS]


def _fmt(x: float, spec: str) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "N/A"
    if np.isinf(x):
        return "∞"
    return format(x, spec)


def authors_columns(numeric: pd.DataFrame, condition: str) -> pd.DataFrame:
    """The authors' summary CSV layout, values formatted as in their files."""
    tuned_col = "System Prompt Accuracy (%)" if is_sysprompt(condition) else "Fine-tuned Accuracy (%)"
    yes = lambda v: "Yes" if v else "No"
    out = pd.DataFrame({
        "Amendment_type": numeric["label"],
        "Original Accuracy (%)": numeric["original_acc"].map(lambda x: _fmt(x, ".2f")),
        tuned_col: numeric["tuned_acc"].map(lambda x: _fmt(x, ".2f")),
        "Raw Diff (pp)": numeric["raw_diff"].map(lambda x: _fmt(x, ".2f")),
        "Cohen's g": numeric["cohens_g"].map(lambda x: _fmt(x, ".3f")),
        "g Effect Size": numeric["g_size"],
        "Odds Ratio": numeric["odds_ratio"].map(lambda x: _fmt(x, ".2f")),
        "p-value": numeric["p_value"].map(lambda x: _fmt(x, ".4f")),
        "Significant (p < 0.05)": numeric["p_value"].map(lambda p: yes(p < 0.05)),
        "p-value (FDR corrected)": numeric["p_fdr"].map(lambda x: _fmt(x, ".4f")),
        "Significant (FDR)": numeric["p_fdr"].map(lambda p: "N/A" if np.isnan(p) else yes(p < 0.05)),
        "Model": numeric["model"],
        "Dataset": numeric["dataset"],
        "Test_Type": numeric["test_type"],
    })
    return out
