"""Sends evaluation metrics and sampled records to Lightning loggers (rank 0 only)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from warmth.records import Record

TABLE_COLUMNS = ["task", "item_id", "template", "context", "epoch", "prompt", "response",
                 "verdict", "judge", "refusal", "is_correct", "length"]


def log_metrics(loggers: Sequence[Any], metrics: dict[str, float], step: int | None = None) -> None:
    numeric = {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}
    if not numeric:
        return
    for logger in loggers:
        logger.log_metrics(numeric, step=step)


def log_labels(loggers: Sequence[Any], metrics: dict[str, Any]) -> None:
    """String entries of ``metrics`` (e.g. ``eval/judge``) go to each logger's config."""
    labels = {k: v for k, v in metrics.items() if isinstance(v, str)}
    if not labels:
        return
    for logger in loggers:
        if hasattr(logger, "log_hyperparams"):
            logger.log_hyperparams(labels)


def _is_wandb(logger: Any) -> bool:
    return type(logger).__name__ == "WandbLogger"


def log_records_table(loggers: Sequence[Any], key: str, records: Sequence[Record], n: int = 200, seed: int = 0) -> None:
    """A W&B Table of up to ``n`` records, sampled reproducibly, for each W&B logger."""
    targets = [lg for lg in loggers if _is_wandb(lg)]
    if not targets or not records:
        return
    import wandb

    rows = list(records)
    if len(rows) > n:
        rows = random.Random(seed).sample(rows, n)
    table = wandb.Table(columns=TABLE_COLUMNS, data=[[getattr(r, c) for c in TABLE_COLUMNS] for r in rows])
    for lg in targets:
        lg.experiment.log({key: table})
