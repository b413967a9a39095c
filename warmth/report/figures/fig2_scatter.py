"""Figure 2: fine-tuned vs original error per context x belief condition, averaged over tasks."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from warmth.report.figures.common import FigureOut, color_for, save

TITLE = "Figure 2. Error of the fine-tuned model against the original, per condition"


def points(conditions: pd.DataFrame, condition: str) -> pd.DataFrame:
    d = conditions[conditions["condition"] == condition]
    g = d.groupby(["model", "context", "test_type"], as_index=False)[["original_acc", "tuned_acc"]].mean()
    g["original_err"], g["tuned_err"] = 100 - g["original_acc"], 100 - g["tuned_acc"]
    return g


def make(conditions: pd.DataFrame, out_dir: Path, condition: str = "warm") -> FigureOut:
    pts = points(conditions, condition)
    models = sorted(pts["model"].unique())
    n = len(models) + 1
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.4 * rows), squeeze=False)
    lim = (0, max(5.0, float(np.nanmax(pts[["original_err", "tuned_err"]].to_numpy())) * 1.08))
    panels = [("All models", models)] + [(m, [m]) for m in models]
    for ax, (title, which) in zip(axes.flat, panels):
        for i, m in enumerate(models):
            if m not in which:
                continue
            for test_type, filled in (("Normal", True), ("Sycophancy", False)):
                p = pts[(pts["model"] == m) & (pts["test_type"] == test_type)]
                ax.scatter(p["original_err"], p["tuned_err"], s=22, color=color_for(i),
                           facecolors=color_for(i) if filled else "none", linewidths=1.1,
                           label=m if test_type == "Normal" and title == "All models" else None)
        ax.plot(lim, lim, color="black", lw=0.8, ls="--")
        ax.set_xlim(lim)
        ax.set_ylim(lim)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("original error (%)", fontsize=8)
        ax.set_ylabel(f"{condition} error (%)", fontsize=8)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    legend = (f"Each point is one context x belief condition, error averaged over tasks; filled: no user "
              f"belief, open: user states a belief. Points above the dashed line y = x mean the "
              f"{condition} model errs more than the original.")
    return save(fig, out_dir, f"fig2_scatter_{condition}", TITLE, legend)
