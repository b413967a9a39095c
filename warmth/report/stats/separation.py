"""Perfect separation: cells where the outcome never varies, fitted at their limit.

When every response of a level (a dataset, a model, a moderator level, or a
moderator level within one arm: original or fine-tuned) is correct, or every
one is wrong, the maximum-likelihood fit sends a coefficient to infinity:
the cell's predicted probability goes to exactly 0 (or 1) and every other
parameter converges to the fit of the remaining rows. We compute that limit
instead of the diverging fit: the cell's rows leave the fit (not the whole
level: the other arm of a moderator level stays), the references stay the
specified ones (``disinfo`` for dataset), the design columns that lose their
meaning (a separated reference's intercept, a moderator main effect whose
original-arm rows are gone) are named as having no finite estimate, and
AMEs are averaged over all rows of the model's subset, as the authors
average them: a counterfactual row that falls in a separated cell is
predicted at the cell's constant outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Cell:
    column: str
    level: str
    arm: int | None  # is_finetuned value, or None for the whole level
    value: int  # the constant outcome

    def describe(self) -> str:
        where = f"{self.column}={self.level!r}" + ("" if self.arm is None else
                                                    f" ({'fine-tuned' if self.arm else 'original'} responses)")
        return f"{where}: every response {'incorrect' if self.value else 'correct'}"

    def members(self, df: pd.DataFrame, arm: pd.Series | int | None = None) -> pd.Series:
        """Rows in the cell; ``arm`` overrides ``is_finetuned`` (a counterfactual)."""
        hit = df[self.column].astype(str) == self.level
        if self.arm is not None:
            ft = df["is_finetuned"] if arm is None else arm
            hit &= (ft == self.arm) if not np.isscalar(ft) else bool(ft == self.arm)
        return hit


def constant_cells(df: pd.DataFrame, by: list[str], outcome: str = "is_incorrect") -> list[tuple]:
    """Groups (over ``by``) whose outcome is all 0 or all 1."""
    if df.empty:
        return []
    stats = df.groupby(by, observed=True)[outcome].agg(["min", "max"])
    return [k if isinstance(k, tuple) else (k,) for k in stats.index[stats["min"] == stats["max"]]]


def find_separated(df: pd.DataFrame, factors: list[str], moderator: str | None,
                   outcome: str = "is_incorrect") -> tuple[list[Cell], pd.Series]:
    """Separated cells, in the order found, and the mask of rows outside all of them.

    Repeats until stable: leaving a cell out can make another one constant.
    """
    cells: list[Cell] = []
    keep = pd.Series(True, index=df.index)
    while keep.any():
        rest = df[keep]
        checks = [[f] for f in factors if rest[f].nunique() > 1]
        if moderator and rest[moderator].nunique() > 1:
            checks += [[moderator], [moderator, "is_finetuned"]]
        found = None
        for by in checks:
            hits = constant_cells(rest, by, outcome)
            if hits:
                key = hits[0]
                value = int(rest.loc[rest[by[0]].astype(str) == str(key[0]), outcome].iloc[0]) if len(by) == 1 else \
                    int(rest.loc[(rest[by[0]].astype(str) == str(key[0])) & (rest["is_finetuned"] == key[1]),
                                 outcome].iloc[0])
                found = Cell(by[0], str(key[0]), None if len(by) == 1 else int(key[1]), value)
                break
        if found is None:
            break
        cells.append(found)
        keep &= ~found.members(df)
    return cells, keep


def limit_predictions(cells: list[Cell], df: pd.DataFrame, arm: int) -> np.ndarray:
    """Per row of ``df`` predicted as ``is_finetuned=arm``: the constant of the first separated
    cell it falls in, NaN where the fitted model predicts it."""
    out = np.full(len(df), np.nan)
    for cell in cells:
        hit = cell.members(df, arm).to_numpy() & np.isnan(out)
        out[hit] = cell.value
    return out


def basis_columns(x: np.ndarray, names: list[str], keep_first: str = "is_finetuned") -> list[int]:
    """Columns spanning ``x``'s column space, chosen so the meaningful terms keep their meaning:
    the fine-tuning term first, then interactions, other terms, moderator main effects, and the
    intercept last; a column that adds no rank is left out (its coefficient diverged)."""
    def rank(i: int) -> tuple[int, int]:
        n = names[i]
        if n == keep_first:
            return 0, i
        if ":" in n:
            return 1, i
        if n == "Intercept":
            return 4, i
        if n.startswith(("C(dataset", "C(model")) or "(" not in n:
            return 2, i
        return 3, i  # moderator main effects

    chosen: list[int] = []
    for i in sorted(range(x.shape[1]), key=rank):
        trial = chosen + [i]
        if np.linalg.matrix_rank(x[:, trial]) == len(trial):
            chosen = trial
    return sorted(chosen)
