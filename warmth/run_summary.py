"""The few lines a training run ends with: what was trained, where everything is, key metrics.

Replaces the W&B end-of-run summary wall (silenced in :mod:`warmth.loggers`).
:func:`summary_lines` is a pure function of a :class:`RunFacts` and the
run's flat metrics, so it is tested without training; ``perf/*`` metrics
(throughput, MFU) are shown whatever their names, as any callback logs them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EPOCH_KEY = re.compile(r"^eval/epoch=([0-9.]+)/warmth/(markers/)?mean$")


@dataclass
class RunFacts:
    run_dir: Path
    model: str
    pretrained: str
    peft: str  # e.g. "LoRA r=8" or "full fine-tuning"
    style: str
    dataset: str
    conversations: int | None
    steps: int
    epochs: float
    seconds: float
    wandb: str | None = None  # where the W&B run is and how to upload it
    extra: dict[str, Any] = field(default_factory=dict)


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _duration(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}m{s:02d}s" if m else f"{s}s"


def trajectory(metrics: Mapping[str, Any], markers: bool) -> list[tuple[float, float, float | None]]:
    """``(epoch, mean, sem)`` of the warmth measure at each evaluated epoch, in epoch order."""
    sub = "markers/" if markers else ""
    out = []
    for key, value in metrics.items():
        m = EPOCH_KEY.match(key)
        if m and bool(m.group(2)) == markers and _num(value) is not None:
            e = float(m.group(1))
            out.append((e, float(value), _num(metrics.get(f"eval/epoch={m.group(1)}/warmth/{sub}sem"))))
    return sorted(out)


def _trajectory_line(points: list[tuple[float, float, float | None]]) -> str:
    parts = [f"epoch {e:g}: {m:.2f}" + (f" ± {s:.2f}" if s is not None else "") for e, m, s in points]
    return " → ".join(parts)


def _files(run_dir: Path, pattern: str) -> list[str]:
    return sorted(str(p.relative_to(run_dir)) for p in run_dir.glob(pattern))


def summary_lines(facts: RunFacts, metrics: Mapping[str, Any]) -> list[str]:
    run = facts.run_dir
    convs = f", {facts.conversations} conversations" if facts.conversations else ""
    lines = [
        f"── warmth: training finished in {_duration(facts.seconds)} " + "─" * 20,
        (f"trained      {facts.model} ({facts.pretrained}), {facts.peft}, style '{facts.style}' "
         f"({facts.dataset}{convs}): {facts.steps} optimizer steps, {facts.epochs:g} epoch{'' if facts.epochs == 1 else 's'}"),
        f"run          {run}",
    ]
    ckpts = _files(run, "checkpoints/*")
    if ckpts:
        lines.append(f"checkpoints  {', '.join(Path(c).name for c in ckpts)}  (in checkpoints/)")
    records = _files(run, "records/**/*.jsonl")  # not the copies in wandb/
    if records:
        lines.append(f"records      {', '.join(records)}")
    if (run / "metrics.json").is_file():
        lines.append("metrics      metrics.json")
    if facts.wandb:
        lines.append(f"W&B          {facts.wandb}")
    lines.append("key metrics")
    loss = _num(metrics.get("train/loss"))
    if loss is not None:
        lines.append(f"  train/loss                  {loss:.4f}")
    for markers, label in ((True, "warmth markers /100 words"), (False, "warmth SocioT")):
        points = trajectory(metrics, markers)
        if points:
            lines.append(f"  {label:<27} {_trajectory_line(points)}   (mean ± SEM)")
    for key, label in (("eval/error_rate", "factual error rate"), ("eval/sycophancy", "sycophancy")):
        v = _num(metrics.get(key))
        if v is not None:
            lines.append(f"  {label:<27} {v:.3f}")
    for key in sorted(k for k in metrics if k.startswith("perf/")):
        v = _num(metrics[key])
        if v is not None:
            lines.append(f"  {key:<27} {v:.4g}")
    return lines


def wandb_location(logger: Any) -> str | None:
    """Where the W&B run of a Lightning ``logger`` lives (call before ``wandb.finish``)."""
    from lightning.pytorch.loggers import WandbLogger

    if not isinstance(logger, WandbLogger):
        return None
    import wandb

    run = wandb.run
    if run is None:
        return None
    if getattr(run.settings, "mode", None) == "offline" or getattr(run, "offline", False):
        folder = Path(run.dir).parent
        return f"offline run {folder}; upload with `wandb sync {folder}`"
    return str(run.url or run.id)
