"""Average marginal effect of fine-tuning, by counterfactual prediction.

Predict every row once as original (``is_finetuned=0``) and once as
fine-tuned (``=1``) and average the difference in P(incorrect). The
delta method gives its standard error: the AME is a smooth function of
the coefficients, so ``Var(AME) ~ g' V g`` with ``g`` its gradient and
``V`` whichever coefficient covariance is wanted (model-based, clustered,
or a mixed model's posterior).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import norm


@dataclass
class AME:
    estimate: float  # probability scale
    se: float
    lower: float
    upper: float
    n: int

    def as_dict(self) -> dict:
        return asdict(self)


def design(results, data: pd.DataFrame) -> np.ndarray:
    """The formula's design matrix for new rows (statsmodels >= 0.15 or patsy).

    ``results`` is a fitted formula model's results, or the formula model itself.
    """
    model = results.model if hasattr(results, "params") else results
    spec = getattr(model, "model_spec", None) or getattr(model.data, "model_spec", None)
    if spec is not None:
        from statsmodels.formula._manager import FormulaManager

        return np.asarray(FormulaManager().get_matrices(spec, data, pandas=True, prediction=True),
                          dtype=float)
    import patsy  # older statsmodels

    return np.asarray(patsy.build_design_matrices([model.data.design_info], data)[0], dtype=float)


def ame_from_design(x0: np.ndarray, x1: np.ndarray, params: np.ndarray, cov: np.ndarray,
                    level: float = 0.95, fixed: tuple[np.ndarray, np.ndarray] | None = None) -> AME:
    """``fixed``: per row, a probability that replaces the prediction of that counterfactual
    (a separated cell's limit; NaN = predict); fixed predictions carry no gradient."""
    p0, p1 = expit(x0 @ params), expit(x1 @ params)
    w0, w1 = p0 * (1 - p0), p1 * (1 - p1)
    if fixed is not None:
        f0, f1 = (np.asarray(f, dtype=float) for f in fixed)
        p0, w0 = np.where(np.isnan(f0), p0, f0), np.where(np.isnan(f0), w0, 0.0)
        p1, w1 = np.where(np.isnan(f1), p1, f1), np.where(np.isnan(f1), w1, 0.0)
    est = float(np.mean(p1 - p0))
    grad = (x1 * w1[:, None] - x0 * w0[:, None]).mean(axis=0)
    var = float(grad @ cov @ grad)
    se = float(np.sqrt(var)) if var >= 0 else float("nan")
    z = norm.ppf(0.5 + level / 2)
    return AME(est, se, est - z * se, est + z * se, len(p0))


def counterfactual_designs(results, data: pd.DataFrame, var: str = "is_finetuned"):
    d0, d1 = data.copy(), data.copy()
    d0[var], d1[var] = 0, 1
    return design(results, d0), design(results, d1)


def average_marginal_effect(results, data: pd.DataFrame, cov: np.ndarray | None = None,
                            var: str = "is_finetuned", level: float = 0.95) -> AME:
    """AME of ``var`` over ``data`` for a fitted formula GLM."""
    x0, x1 = counterfactual_designs(results, data, var)
    cov = np.asarray(results.cov_params() if cov is None else cov, dtype=float)
    return ame_from_design(x0, x1, np.asarray(results.params, dtype=float), cov, level)
