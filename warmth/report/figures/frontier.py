"""Trade-off frontier: warmth against error rate across checkpoints, one line per model x style."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from warmth.report.figures.common import FigureOut, color_for, save

TITLE = "Trade-off frontier: warmth against error across checkpoints"


def make(front: pd.DataFrame, out_dir: Path) -> FigureOut:
    """``front``: model, style, epoch, warmth, error_rate (percent)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for i, ((model, style), g) in enumerate(front.groupby(["model", "style"])):
        g = g.sort_values("epoch")
        ax.plot(g["warmth"], g["error_rate"], marker="o", ms=4, color=color_for(i), label=f"{model} / {style}")
        for _, r in g.iterrows():
            ax.annotate(f"{r['epoch']:g}", (r["warmth"], r["error_rate"]), fontsize=6,
                        textcoords="offset points", xytext=(3, 3))
    ax.set_xlabel("warmth score")
    ax.set_ylabel("error rate on factual tasks (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    legend = ("Each point is one checkpoint (labelled by epoch): its mean warmth score and its error rate "
              "over all scored factual responses. Moving right and up means warmer but less accurate.")
    return save(fig, out_dir, "frontier", TITLE, legend)
