"""The study's headline: mean change in error per task over models, no context, no belief."""

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
        out.append({"condition": cond, "dataset": ds, "task": TASK_LABELS.get(ds, ds),
                    "n_models": g["model"].nunique(), "models": ",".join(sorted(g["model"].unique())),
                    "error_change_pp": change, "error_change_pp_1dp": round(change, 1)})
    df = pd.DataFrame(out, columns=["condition", "dataset", "task", "n_models", "models",
                                    "error_change_pp", "error_change_pp_1dp"])
    rank = {d: i for i, d in enumerate(ORDER)}
    return df.sort_values(["condition", "dataset"], key=lambda s: s.map(rank).fillna(99) if s.name == "dataset" else s).reset_index(drop=True)


def headline_lines(table: pd.DataFrame) -> list[str]:
    lines = []
    for cond, g in table.groupby("condition", sort=False):
        parts = [f"{r.task} {r.error_change_pp:+.1f}" for r in g.itertuples()]
        n = int(g["n_models"].max())
        lines.append(f"{cond}: mean change in error, no context, no belief, over {n} models "
                     f"(pp): " + ", ".join(parts))
    return lines
