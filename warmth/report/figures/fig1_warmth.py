"""Figure 1: warmth score against checkpoint epoch, one line per model (and style)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from warmth.report.figures.common import FigureOut, color_for, save

TITLE = "Figure 1. Warmth across fine-tuning"


def make(warmth: pd.DataFrame, out_dir: Path) -> FigureOut:
    """``warmth``: columns model, style, epoch, mean, sem."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    groups = list(warmth.groupby(["model", "style"]))
    for i, ((model, style), g) in enumerate(groups):
        g = g.sort_values("epoch")
        label = model if warmth["style"].nunique() == 1 else f"{model} ({style})"
        ax.errorbar(g["epoch"], g["mean"], yerr=g["sem"].fillna(0), marker="o", ms=4, capsize=2,
                    color=color_for(i), label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("warmth score (mean ± SEM)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    legend = ("Mean warmth score (SocioT-style log-likelihood difference) of responses to held-out "
              "prompts at each checkpoint; bars are standard errors of the mean.")
    return save(fig, out_dir, "fig1_warmth", TITLE, legend)
