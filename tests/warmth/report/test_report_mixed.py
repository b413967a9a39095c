"""The random-intercept model recovers planted effects and reduces to the GLM without them."""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from scipy.special import expit

from warmth.report.stats.mixed import fit_random_intercept


def _data(sigma: float, seed: int, q: int = 400, per: int = 20):
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(q), per)
    ft = np.tile([0, 1], q * per // 2)
    x2 = rng.integers(0, 2, len(g))
    X = np.column_stack([np.ones(len(g)), ft, x2])
    u = rng.normal(0, sigma, q)
    y = (rng.random(len(g)) < expit(-0.8 + 0.5 * ft - 0.3 * x2 + u[g])).astype(float)
    return X, y, g


def test_recovers_planted_effects_and_question_sd():
    X, y, g = _data(sigma=1.2, seed=3)
    f = fit_random_intercept(X, y, g)
    assert f.converged
    assert abs(f.sigma - 1.2) < 0.2
    se = np.sqrt(np.diag(f.cov))
    assert np.all(np.abs(f.params - np.array([-0.8, 0.5, -0.3])) < 3 * se)


def test_without_question_effects_it_matches_the_glm():
    X, y, g = _data(sigma=0.0, seed=4)
    f = fit_random_intercept(X, y, g)
    glm = sm.GLM(y, X, family=sm.families.Binomial()).fit()
    assert f.sigma < 0.25
    assert np.allclose(f.params, glm.params, atol=0.03)
