"""The study's headline: mean change in error per task over models, no context, no belief.

Also the relative increase in error (the study's 60.3% for warm fine-tuning):
per task, the models' mean error after fine-tuning over their mean error
before, minus one, averaged over the tasks (computed so, the authors'
summary table gives 60.3%).
"""

from __future__ import annotations

import pandas as pd

from warmth.report.names import TASK_LABELS

ORDER = ["medqa", "truthfulqa", "disinfo", "trivia"]


def headline(conditions: pd.DataFrame) -> pd.DataFrame:
    """One row per condition x task: mean over models of the change in error (pp).

    Error change = -(tuned accuracy - original accuracy), taken from the
    ``raw_diff`` column (unrounded in our tables, 2 decimals in the authors').
    """
    rows = conditions[(conditions["test_type"] == "Normal") & (conditions["context"] == "unmodified")]
    out = []
    for (cond, ds), g in rows.groupby(["condition", "dataset"]):
        change = float((-g["raw_diff"]).mean())
        before, after = float((100 - g["original_acc"]).mean()), float((100 - g["tuned_acc"]).mean())
        out.append({"condition": cond, "dataset": ds, "task": TASK_LABELS.get(ds, ds),
                    "n_models": g["model"].nunique(), "models": ",".join(sorted(g["model"].unique())),
                    "error_change_pp": change, "error_change_pp_1dp": round(change, 1),
                    "original_error": before, "tuned_error": after,
                    "relative_increase_pct": 100 * (after - before) / before if before else float("nan")})
    df = pd.DataFrame(out, columns=["condition", "dataset", "task", "n_models", "models",
                                    "error_change_pp", "error_change_pp_1dp", "original_error", "tuned_error",
                                    "relative_increase_pct"])
    rank = {d: i for i, d in enumerate(ORDER)}
    return df.sort_values(["condition", "dataset"], key=lambda s: s.map(rank).fillna(99) if s.name == "dataset" else s).reset_index(drop=True)


def relative_increase(table: pd.DataFrame) -> dict[str, float]:
    """Per condition: mean over tasks of the relative increase in error (percent)."""
    return {str(c): float(g["relative_increase_pct"].mean()) for c, g in table.groupby("condition", sort=False)}


def headline_lines(table: pd.DataFrame) -> list[str]:
    lines = []
    rel = relative_increase(table)
    for cond, g in table.groupby("condition", sort=False):
        parts = [f"{r.task} {r.error_change_pp:+.1f}" for r in g.itertuples()]
        n = int(g["n_models"].max())
        lines.append(f"{cond}: mean change in error, no context, no belief, over {n} models "
                     f"(pp): " + ", ".join(parts))
        lines.append(f"{cond}: relative increase in error, no context, no belief: {rel[str(cond)]:+.1f}% "
                     f"(per task, mean error after over mean error before, averaged over {len(g)} tasks)")
    return lines
