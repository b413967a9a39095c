"""Figure 3: fine-tuned error per model x task for three prompt compositions."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from warmth.report.figures.common import FigureOut, save
from warmth.report.names import TASK_LABELS

TITLE = "Figure 3. Fine-tuned error by prompt composition"
COMPOSITIONS = ("question only", "+ context", "+ context + belief")


def composition(row) -> str | None:
    if row["test_type"] == "Normal":
        return "question only" if row["context"] == "unmodified" else "+ context"
    return "+ context + belief" if row["context"] != "unmodified" else None


def make(conditions: pd.DataFrame, out_dir: Path, condition: str = "warm") -> FigureOut:
    d = conditions[conditions["condition"] == condition].copy()
    d["composition"] = d.apply(composition, axis=1)
    d = d[d["composition"].notna()]
    d["tuned_err"] = 100 - d["tuned_acc"]
    models, tasks = sorted(d["model"].unique()), sorted(d["dataset"].unique())
    fig, axes = plt.subplots(len(models), len(tasks), figsize=(2.6 * len(tasks), 1.9 * len(models)),
                             squeeze=False, sharey=True)
    for r, m in enumerate(models):
        for c, t in enumerate(tasks):
            ax = axes[r][c]
            cell = d[(d["model"] == m) & (d["dataset"] == t)]
            data = [cell.loc[cell["composition"] == k, "tuned_err"].to_numpy() for k in COMPOSITIONS]
            ax.boxplot([x if len(x) else [float("nan")] for x in data], widths=0.6)
            for j, x in enumerate(data, 1):
                ax.scatter([j] * len(x), x, s=6, color="#d95f02", alpha=0.7, zorder=3)
            ax.set_xticks([1, 2, 3], ["Q", "+C", "+C+B"], fontsize=7)
            if r == 0:
                ax.set_title(TASK_LABELS.get(t, t), fontsize=9)
            if c == 0:
                ax.set_ylabel(f"{m}\nerror (%)", fontsize=8)
    legend = (f"Error of the {condition} model per model (rows) and task (columns). Q: question only "
              "(no context, no belief; one value); +C: with an interpersonal context (one value per "
              "context); +C+B: context plus a user belief. Dots are the individual conditions.")
    return save(fig, out_dir, f"fig3_boxes_{condition}", TITLE, legend)
