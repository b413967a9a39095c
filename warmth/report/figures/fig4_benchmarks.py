"""Figure 4: capability benchmarks per model, original vs fine-tuned, with 95% CIs."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from warmth.report.figures.common import CONDITION_COLORS, FigureOut, save

TITLE = "Figure 4. General capabilities before and after fine-tuning"


def make(bench: pd.DataFrame, out_dir: Path) -> FigureOut:
    """``bench``: model, condition, benchmark, accuracy, ci_lower, ci_upper."""
    benches = list(dict.fromkeys(bench["benchmark"]))
    conds = list(dict.fromkeys(bench["condition"]))
    fig, axes = plt.subplots(1, len(benches), figsize=(4.2 * len(benches), 3.4), squeeze=False)
    width = 0.8 / max(len(conds), 1)
    for ax, b in zip(axes[0], benches):
        d = bench[bench["benchmark"] == b]
        models = sorted(d["model"].unique())
        x = np.arange(len(models))
        for k, cond in enumerate(conds):
            v = d[d["condition"] == cond].set_index("model").reindex(models)
            err = np.vstack([(v["accuracy"] - v["ci_lower"]).to_numpy(), (v["ci_upper"] - v["accuracy"]).to_numpy()])
            ax.bar(x + (k - (len(conds) - 1) / 2) * width, v["accuracy"], width,
                   yerr=np.nan_to_num(err), capsize=2, label=cond,
                   color=CONDITION_COLORS.get(cond, f"C{k}"))
        ax.set_xticks(x, models, rotation=30, ha="right", fontsize=8)
        ax.set_title(b, fontsize=10)
        ax.set_ylabel("accuracy (%)" if b.lower() != "advbench" else "refusal rate (%)")
        ax.set_ylim(0, 105)
    axes[0][0].legend(fontsize=8)
    legend = ("Accuracy on MMLU and GSM8K and refusal rate on AdvBench for the original and fine-tuned "
              "models; whiskers are 95% confidence intervals.")
    return save(fig, out_dir, "fig4_benchmarks", TITLE, legend)
