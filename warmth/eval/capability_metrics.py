"""Accuracy with a 95% Wilson interval per (task, template), from records.

Capability benchmarks report one proportion each (MMLU and GSM8K accuracy,
AdvBench refusal rate), shown with 95% CIs in the study's Figure 4. Keys sit
beside the factual tasks' (``eval/<task>/<template>/...``); ``error_rate``
is included so the report can treat every task alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from warmth.eval.intervals import wilson
from warmth.records import Record


def accuracy_metrics(records: Iterable[Record], task: str, template: str, name: str = "accuracy",
                     prefix: str = "eval") -> dict[str, float]:
    """``<prefix>/<task>/<template>/{name, name_lo, name_hi, error_rate, n, unscored_rate, mean_length}``."""
    recs = [r for r in records if r.task == task and r.template == template]
    scored = [r for r in recs if r.is_correct is not None]
    k = sum(1 for r in scored if r.is_correct)
    lo, hi = wilson(k, len(scored))
    rate = k / len(scored) if scored else math.nan
    base = f"{prefix}/{task}/{template}"
    return {
        f"{base}/{name}": rate,
        f"{base}/{name}_lo": lo,
        f"{base}/{name}_hi": hi,
        f"{base}/error_rate": 1 - rate if scored else math.nan,
        f"{base}/n": float(len(scored)),
        f"{base}/unscored_rate": (len(recs) - len(scored)) / len(recs) if recs else math.nan,
        f"{base}/mean_length": sum(r.length for r in recs) / len(recs) if recs else math.nan,
    }
