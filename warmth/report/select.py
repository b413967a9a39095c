"""Which records are the original model and which the fine-tuned one.

The study compares epoch 0 ("original") with the epoch-2 checkpoint. Our
runs hold either style ``original`` records, or a training run's own
epoch-0 evaluation, which is the same model. A style without any trained
epoch (a system-prompt condition) is compared at epoch 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from warmth.report.notes import Notes

BASELINE_STYLES = ("original", "base", "baseline")
PAIR_KEY = ["dataset", "item_id", "template", "context", "sample"]


@dataclass
class Comparison:
    model: str
    style: str
    epoch: float
    baseline: pd.DataFrame
    tuned: pd.DataFrame


def is_baseline(df: pd.DataFrame) -> pd.Series:
    trained = df.groupby(["model", "style"])["epoch"].transform("max") > 0
    return df["style"].str.lower().isin(BASELINE_STYLES) | ((df["epoch"] == 0) & trained)


def _dedupe(rows: pd.DataFrame, what: str, notes: Notes) -> pd.DataFrame:
    dup = rows.duplicated(PAIR_KEY, keep="first")
    if dup.any():
        runs = sorted(rows.loc[dup, "run_id"].astype(str).unique())
        notes.warn("inputs", f"{what}: {int(dup.sum())} responses repeat a prompt already seen in another "
                   f"run (runs {runs[:5]}); the first is kept")
    return rows[~dup]


def _baseline_for(rows: pd.DataFrame, model: str, notes: Notes) -> pd.DataFrame:
    """One row per prompt from ``rows``, the baseline rows of ``model``."""
    if rows.empty:
        return rows
    # Prefer explicit "original" runs over training runs' epoch-0 evaluations, which are
    # the same model evaluated again: those repeats are expected and not reported.
    explicit = rows["style"].str.lower().isin(BASELINE_STYLES)
    first = _dedupe(rows[explicit], f"{model}/original", notes)
    rest = rows[~explicit].drop_duplicates(PAIR_KEY, keep="first")
    seen = first.set_index(PAIR_KEY).index
    return pd.concat([first, rest[~rest.set_index(PAIR_KEY).index.isin(seen)]])


def comparisons(df: pd.DataFrame, target_epoch: float, notes: Notes) -> list[Comparison]:
    """One (original, fine-tuned) comparison per model and non-original style."""
    out: list[Comparison] = []
    if df.empty:
        return out
    base_mask = is_baseline(df)
    for model in sorted(df["model"].unique()):
        of_model = df["model"] == model
        base = _baseline_for(df[of_model & base_mask], model, notes)
        tuned_all = df[of_model & ~base_mask]
        styles = sorted(tuned_all["style"].unique())
        if base.empty or not styles:
            have = sorted(df.loc[of_model, "style"].unique())
            notes.warn("inputs", f"model {model!r} has only {have} (no "
                       f"{'original' if base.empty else 'fine-tuned'} records): left out of "
                       "paired tests and regressions")
            continue
        for style in styles:
            rows = tuned_all[tuned_all["style"] == style]
            epochs = sorted(rows["epoch"].unique())
            epoch = min(epochs, key=lambda e: (abs(e - target_epoch), -e))
            if epoch != target_epoch and max(epochs) > 0:
                notes.warn("inputs", f"{model}/{style}: no checkpoint at epoch {target_epoch:g}; "
                           f"compared epoch {epoch:g} instead (have {[float(e) for e in epochs]})")
            tuned = _dedupe(rows[rows["epoch"] == epoch], f"{model}/{style}", notes)
            out.append(Comparison(model, style, float(epoch), base, tuned))
    return out
