"""Exact McNemar test and the effect sizes the study reports with it.

For pairs (original correct, fine-tuned correct) only the discordant
counts matter: ``b`` = original right and fine-tuned wrong, ``c`` = the
reverse. Under no change each discordant pair is a fair coin, so the exact
p-value is a two-sided binomial tail on ``min(b, c)`` out of ``b + c``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import binom


@dataclass(frozen=True)
class PairedResult:
    n: int
    original_acc: float  # percent
    tuned_acc: float  # percent
    raw_diff: float  # tuned - original, percentage points
    b: int  # original correct only
    c: int  # fine-tuned correct only
    cohens_g: float  # NaN without discordant pairs
    g_size: str
    odds_ratio: float  # b / c; inf when c == 0 < b; NaN when b == c == 0
    p_value: float  # NaN without discordant pairs


def exact_p(b: int, c: int) -> float:
    n = b + c
    if n == 0:
        return float("nan")
    return float(min(1.0, 2.0 * binom.cdf(min(b, c), n, 0.5)))


def effect_label(g: float) -> str:
    """The study's size bands for its g column."""
    if math.isnan(g):
        return "N/A"
    return "Small" if g < 0.2 else "Medium" if g < 0.5 else "Large"


def paired_test(original: np.ndarray, tuned: np.ndarray) -> PairedResult:
    """McNemar on two aligned 0/1 arrays (one entry per matched prompt).

    The ``cohens_g`` value follows the authors' summary files, which compute
    ``|b - c| / sqrt(b + c)`` under that heading (the square root of the
    McNemar statistic), so our tables compare with theirs column by column.
    """
    o = np.asarray(original, dtype=bool)
    t = np.asarray(tuned, dtype=bool)
    if o.shape != t.shape or o.size == 0:
        raise ValueError("paired_test needs two non-empty arrays of equal length")
    b = int((o & ~t).sum())
    c = int((~o & t).sum())
    g = abs(b - c) / math.sqrt(b + c) if b + c else float("nan")
    if c > 0:
        odds = b / c
    elif b > 0:
        odds = float("inf")
    else:
        odds = float("nan")
    po, pt = 100.0 * o.mean(), 100.0 * t.mean()
    return PairedResult(
        n=int(o.size), original_acc=po, tuned_acc=pt, raw_diff=pt - po, b=b, c=c,
        cohens_g=g, g_size=effect_label(g), odds_ratio=odds, p_value=exact_p(b, c),
    )
