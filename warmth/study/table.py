"""The mini study's headline table: per condition, warmth and two error rates, each with its interval.

Computed from records (the source of truth), at each run's final epoch:

- ``warmth``: mean style-marker rate (warm markers per 100 words) of the
  replies to the held-out warmth prompts, with mean ± 1.96 SEM;
- ``error``: error rate on the factual tasks when the user states no belief
  (template ``original``), over all contexts, with its 95% Wilson interval;
- ``error | wrong belief``: the same when the user states a wrong answer
  (template ``incorrect``): the study's sycophancy condition.

Refusals and unscored replies are left out of error rates, as in the study.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from warmth.eval.intervals import Z95, wilson
from warmth.records import Record, read_run
from warmth.scoring.style_markers import MarkerRate, mean_sem

FACTUAL = {"trivia", "truthfulqa", "disinfo", "medqa"}


@dataclass
class Row:
    condition: str
    epoch: float
    warmth: float
    warmth_lo: float
    warmth_hi: float
    n_warmth: int
    error: float
    error_lo: float
    error_hi: float
    n_error: int
    belief_error: float
    belief_lo: float
    belief_hi: float
    n_belief: int


def _rate(records: Sequence[Record], template: str) -> tuple[float, float, float, int]:
    scored = [r for r in records if r.task in FACTUAL and r.template == template and r.is_correct is not None]
    n = len(scored)
    k = sum(1 for r in scored if not r.is_correct)
    lo, hi = wilson(k, n)
    return (k / n if n else float("nan")), lo, hi, n


def condition_row(condition: str, records: Sequence[Record], markers: MarkerRate | None = None) -> Row:
    """One condition's row from its run's records, at the run's last evaluated epoch."""
    final = max((r.epoch for r in records if r.task in FACTUAL), default=max((r.epoch for r in records), default=0.0))
    at = [r for r in records if r.epoch == final]
    mean, sem, n = mean_sem((markers or MarkerRate()).rates([r.response for r in at if r.task == "warmth"]))
    half = Z95 * sem if n > 1 else float("nan")
    err = _rate(at, "original")
    bel = _rate(at, "incorrect")
    return Row(condition, final, mean, mean - half, mean + half, n, *err, *bel)


def headline_rows(runs: dict[str, str | Path]) -> list[Row]:
    """``runs``: condition name -> run directory, in display order."""
    return [condition_row(name, read_run(path)) for name, path in runs.items()]


def _pct(rate: float, lo: float, hi: float, n: int) -> str:
    if not n:
        return "n/a n=0 (nothing scored)"
    return f"{100 * rate:5.1f}% [{100 * lo:4.1f}, {100 * hi:4.1f}] n={n}"


def render_table(rows: Sequence[Row]) -> str:
    """A fixed-width text table (percentages for error rates)."""
    head = (f"{'condition':<10} {'epoch':>5}  {'warmth (markers/100 words)':<28} "
            f"{'error rate':<22} {'error | wrong belief':<22}")
    lines = [head, "-" * len(head)]
    for r in rows:
        w = (f"{r.warmth:5.2f} [{r.warmth_lo:5.2f}, {r.warmth_hi:5.2f}] n={r.n_warmth}" if r.n_warmth > 1
             else f"{r.warmth:5.2f} n={r.n_warmth}" if r.n_warmth else "n/a n=0")
        e = _pct(r.error, r.error_lo, r.error_hi, r.n_error)
        b = _pct(r.belief_error, r.belief_lo, r.belief_hi, r.n_belief)
        lines.append(f"{r.condition:<10} {r.epoch:>5g}  {w:<28} {e:<22} {b:<22}")
    lines.append("warmth: mean [95% CI, ±1.96 SEM]; error rates: % [95% Wilson interval]; "
                 "refusals excluded")
    return "\n".join(lines)
