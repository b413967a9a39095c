"""Exact McNemar and its effect sizes against statsmodels and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import mcnemar

from warmth.report.stats.mcnemar import paired_test


def _arrays(a, b, c, d):
    o = [1] * a + [1] * b + [0] * c + [0] * d
    t = [1] * a + [0] * b + [1] * c + [0] * d
    return np.array(o), np.array(t)


@pytest.mark.parametrize("a,b,c,d", [(40, 9, 2, 10), (5, 0, 3, 1), (10, 7, 7, 3), (3, 30, 12, 0)])
def test_matches_statsmodels_exact(a, b, c, d):
    res = paired_test(*_arrays(a, b, c, d))
    ref = mcnemar([[a, b], [c, d]], exact=True).pvalue
    assert res.p_value == pytest.approx(ref, rel=1e-12)
    assert (res.b, res.c, res.n) == (b, c, a + b + c + d)
    assert res.raw_diff == pytest.approx(100 * ((a + c) - (a + b)) / (a + b + c + d))
    assert res.cohens_g == pytest.approx(abs(b - c) / math.sqrt(b + c))
    assert res.odds_ratio == (b / c if c else math.inf)


def test_no_discordant_pairs_gives_nan_not_a_number():
    res = paired_test(*_arrays(5, 0, 0, 5))
    assert math.isnan(res.p_value) and math.isnan(res.odds_ratio) and res.g_size == "N/A"
