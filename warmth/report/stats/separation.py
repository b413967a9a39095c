"""Perfect separation: cells where the outcome never varies.

A logistic coefficient for a level whose rows are all correct (or all
wrong) runs off to infinity and its standard error with it. We find such
levels before fitting, leave their rows out, and say so.
"""

from __future__ import annotations

import pandas as pd


def constant_cells(df: pd.DataFrame, by: list[str], outcome: str = "is_incorrect") -> list[tuple]:
    """Groups (over ``by``) whose outcome is all 0 or all 1."""
    if df.empty:
        return []
    stats = df.groupby(by, observed=True)[outcome].agg(["min", "max"])
    return [k if isinstance(k, tuple) else (k,) for k in stats.index[stats["min"] == stats["max"]]]


def drop_separated(df: pd.DataFrame, factors: list[str], moderator: str | None,
                   outcome: str = "is_incorrect") -> tuple[pd.DataFrame, list[str]]:
    """Remove levels that separate the outcome; returns the rows kept and why others went."""
    reasons: list[str] = []
    changed = True
    while changed and not df.empty:
        changed = False
        checks = [[f] for f in factors if df[f].nunique() > 1]
        if moderator and df[moderator].nunique() > 1:
            checks.append([moderator, "is_finetuned"])
        for by in checks:
            for cell in constant_cells(df, by, outcome):
                col, level = by[0], cell[0]
                value = int(df.loc[df[col] == level, outcome].iloc[0]) if len(by) == 1 else None
                what = (f"{col}={level!r}: every response {'incorrect' if value else 'correct'}"
                        if len(by) == 1 else
                        f"{col}={level!r} with is_finetuned={cell[1]}: outcome never varies")
                reasons.append(f"{what} (perfect separation); its rows left out")
                df = df[df[col] != level]
                changed = True
                break
            if changed:
                break
    return df, reasons
