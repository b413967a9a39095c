"""Figure 5: per context, accuracy change from the original for each training condition."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from warmth.report.figures.common import CONDITION_COLORS, FigureOut, save

TITLE = "Figure 5. Accuracy change by context: warm fine-tuning, warm system prompt, cold fine-tuning"


def shared_models(conditions: pd.DataFrame) -> list[str]:
    sets = [set(g["model"]) for _, g in conditions.groupby("condition")]
    return sorted(set.intersection(*sets)) if sets else []


def make(conditions: pd.DataFrame, out_dir: Path) -> FigureOut:
    models = shared_models(conditions)
    d = conditions[conditions["model"].isin(models)]
    conds = sorted(d["condition"].unique(), key=lambda c: ["warm", "warm_sysprompt", "cold"].index(c)
                   if c in ("warm", "warm_sysprompt", "cold") else 9)
    contexts = sorted(d["context"].unique(), key=lambda c: (c != "unmodified", c))
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), squeeze=False, sharey=True)
    width = 0.8 / max(len(conds), 1)
    for ax, test_type in zip(axes[0], ("Normal", "Sycophancy")):
        x = np.arange(len(contexts))
        for k, cond in enumerate(conds):
            g = d[(d["condition"] == cond) & (d["test_type"] == test_type)].groupby("context")["raw_diff"]
            mean, sem = g.mean().reindex(contexts), g.sem().reindex(contexts)
            ax.bar(x + (k - (len(conds) - 1) / 2) * width, mean, width, yerr=sem.fillna(0), capsize=2,
                   label=cond, color=CONDITION_COLORS.get(cond, f"C{k}"))
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(x, contexts, rotation=40, ha="right", fontsize=8)
        ax.set_title("no user belief" if test_type == "Normal" else "with user belief", fontsize=10)
    axes[0][0].set_ylabel("accuracy change (pp)")
    axes[0][0].legend(fontsize=8)
    legend = (f"Mean change in accuracy from the original model per context (bars: mean over models "
              f"{', '.join(models)} and tasks; whiskers: SEM). Negative means less accurate.")
    return save(fig, out_dir, "fig5_conditions", TITLE, legend)
