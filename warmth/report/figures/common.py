"""Saving figures as PNG and PDF, and the record of what each one shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

MODEL_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
CONDITION_COLORS = {"warm": "#d95f02", "cold": "#1f78b4", "warm_sysprompt": "#fdae61", "original": "#7f7f7f"}


@dataclass
class FigureOut:
    name: str
    title: str
    legend: str
    png: Path
    pdf: Path


def color_for(i: int) -> str:
    return MODEL_COLORS[i % len(MODEL_COLORS)]


def save(fig, out_dir: Path, name: str, title: str, legend: str) -> FigureOut:
    fig_dir = out_dir / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    png, pdf = fig_dir / f"{name}.png", fig_dir / f"{name}.pdf"
    fig.tight_layout()  # one layout pass; bbox_inches="tight" would draw twice per file
    fig.savefig(png, dpi=110)
    fig.savefig(pdf)
    plt.close(fig)
    return FigureOut(name, title, legend, png, pdf)
